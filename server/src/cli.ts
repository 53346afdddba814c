import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { openStorage } from "./storage/openStorage.ts";
import { configFromEnv } from "./config.ts";
import { exportBoard, EXPORT_FORMATS, type ExportFormat } from "./archive/exports.ts";
import { storedStates } from "./rooms/rooms.ts";
import { AdminSecret } from "./rooms/adminSecret.ts";
import { defaultPublicUrl } from "./publicUrl.ts";
import { rotateLink } from "./rooms/boards.ts";
import { createSeries, rotateSeriesLink } from "./rooms/series.ts";
import { seriesView } from "./archive/seriesView.ts";
import { crossDayCsv } from "@atelier/shared/derived/crossDay";
import { ROLES, type Role } from "@atelier/shared/wire/roles";

/**
 * `pnpm atelier …`: the archive from a terminal, reading the relay's SQLite
 * file directly (it may be running: WAL allows a reader beside it), or the
 * PostgreSQL database of `DATABASE_URL`.
 *
 *   pnpm atelier boards
 *   pnpm atelier snapshots --board ID
 *   pnpm atelier export --board ID [--snapshot ID|live] --format tally.csv [--sep ,] [--out FILE]
 *   pnpm atelier links --board ID --role facilitator
 *   pnpm atelier series list|create|add|remove|show|export|link|delete …
 *   pnpm atelier admin-secret [--rotate]
 *
 * Links re-issued here stop the old link at its next use; sockets already
 * open on a running relay stay until they reconnect (the organiser's page
 * closes them at once).
 */
const USAGE = `usage:
  pnpm atelier boards
  pnpm atelier snapshots --board ID
  pnpm atelier export --board ID [--snapshot ID|live] --format ${EXPORT_FORMATS.join("|")} [--sep ";"|","] [--out FILE]
  pnpm atelier links --board ID --role ${ROLES.join("|")}        re-issue a link (the old one stops working)
  pnpm atelier series list
  pnpm atelier series create --title TITLE                       prints the series id and its link
  pnpm atelier series add --series ID --board ID | remove --board ID
  pnpm atelier series show --series ID
  pnpm atelier series export --series ID [--sep ";"|","] [--out FILE]   the cross-day table (CSV)
  pnpm atelier series link --series ID                           re-issue the series link
  pnpm atelier series delete --series ID [--with-boards]          boards are kept unless --with-boards
  pnpm atelier admin-secret [--rotate]                           show (or change) the organiser's secret
options: --data-dir DIR (default $DATA_DIR or ./data), --public-url URL (default $PUBLIC_URL, else as pnpm start)`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    board: { type: "string" },
    snapshot: { type: "string", default: "live" },
    format: { type: "string" },
    sep: { type: "string", default: ";" },
    out: { type: "string" },
    role: { type: "string" },
    series: { type: "string" },
    title: { type: "string" },
    rotate: { type: "boolean", default: false },
    "with-boards": { type: "boolean", default: false },
    "public-url": { type: "string" },
    "data-dir": { type: "string" },
  },
});

const fail = (message: string): never => {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
};

const dataDir = resolve(values["data-dir"] ?? process.env.DATA_DIR ?? "./data");
// Links printed here point where `pnpm start` with the same environment would point them.
const publicUrl = (
  values["public-url"] ??
  (process.env.PUBLIC_URL || defaultPublicUrl(process.env.HOST || "0.0.0.0", Number(process.env.PORT || 8080)).url)
).replace(/\/+$/, "");
// DATABASE_URL as for `pnpm start`: the boards every relay of the cluster shares.
const storage = await openStorage({ ...configFromEnv(), dataDir }, () => undefined);
const source = { storage, liveStates: (id: string) => storedStates(storage, id) };
const required = (name: "board" | "series" | "title" | "role"): string => values[name] ?? fail(`--${name} is required`);

