import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readNotes } from "@atelier/shared/document/docLayout";
import { CloseCode } from "@atelier/shared/wire/closeCodes";
import { startCluster, type TestCluster } from "../support/cluster.ts";
import { createTestBoard } from "../support/relay.ts";
import { connectScreen, waitFor } from "../support/screens.ts";
import { PhoneClient } from "../support/phoneClient.ts";
import { failoverLoop, postUntilAcked, type PlannedNote } from "../support/failover.ts";

/** Rule D7, docs/DEPLOY.md: two relay processes over one PostgreSQL the test starts itself. */
describe("several relays on PostgreSQL", () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 90_000);
  afterAll(async () => cluster?.stop());

  it("[D7] a facilitator on relay A, a projector on relay B and 50 phones on both converge; each note acknowledged once", async () => {
    const [a, b] = cluster.relays;
    const board = await createTestBoard(a!.url);
    const facilitator = connectScreen(a!.url, board.boardId, board.tokens.facilitator);
    await facilitator.synced();
    const projector = connectScreen(b!.url, board.boardId, board.tokens.projector);
    await projector.synced();
    expect(await cluster.ownerOf(board.boardId)).toBe(0);

    const phones = await Promise.all(
      Array.from({ length: 50 }, (_, i) => PhoneClient.connect((i % 2 ? b : a)!.url, board.joinCode)),
    );
    const replies = await Promise.all(phones.map((p, i) => p.submit({ text: `Note ${i} du réseau`, category: "c1" })));
    expect(replies.map((r) => r.type)).toEqual(phones.map(() => "ack"));
    // Exactly one acknowledgement per note, on either relay.
    for (const p of phones) expect(p.messages.filter((m) => m.type === "ack")).toHaveLength(1);

    // Every note once on each screen: the texts as a list, so a note stored twice would show.
    const texts = (doc: typeof facilitator.doc) => readNotes(doc).map((n) => n.text);
    await waitFor(() => texts(facilitator.doc).length >= 50 && texts(projector.doc).length >= 50, 10_000, "50 notes");
    const expected = phones.map((_, i) => `Note ${i} du réseau`).sort();
    expect(texts(facilitator.doc).sort()).toEqual(expected);
    expect(texts(projector.doc).sort()).toEqual(expected);

    // The facilitator's own edit, made on A, reaches the projector through B.
    facilitator.doc.getMap("canvas-test").set("drawn-on-a", 1);
    await waitFor(() => projector.doc.getMap("canvas-test").get("drawn-on-a") === 1, 10_000, "the edit on B");

    // An API call on B about the board is answered by its owner, A.
    const res = await fetch(`${b!.url}/api/boards/${board.boardId}`, {
      headers: { Authorization: `Bearer ${board.tokens.facilitator}` },
    });
    expect(res.status).toBe(200);
    for (const p of phones) p.close();
    facilitator.destroy();
    projector.destroy();
  });

  it("[D7] a link re-issued through one relay closes its sockets on the owner", async () => {
    const [a, b] = cluster.relays;
    const board = await createTestBoard(a!.url);
    const projector = connectScreen(a!.url, board.boardId, board.tokens.projector);
    await projector.synced();
    const admin = await (await fetch(`${b!.url}/api/server`)).json();
    expect(admin).toBeDefined();
    const res = await fetch(`${b!.url}/api/boards/${board.boardId}/links/projector`, {
      method: "POST",
      headers: { Authorization: `Bearer ${board.tokens.coordinator}` },
    });
    expect(res.status).toBe(200);
    await waitFor(() => projector.closes.includes(CloseCode.Unauthorized), 10_000, "the old projector closed");
    projector.destroy();
  });

  it("[D7] snapshots and exports work the same through the relay that does not own the board, and after its owner dies", async () => {
    const [a, b] = cluster.relays;
    const board = await createTestBoard(a!.url);
    const phone = await PhoneClient.connect(a!.url, board.joinCode);
    for (const text of ["Un annuaire commun", "Former les équipes"])
      expect((await phone.submit({ text, category: "c1" })).type).toBe("ack");
    phone.close();
    expect(await cluster.ownerOf(board.boardId)).toBe(0);
    const api = (relay: typeof a, path: string, init: RequestInit = {}) =>
      fetch(`${relay!.url}/api/boards/${board.boardId}${path}`, {
        ...init,
        headers: { Authorization: `Bearer ${board.tokens.facilitator}`, "Content-Type": "application/json" },
      });

    // Through B, which holds nothing of the board: it forwards to A.
    const made = await api(b, "/snapshots", { method: "POST", body: JSON.stringify({ name: "Fin de matinée" }) });
    expect(made.status).toBe(201);
    const { snapshot } = (await made.json()) as { snapshot: { id: string; name: string } };
    const listed = (await (await api(b, "/snapshots")).json()) as { snapshots: { id: string; name: string }[] };
    expect(listed.snapshots.map((s) => s.name)).toContain("Fin de matinée");
    const liveCsv = await (await api(b, "/snapshots/live/notes.csv")).text();
    expect(liveCsv).toContain("Un annuaire commun");
    expect(liveCsv).toContain("Former les équipes");

    // A dies: B serves the same archive, and claims the board when it needs it.
    await a!.kill();
    try {
      // Until B sees A's session gone it may still try to forward to A and answer 5xx: ask again.
      const deadline = Date.now() + 10_000;
      let storedCsv = await api(b, `/snapshots/${snapshot.id}/notes.csv`);
      while (storedCsv.status >= 500 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        storedCsv = await api(b, `/snapshots/${snapshot.id}/notes.csv`);
      }
      expect(storedCsv.status).toBe(200);
      expect(await storedCsv.text()).toBe(liveCsv);
      const tally = await api(b, "/snapshots/live/tally.csv");
      expect(tally.status).toBe(200);
      // A snapshot needs the board itself: B claims it from its dead owner and loads it.
      const after = await api(b, "/snapshots", { method: "POST", body: JSON.stringify({ name: "Après la panne" }) });
      expect(after.status).toBe(201);
      expect(await cluster.ownerOf(board.boardId)).toBe(1);
      const timeline = (await (await api(b, "/snapshots")).json()) as { snapshots: { name: string }[] };
      expect(timeline.snapshots.map((s) => s.name)).toEqual(
        expect.arrayContaining(["Fin de matinée", "Après la panne"]),
      );
    } finally {
      await cluster.restart(0);
    }
  });

  it("[D7] fencing: a frozen owner, thawed after relay B took the board, acknowledges nothing and writes nothing more", async () => {
    const [a, b] = cluster.relays;
    const board = await createTestBoard(a!.url);
    const early = await PhoneClient.connect(a!.url, board.joinCode);
    expect((await early.submit({ text: "Avant le gel" })).type).toBe("ack");
    const late = await PhoneClient.connect(a!.url, board.joinCode);
    expect(await cluster.ownerOf(board.boardId)).toBe(0);
    const [owned] = await cluster.query<{ epoch: string }>("SELECT epoch FROM board_owners WHERE board_id = $1", [
      board.boardId,
    ]);
    const oldEpoch = Number(owned!.epoch);

    let lateReply: ReturnType<PhoneClient["submit"]> | undefined;
    a!.process.kill("SIGSTOP");
    try {
      // Past A's lease (1.5 s without a heartbeat), B takes the board when a phone needs it.
      await new Promise((r) => setTimeout(r, 2_500));
      const onB = await PhoneClient.connect(b!.url, board.joinCode);
      expect((await onB.submit({ text: "Pendant le gel, sur B" })).type).toBe("ack");
      expect(await cluster.ownerOf(board.boardId)).toBe(1);
      onB.close();
      // Sent to A while it is frozen: it reads this when it wakes.
      lateReply = late.submit({ text: "Envoyée à A gelé" });
    } finally {
      a!.process.kill("SIGCONT");
    }
    const reply = await lateReply!;
    expect(reply.type).not.toBe("ack");
    expect(late.messages.filter((m) => m.type === "ack")).toHaveLength(0);
    // A finds itself fenced: it unloads the board and sends its phones away with the transient code.
    await waitFor(() => late.closeCode !== null, 10_000, "the frozen owner to close its phone");
    expect(late.closeCode).toBe(CloseCode.StorageUnavailable);

    const rows = await cluster.query<{ epoch: string; seq: string }>(
      "SELECT epoch, seq FROM updates WHERE board_id = $1 ORDER BY seq",
      [board.boardId],
    );
    const firstOfNewOwner = rows.find((r) => Number(r.epoch) > oldEpoch)!;
    expect(firstOfNewOwner).toBeDefined();
    const writtenByOldAfter = rows.filter(
      (r) => Number(r.epoch) <= oldEpoch && Number(r.seq) > Number(firstOfNewOwner.seq),
    );
    expect(writtenByOldAfter).toEqual([]);

    const screen = connectScreen(b!.url, board.boardId, board.tokens.facilitator);
    await screen.synced();
    expect(
      readNotes(screen.doc)
        .map((n) => n.text)
        .sort(),
    ).toEqual(["Avant le gel", "Pendant le gel, sur B"]);
    screen.destroy();
    early.close();
    late.close();
  });

  it("[D7] failover: the owner SIGKILLed while phones post, 4 times; nothing acknowledged lost, nothing twice, screens back within 10 s", async () => {
    const report = await failoverLoop(cluster, { kills: 4, phones: 10, notesPerRound: 3, seed: 7 });
    expect(report.lost).toEqual([]);
    expect(report.duplicated).toBe(0);
    expect(report.ackedTwice).toBe(0);
    // Every planned note, and one probe note per kill.
    expect(report.acknowledged).toBe(4 * 10 * 3 + 4);
    // The board moved each time: the killed relays alternate.
    for (let i = 1; i < report.killed.length; i++) expect(report.killed[i]).not.toBe(report.killed[i - 1]);
    for (const ms of report.resyncMs) expect(ms).toBeLessThan(10_000);
  });
});

