import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { SqliteStorage } from "./storage/sqliteStorage.ts";
import { exportBoard, EXPORT_FORMATS, type ExportFormat } from "./archive/exports.ts";
import { storedStates } from "./rooms/rooms.ts";

/**
 * `pnpm atelier …`: the archive from a terminal, reading the relay's SQLite
 * file directly (it may be running: WAL allows a reader beside it).
 *
 *   pnpm atelier boards
 *   pnpm atelier snapshots --board ID
 *   pnpm atelier export --board ID [--snapshot ID|live] --format tally.csv [--sep ,] [--out FILE]
 */
const USAGE = `usage:
  pnpm atelier boards
  pnpm atelier snapshots --board ID
  pnpm atelier export --board ID [--snapshot ID|live] --format ${EXPORT_FORMATS.join("|")} [--sep ";"|","] [--out FILE]
options: --data-dir DIR (default $DATA_DIR or ./data)`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    board: { type: "string" },
    snapshot: { type: "string", default: "live" },
    format: { type: "string" },
    sep: { type: "string", default: ";" },
    out: { type: "string" },
    "data-dir": { type: "string" },
  },
});

const fail = (message: string): never => {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
};

const dataDir = resolve(values["data-dir"] ?? process.env.DATA_DIR ?? "./data");
const storage = new SqliteStorage(join(dataDir, "atelier.sqlite"));
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
        { storage, liveStates: (id) => storedStates(storage, id) },
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
    default:
      fail(positionals[0] ? `unknown command ${positionals[0]}` : "a command is required");
  }
} finally {
  await storage.close();
}
