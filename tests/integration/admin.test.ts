import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "csv-parse/sync";
import { statSync } from "node:fs";
import { get } from "node:http";
import { defaultPublicUrl, lanAddresses } from "@atelier/server/relay";
import type { AdminBoardsResponse, SeriesResponse } from "@atelier/shared/wire/adminSchemas";
import { startTestRelay, createTestBoard, removeDir } from "../support/relay.ts";
import { PhoneClient } from "../support/phoneClient.ts";
import { connectScreen, waitFor } from "../support/screens.ts";
import { nanoid } from "nanoid";
import { canvasRecords, canvasStore, NOTE_SHAPE_TYPE, noteShapeId, readThemes } from "@atelier/shared/document/canvas";
import { PAGE_ID } from "@atelier/shared/document/templates";

type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;

describe("the organiser's API: every board, links re-issued, series of days", () => {
  let relay: TestRelay;
  let secret = "";
  const admin = (path: string, init: RequestInit = {}, token = secret) =>
    fetch(`${relay.localUrl}${path}`, {
      ...init,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) },
    });

  beforeAll(async () => {
    relay = await startTestRelay({ boardCreation: "secret" });
    secret = relay.adminSecret;
  });
  afterAll(async () => {
    await relay.close();
    removeDir(relay.dataDir);
  });

  it("[R8] refuses without the secret and with a wrong one (401), everywhere the secret is asked", async () => {
    for (const [path, method] of [
      ["/api/admin/boards", "GET"],
      ["/api/admin/series", "POST"],
      ["/api/admin/series/abc/link", "POST"],
      ["/api/admin/series/abc", "DELETE"],
    ] as const) {
      expect((await admin(path, { method, body: method === "POST" ? "{}" : undefined }, "")).status, path).toBe(401);
      expect((await admin(path, { method }, "x".repeat(24))).status, path).toBe(401);
      const body = (await (await admin(path, { method }, "wrong-secret-wrong-secret")).json()) as { error: string };
      expect(body.error).toBe("wrong_admin_secret");
    }
    // BOARD_CREATION=secret: even this computer is asked for the secret.
    expect((await admin("/api/admin/local", {}, "")).status).toBe(403);
  });

  it("lists every board with its counts, never a link's secret; re-issuing one closes the old link's sockets", async () => {
    const res = await fetch(`${relay.localUrl}/api/boards`, {
      method: "POST",
      headers: { Authorization: `Bearer ${secret}` },
      body: JSON.stringify({ title: "Journée A", date: "2026-11-30", prompts: ["Idée"], categories: [] }),
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { boardId: string; joinCode: string; links: Record<string, string> };
    const token = (role: string) => new URL(created.links[role]!).hash.replace("#key=", "");
    const phone = await PhoneClient.connect(relay.localUrl, created.joinCode);
    expect((await phone.submit({ text: "Une note" })).type).toBe("ack");
    phone.close();

    const listed = await admin("/api/admin/boards");
    const text = await listed.text();
    for (const role of ["facilitator", "projector", "coordinator"]) expect(text).not.toContain(token(role));
    expect(text).not.toContain("#key=");
    const board = (JSON.parse(text) as AdminBoardsResponse).boards.find((b) => b.boardId === created.boardId)!;
    expect(board).toMatchObject({ title: "Journée A", date: "2026-11-30", phase: "collect", seriesId: null });
    expect(board.counts).toEqual({ notes: 1, themes: 0, snapshots: 0 });
    expect((await admin("/api/admin/boards?q=journee a")).ok).toBe(true);
    const searched = (await (await admin("/api/admin/boards?q=zzz")).json()) as AdminBoardsResponse;
    expect(searched.boards).toEqual([]);

    // A facilitator page is open on the old link when the organiser re-issues it.
    const screen = connectScreen(relay.localUrl, created.boardId, token("facilitator"));
    await screen.synced();
    const reissued = await admin(`/api/boards/${created.boardId}/links/facilitator`, { method: "POST" });
    expect(reissued.status).toBe(200);
    const { link } = (await reissued.json()) as { link: string };
    await waitFor(() => screen.closes.includes(4401), 5_000, "the old link's socket closed with 4401");
    screen.destroy();
    // A new participant code closes the phones joined with the old one (their page says the code changed).
    const joined = await PhoneClient.connect(relay.localUrl, created.joinCode);
    expect((await admin(`/api/boards/${created.boardId}/links/participant`, { method: "POST" })).status).toBe(200);
    await waitFor(() => joined.closeCode === 4401, 5_000, "the phone closed with 4401");
    const old = await fetch(`${relay.localUrl}/api/boards/${created.boardId}`, {
      headers: { Authorization: `Bearer ${token("facilitator")}` },
    });
    expect(old.status).toBe(401);
    const fresh = await fetch(`${relay.localUrl}/api/boards/${created.boardId}`, {
      headers: { Authorization: `Bearer ${new URL(link).hash.replace("#key=", "")}` },
    });
    expect(fresh.status).toBe(200);
    // The secret opens the archive, not the facilitator's own actions.
    expect((await admin(`/api/boards/${created.boardId}/snapshots/live/tally.csv`)).status).toBe(200);
    expect(
      (await admin(`/api/boards/${created.boardId}/settings`, { method: "PATCH", body: '{"phase":"vote"}' })).status,
    ).toBe(401);
  });

  it("day 2 from day 1 with its themes joins day 1's series; the cross-day table counts both, merges apply", async () => {
    const day1 = await createTestBoard(relay.localUrl, { title: "Jour 1", template: "bilan" }).catch(() => null);
    // BOARD_CREATION=secret: created with the secret.
    expect(day1).toBeNull();
    const create = async (body: object) => {
      const res = await admin("/api/boards", { method: "POST", body: JSON.stringify(body) });
      expect(res.status).toBe(201);
      return (await res.json()) as { boardId: string; joinCode: string; links: Record<string, string> };
    };
    const first = await create({
      title: "Jour 1",
      date: "2026-10-01",
      prompts: ["Repérer", "Orienter"],
      categories: ["Éducation", "Santé"],
      template: "bilan",
    });
    // Phones post; the facilitator's screen (a stock client here) places each post-it in its prompt's zone.
    type Created = { boardId: string; joinCode: string; links: Record<string, string> };
    const post = async (board: Created, notes: [string, string, string][]) => {
      const phone = await PhoneClient.connect(relay.localUrl, board.joinCode);
      const facilitator = new URL(board.links.facilitator!).hash.replace("#key=", "");
      const screen = connectScreen(relay.localUrl, board.boardId, facilitator);
      await screen.synced();
      const zones = readThemes(canvasRecords(screen.doc));
      for (const [text, prompt, category] of notes) {
        const id = nanoid();
        expect((await phone.submit({ id, text, prompt, category })).type).toBe("ack");
        const zone = zones[Number(prompt.slice(1)) - 1]!;
        canvasStore(screen.doc).set(noteShapeId(id), {
          id: noteShapeId(id),
          typeName: "shape",
          type: NOTE_SHAPE_TYPE,
          parentId: PAGE_ID,
          x: zone.x + 10,
          y: zone.y + 10,
          props: { noteId: id },
        });
      }
      // The relay has committed the post-its once it echoes them back to a second screen.
      const check = connectScreen(relay.localUrl, board.boardId, facilitator);
      await check.synced();
      await waitFor(() => canvasRecords(check.doc).size >= zones.length + notes.length, 5_000, "the post-its stored");
      check.destroy();
      await new Promise((resolve) => setTimeout(resolve, 300));
      screen.destroy();
      phone.close();
    };
    await post(first, [
      ["a", "p1", "c1"],
      ["b", "p1", "c2"],
      ["c", "p2", "c1"],
    ]);
    // Day 2: no prompts typed, they come from day 1 with its zones.
    const second = await create({
      title: "Jour 2",
      date: "2026-12-01",
      prompts: [],
      categories: [],
      from: { boardId: first.boardId, themes: true },
    });
    await post(second, [
      ["d", "p1", "c2"],
      ["e", "p2", "c2"],
      ["f", "p2", "c1"],
      ["g", "p2", ""],
    ]);
    const boards = ((await (await admin("/api/admin/boards")).json()) as AdminBoardsResponse).boards;
    const seriesId = boards.find((b) => b.boardId === first.boardId)!.seriesId;
    expect(seriesId).toBeTruthy();
    expect(boards.find((b) => b.boardId === second.boardId)).toMatchObject({ seriesId, counts: { themes: 2 } });

    // A series link for the coordinator; it reads the series and its days, nothing else.
    const { link } = (await (await admin(`/api/admin/series/${seriesId}/link`, { method: "POST" })).json()) as {
      link: string;
    };
    const seriesToken = new URL(link).hash.replace("#key=", "");
    const view = (await (await admin(`/api/series/${seriesId}`, {}, seriesToken)).json()) as SeriesResponse;
    expect(view.days.map((d) => d.title)).toEqual(["Jour 1", "Jour 2"]);
    expect(view.table.rows.map((r) => [r.title, r.perDay, r.total])).toEqual([
      ["Repérer", [2, 1], 3],
      ["Orienter", [1, 3], 4],
    ]);
    expect(view.table.categories).toEqual(["Éducation", "Santé"]);
    expect(view.table.rows.map((r) => r.byCategory)).toEqual([
      [1, 2],
      [2, 1],
    ]);
    expect((await admin(`/api/boards/${second.boardId}/snapshots/live/tally.csv`, {}, seriesToken)).status).toBe(200);
    // A series link reads a day's archive, but never learns how to join (or post on) it.
    const info = (await (await admin(`/api/boards/${second.boardId}`, {}, seriesToken)).json()) as { joinCode: string };
    expect(info.joinCode).toBe("");
    expect((await admin(`/api/boards/${second.boardId}`, { method: "DELETE" }, seriesToken)).status).toBe(401);

    // Merged titles count as one row; the CSV (real parser) carries it.
    const merged = await admin(
      `/api/series/${seriesId}/merges`,
      {
        method: "POST",
        body: JSON.stringify({ alias: "orienter", into: "Repérer" }),
      },
      seriesToken,
    );
    expect(((await merged.json()) as SeriesResponse).table.rows.map((r) => [r.title, r.total])).toEqual([
      ["Repérer", 7],
    ]);
    const csvBytes = await (await admin(`/api/series/${seriesId}/themes.csv`, {}, seriesToken)).arrayBuffer();
    const csv = new TextDecoder("utf-8", { ignoreBOM: true }).decode(csvBytes);
    expect(csv.startsWith("\uFEFF")).toBe(true);
    const rows = parse(csv, { bom: true, delimiter: ";" }) as string[][];
    expect(rows[0]).toEqual([
      "Thème",
      "Titres regroupés",
      "2026-10-01 Jour 1",
      "2026-12-01 Jour 2",
      "Total",
      "Catégorie : Éducation",
      "Catégorie : Santé",
    ]);
    expect(rows[1]).toEqual(["Repérer", "Orienter", "3", "4", "7", "3", "3"]);
    expect(rows[2]).toEqual(["Hors thème", "", "0", "0", "0", "0", "0"]);

    // Deleting a day removes it from the series; deleting the series keeps the other day.
    expect((await admin(`/api/boards/${first.boardId}`, { method: "DELETE" })).status).toBe(200);
    const after = (await (await admin(`/api/series/${seriesId}`, {}, seriesToken)).json()) as SeriesResponse;
    expect(after.days.map((d) => d.title)).toEqual(["Jour 2"]);
    expect((await admin(`/api/admin/series/${seriesId}`, { method: "DELETE" })).status).toBe(200);
    const left = ((await (await admin("/api/admin/boards")).json()) as AdminBoardsResponse).boards;
    expect(left.find((b) => b.boardId === second.boardId)?.seriesId).toBeNull();
    expect((await admin(`/api/series/${seriesId}`, {}, seriesToken)).status).toBe(404);
  });
});

