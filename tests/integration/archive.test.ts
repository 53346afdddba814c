import { afterEach, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { readNotes } from "@atelier/shared/document/docLayout";
import { CloseCode } from "@atelier/shared/wire/closeCodes";
import { startTestRelay, createTestBoard, removeDir } from "../support/relay.ts";
import { PhoneClient } from "../support/phoneClient.ts";
import { connectScreen, waitFor } from "../support/screens.ts";

type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;
const ROOT = new URL("../..", import.meta.url).pathname;
// A 1×2 PNG (white): enough to check the relay's image handling.
const PNG_1x2 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAACCAIAAAAW4yFwAAAAEElEQVR4nGP4////fwYGBgAJ+AP9a5VgxgAAAABJRU5ErkJggg==";

describe("snapshots, exports and deletion", () => {
  const relays: TestRelay[] = [];
  afterEach(async () => {
    for (const r of relays.splice(0)) {
      await r.close();
      removeDir(r.dataDir);
    }
  });
  async function relay(overrides = {}) {
    const r = await startTestRelay(overrides);
    relays.push(r);
    return r;
  }
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  it("closes the day: locks submissions, takes an immutable snapshot with its images, exports it", async () => {
    const r = await relay();
    const board = await createTestBoard(r.localUrl);
    const phone = await PhoneClient.connect(r.localUrl, board.joinCode);
    await phone.submit({ text: "Avant la clôture", category: "c1" });
    const closed = await fetch(`${r.localUrl}/api/boards/${board.boardId}/close`, {
      method: "POST",
      headers: auth(board.tokens.facilitator),
      body: JSON.stringify({
        name: "Clôture",
        png: PNG_1x2,
        svg: '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="20"></svg>',
      }),
    });
    expect(closed.status).toBe(201);
    const { snapshot } = (await closed.json()) as { snapshot: { id: string; kind: string; images: string[] } };
    expect(snapshot).toMatchObject({ kind: "close", images: ["png", "svg"] });
    expect(await phone.submit({ text: "Après la clôture" })).toMatchObject({
      type: "refused",
      reason: "submissions_locked",
    });

    const get = (path: string, token = board.tokens.coordinator) =>
      fetch(`${r.localUrl}/api/boards/${board.boardId}/snapshots/${path}`, { headers: auth(token) });
    const png = await get(`${snapshot.id}/board.png`);
    expect(png.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await png.arrayBuffer()).toString("base64")).toBe(PNG_1x2);
    const svg = await get(`${snapshot.id}/board.svg`);
    expect(svg.headers.get("content-security-policy")).toContain("sandbox");
    // Bytes, not .text(): that would drop the BOM the file must keep.
    const csv = Buffer.from(await (await get(`${snapshot.id}/notes.csv`)).arrayBuffer()).toString("utf8");
    expect(csv.startsWith("\uFEFF")).toBe(true);
    const rows = parse(csv, { bom: true, delimiter: ";" }) as string[][];
    expect(rows.slice(1).map((row) => row[1])).toEqual(["Avant la clôture"]);
    expect((await get(`${snapshot.id}/tally.csv?sep=,`)).status).toBe(200);
    expect((await get("live/board.png")).status).toBe(404);
    // The projector link may not download the archive; a participant has no token at all.
    expect((await get(`${snapshot.id}/notes.csv`, board.tokens.projector)).status).toBe(403);

    // Snapshots are immutable, even for someone with the database in hand.
    const db = (r.storage as unknown as { db: import("better-sqlite3").Database }).db;
    expect(() => db.prepare("UPDATE snapshots SET name = 'x' WHERE id = ?").run(snapshot.id)).toThrow(/immutable/);

    // The same export from the command line, reading the SQLite file.
    const out = execFileSync(
      process.execPath,
      [
        "--import",
        "tsx",
        join(ROOT, "server/src/cli.ts"),
        "export",
        "--board",
        board.boardId,
        `--snapshot=${snapshot.id}`,
        "--format",
        "notes.csv",
        "--data-dir",
        r.dataDir,
      ],
      { encoding: "utf8", cwd: ROOT },
    );
    expect(out).toBe(csv);
    phone.close();
  });

  it("takes automatic snapshots while the board changes, and none while it does not", async () => {
    const r = await relay({ autoSnapshotMs: 150 });
    const board = await createTestBoard(r.localUrl);
    const phone = await PhoneClient.connect(r.localUrl, board.joinCode);
    await phone.submit({ text: "Une" });
    const list = async () =>
      (
        (await (
          await fetch(`${r.localUrl}/api/boards/${board.boardId}/snapshots`, {
            headers: auth(board.tokens.coordinator),
          })
        ).json()) as { snapshots: { kind: string }[] }
      ).snapshots;
    await new Promise((res) => setTimeout(res, 400));
    const after = (await list()).filter((s) => s.kind === "auto").length;
    expect(after).toBe(1);
    await new Promise((res) => setTimeout(res, 400));
    expect((await list()).filter((s) => s.kind === "auto").length).toBe(1);
    phone.close();
  });

  it("re-imports a board's JSON into a new board with the same notes", async () => {
    const r = await relay();
    const board = await createTestBoard(r.localUrl);
    const phone = await PhoneClient.connect(r.localUrl, board.joinCode);
    await phone.submit({ text: "À réimporter", prompt: "p2", category: "c3", author: "Zoé" });
    const json = await (
      await fetch(`${r.localUrl}/api/boards/${board.boardId}/snapshots/live/board.json`, {
        headers: auth(board.tokens.coordinator),
      })
    ).text();
    const imported = await fetch(`${r.localUrl}/api/boards/import`, { method: "POST", body: json });
    expect(imported.status).toBe(201);
    const copy = (await imported.json()) as { boardId: string; links: { facilitator: string } };
    const screen = connectScreen(r.localUrl, copy.boardId, new URL(copy.links.facilitator).hash.slice(5));
    await screen.synced();
    expect(
      readNotes(screen.doc).map(({ text, prompt, category, author }) => ({ text, prompt, category, author })),
    ).toEqual([{ text: "À réimporter", prompt: "p2", category: "c3", author: "Zoé" }]);
    screen.destroy();
    const junk = await fetch(`${r.localUrl}/api/boards/import`, {
      method: "POST",
      body: JSON.stringify({ type: "other" }),
    });
    expect(junk.status).toBe(400);
    phone.close();
  });

  it("deletes a board for real: nothing left in the database file or the data folder, links answer no such board", async () => {
    const r = await relay();
    const board = await createTestBoard(r.localUrl);
    const secret = "Confidentiel-Zébulon-4217";
    const phone = await PhoneClient.connect(r.localUrl, board.joinCode);
    await phone.submit({ text: `Une note ${secret}` });
    await fetch(`${r.localUrl}/api/boards/${board.boardId}/close`, {
      method: "POST",
      headers: auth(board.tokens.facilitator),
      body: JSON.stringify({ png: PNG_1x2 }),
    });
    const screen = connectScreen(r.localUrl, board.boardId, board.tokens.facilitator);
    await screen.synced();
    const other = await createTestBoard(r.localUrl, { title: "Autre journée" });

    expect(
      (
        await fetch(`${r.localUrl}/api/boards/${board.boardId}`, {
          method: "DELETE",
          headers: auth(board.tokens.facilitator),
        })
      ).status,
    ).toBe(403);
    const deleted = await fetch(`${r.localUrl}/api/boards/${board.boardId}`, {
      method: "DELETE",
      headers: auth(board.tokens.coordinator),
    });
    expect(deleted.status).toBe(200);
    await waitFor(() => screen.closes.includes(CloseCode.UnknownBoard));
    screen.destroy();

    const needles = [secret, board.boardId, board.joinCode].map((s) => Buffer.from(s, "utf8"));
    for (const file of readdirSync(r.dataDir)) {
      const bytes = readFileSync(join(r.dataDir, file));
      for (const needle of needles) expect(bytes.includes(needle), `${needle} in ${file}`).toBe(false);
    }
    const res = await fetch(`${r.localUrl}/api/boards/${board.boardId}`, { headers: auth(board.tokens.coordinator) });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "no_such_board" });
    expect((await fetch(`${r.localUrl}/api/join/${board.joinCode}`)).status).toBe(404);
    // The other board is untouched.
    expect(
      (await fetch(`${r.localUrl}/api/boards/${other.boardId}`, { headers: auth(other.tokens.coordinator) })).status,
    ).toBe(200);
    phone.close();
  });

  it("deletes a board once its retention period is over", async () => {
    const r = await relay();
    const board = await createTestBoard(r.localUrl);
    const set = await fetch(`${r.localUrl}/api/boards/${board.boardId}/retention`, {
      method: "PATCH",
      headers: auth(board.tokens.coordinator),
      body: JSON.stringify({ days: 1 }),
    });
    expect(set.status).toBe(200);
    expect(await r.storage.expiredBoards(Date.now())).toEqual([]);
    expect(await r.storage.expiredBoards(Date.now() + 2 * 86_400_000)).toEqual([board.boardId]);
  });
});