describe("PostgreSQL stopped while phones post", () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 90_000);
  afterAll(async () => cluster?.stop());

  it("[D1] refuses cleanly while it is away, claims nothing unstored as sent, and resumes with every acknowledged note", async () => {
    const board = await createTestBoard(cluster.relays[0]!.url);
    const acked = new Map<string, number>();
    const planned: PlannedNote[][] = Array.from({ length: 20 }, (_, p) =>
      Array.from({ length: 5 }, (_, n) => ({
        participant: `pg-participant-${p}`,
        id: `pg-note-${p}-${n}`,
        text: `Note ${n} de ${p}`,
      })),
    );
    const posting = Promise.all(
      planned.map((notes, p) =>
        postUntilAcked(cluster.relays[p % 2]!.url, board.joinCode, notes, acked, { deadlineMs: 80_000 }),
      ),
    );
    await waitFor(() => acked.size > 5, 30_000, "first acknowledgements");
    cluster.postgres.crash();
    const ackedAtCrash = acked.size;
    // While it is away: a new phone is refused with the transient code, and nothing is acknowledged.
    const refused = await PhoneClient.connect(cluster.relays[1]!.url, board.joinCode).then(
      (p) => p.closeCode,
      (error: Error) => error.message,
    );
    expect(String(refused)).toContain(String(CloseCode.StorageUnavailable));
    const api = await fetch(`${cluster.relays[0]!.url}/api/boards/${board.boardId}`, {
      headers: { Authorization: `Bearer ${board.tokens.facilitator}` },
    });
    expect(api.status).toBe(503);
    expect(await api.json()).toMatchObject({ error: "storage_unavailable" });
    await new Promise((r) => setTimeout(r, 1_000));
    // Anything acknowledged after the crash would be a lie; a commit in flight may have made it.
    expect(acked.size - ackedAtCrash).toBeLessThanOrEqual(planned.length);
    const duringOutage = acked.size;
    await new Promise((r) => setTimeout(r, 1_000));
    expect(acked.size).toBe(duringOutage);

    cluster.postgres.start();
    await posting;
    const screen = connectScreen(cluster.balancer.url, board.boardId, board.tokens.facilitator);
    await screen.synced();
    const ids = readNotes(screen.doc).map((n) => n.id);
    screen.destroy();
    expect(new Set(ids).size).toBe(ids.length);
    expect([...acked.keys()].filter((id) => !ids.includes(id))).toEqual([]);
    expect(acked.size).toBe(100);
  });
});