describe("the admin secret on the relay's own computer", () => {
  it("is handed to a loopback page under local-or-secret, never printed, and rotates while the relay runs", async () => {
    const relay = await startTestRelay();
    try {
      const local = await fetch(`${relay.localUrl}/api/admin/local`);
      expect(local.status).toBe(200);
      const { adminSecret } = (await local.json()) as { adminSecret: string };
      expect(adminSecret).toBe(relay.adminSecret);
      // A page of another site rebound to 127.0.0.1 sends its own Host: refused.
      // (fetch cannot set Host: plain node:http can.)
      const status = (headers: Record<string, string>) =>
        new Promise<number>((resolve, reject) =>
          get(`${relay.localUrl}/api/admin/local`, { headers }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          }).on("error", reject),
        );
      expect(await status({ Host: "evil.example" })).toBe(403);
      expect(await status({ Host: "127.evil.example" })).toBe(403);
      // Behind a reverse proxy on this computer, every request comes from loopback: not "local".
      expect(await status({ "X-Forwarded-For": "203.0.113.9" })).toBe(403);
      expect(await status({ Host: "localhost" })).toBe(200);
      expect((statSync(relay.admin.file).mode & 0o777).toString(8)).toBe("600");

      const rotated = relay.admin.rotate();
      const list = (token: string) =>
        fetch(`${relay.localUrl}/api/admin/boards`, { headers: { Authorization: `Bearer ${token}` } });
      expect((await list(adminSecret)).status).toBe(401);
      expect((await list(rotated)).status).toBe(200);
    } finally {
      await relay.close();
      removeDir(relay.dataDir);
    }
  });

  it("hands out links where the relay listens: loopback only says so, every interface uses the LAN", () => {
    expect(defaultPublicUrl("127.0.0.1", 8080)).toEqual({ url: "http://127.0.0.1:8080", lanReachable: false });
    expect(defaultPublicUrl("192.168.1.20", 8080)).toEqual({ url: "http://192.168.1.20:8080", lanReachable: true });
    const any = defaultPublicUrl("0.0.0.0", 8080);
    expect(any.url).toBe(lanAddresses()[0] ? `http://${lanAddresses()[0]}:8080` : "http://127.0.0.1:8080");
  });
});