async function series(command: string | undefined): Promise<void> {
  switch (command) {
    case "list":
      for (const s of await storage.listSeries()) {
        const days = (await storage.listBoards()).filter((b) => b.seriesId === s.id).length;
        console.log(`${s.id}\t${days} day(s)\t${s.title}`);
      }
      return;
    case "create": {
      const created = await createSeries(storage, publicUrl, required("title"));
      console.log(`${created.seriesId}\t${created.link}`);
      return;
    }
    case "add":
      if (!(await storage.getSeries(required("series")))) fail(`no such series: ${values.series}`);
      if (!(await storage.getBoard(required("board")))) fail(`no such board: ${values.board}`);
      return storage.setBoardSeries(values.board!, values.series!);
    case "remove":
      return storage.setBoardSeries(required("board"), null);
    case "show": {
      const view = (await seriesView(source, required("series"))) ?? fail(`no such series: ${values.series}`);
      console.log(view.title);
      for (const day of view.days) console.log(`  ${day.date}\t${day.boardId}\t${day.total} notes\t${day.title}`);
      return;
    }
    case "export": {
      const view = (await seriesView(source, required("series"))) ?? fail(`no such series: ${values.series}`);
      const csv = crossDayCsv(view.table, values.sep === "," ? "," : ";");
      if (values.out) writeFileSync(values.out, csv);
      else process.stdout.write(csv);
      return;
    }
    case "link":
      if (!(await storage.getSeries(required("series")))) fail(`no such series: ${values.series}`);
      console.log(await rotateSeriesLink(storage, publicUrl, values.series!));
      return;
    case "delete": {
      const id = required("series");
      if (!(await storage.getSeries(id))) fail(`no such series: ${id}`);
      if (values["with-boards"])
        for (const b of (await storage.listBoards()).filter((b) => b.seriesId === id)) await storage.deleteBoard(b.id);
      return storage.deleteSeries(id);
    }
    default:
      fail(command ? `unknown series command ${command}` : "a series command is required");
  }
}

try {
  switch (positionals[0]) {
    case "boards":
      for (const b of await storage.listBoards())
        console.log(`${b.id}\t${b.joinCode}\t${new Date(b.createdAt).toISOString()}\t${b.title}`);
      break;
    case "snapshots":
      if (!values.board) fail("--board is required");
      for (const s of await storage.listSnapshots(values.board!)) {
        console.log(
          `${s.id}\t${s.kind}\t${new Date(s.createdAt).toISOString()}\t${s.name}\t${(s.images ?? []).join(",")}`,
        );
      }
      break;
    case "export": {
      if (!values.board) fail("--board is required");
      if (!values.format || !(EXPORT_FORMATS as readonly string[]).includes(values.format))
        fail("--format is required");
      const file = await exportBoard(
        source,
        values.board!,
        values.snapshot!,
        values.format as ExportFormat,
        values.sep === "," ? "," : ";",
      );
      if (!file) fail(`no such board, snapshot or image: ${values.board} / ${values.snapshot} / ${values.format}`);
      if (values.out) {
        writeFileSync(values.out, file!.body);
        console.error(`wrote ${values.out}`);
      } else process.stdout.write(file!.body);
      break;
    }
    case "links": {
      const role = required("role");
      if (!(ROLES as readonly string[]).includes(role)) fail(`--role must be one of ${ROLES.join(", ")}`);
      const link = await rotateLink(storage, publicUrl, required("board"), role as Role);
      if (!link) fail(`no such board: ${values.board}`);
      console.log(link);
      break;
    }
    case "series":
      await series(positionals[1]);
      break;
    case "admin-secret": {
      const secret = new AdminSecret(dataDir);
      if (values.rotate) {
        secret.rotate();
        console.error(`new admin secret written to ${secret.file}; the old one no longer works`);
      }
      console.log(secret.current());
      break;
    }
    default:
      fail(positionals[0] ? `unknown command ${positionals[0]}` : "a command is required");
  }
} finally {
  await storage.close();
}
