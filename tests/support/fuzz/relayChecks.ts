/**
 * The relay seen from outside, before and after a run: the two boards a run
 * needs (the target, and a victim locked so that every phone message to it
 * must be refused), then whether a facilitator and a phone can still do
 * their job on the target once the fuzzer is done.
 */
import { createTestBoard } from "../relay.ts";
import { connectScreen, waitFor } from "../screens.ts";
import { PhoneClient } from "../phoneClient.ts";
import { sleep } from "./rand.ts";
import { healthMs, type FuzzBoard } from "./context.ts";

/** A target board and a victim whose submissions are locked, so every phone message to it is refused. */
export async function prepareBoards(baseUrl: string): Promise<{ target: FuzzBoard; victim: FuzzBoard }> {
  const target = await createTestBoard(baseUrl);
  const victim = await createTestBoard(baseUrl, { title: "Victime" });
  const res = await fetch(`${baseUrl}/api/boards/${victim.boardId}/settings`, {
    method: "PATCH",
    headers: { Authorization: `Bearer ${victim.tokens.facilitator}`, "Content-Type": "application/json" },
    body: JSON.stringify({ submissions: "locked" }),
  });
  if (res.status !== 200) throw new Error(`locking the victim: ${res.status}`);
  const strip = (b: typeof target): FuzzBoard => ({
    boardId: b.boardId,
    joinCode: b.joinCode,
    tokens: { ...b.tokens },
  });
  return { target: strip(target), victim: strip(victim) };
}

export interface AfterCheck {
  health: boolean;
  /** The board's live exports (board.json, tally.json, tally.csv, notes.csv) answer 200. */
  exports: boolean;
  facilitatorSync: boolean;
  phoneSubmit: boolean;
  detail: string[];
}

/**
 * After the run: the relay answers, serves the target's live exports, a stock
 * facilitator client syncs and writes, a phone posts a note.
 */
export async function checkRelayWorks(baseUrl: string, board: FuzzBoard): Promise<AfterCheck> {
  const check: AfterCheck = { health: false, exports: true, facilitatorSync: false, phoneSubmit: false, detail: [] };
  check.health = (await healthMs(baseUrl, 5_000)) !== null;
  if (!check.health) {
    check.detail.push("GET /api/health did not answer");
    return check;
  }
  // The run may have locked submissions or closed the day: open them again, as a facilitator would.
  const patch = (body: object) =>
    fetch(`${baseUrl}/api/boards/${board.boardId}/settings`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${board.tokens.facilitator}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }).catch((e: unknown) => ({ status: String(e) }));
  let open = await patch({ submissions: "open", phase: "collect" });
  if (open.status === 400) open = await patch({ submissions: "open" }); // a relay without phases
  if (open.status !== 200) check.detail.push(`reopening submissions answered ${open.status}`);
  for (const format of ["board.json", "tally.json", "tally.csv", "notes.csv"]) {
    const res = await fetch(`${baseUrl}/api/boards/${board.boardId}/snapshots/live/${format}`, {
      headers: { Authorization: `Bearer ${board.tokens.facilitator}` },
    }).catch((e: unknown) => ({ status: String(e) }));
    if (res.status !== 200) {
      check.exports = false;
      check.detail.push(`the live ${format} export answered ${res.status}`);
    }
  }

  const writer = connectScreen(baseUrl, board.boardId, board.tokens.facilitator);
  const reader = connectScreen(baseUrl, board.boardId, board.tokens.facilitator);
  try {
    await Promise.race([
      Promise.all([writer.synced(), reader.synced()]),
      sleep(10_000).then(() => Promise.reject(new Error("no sync within 10 s"))),
    ]);
    const stamp = `alive-${Date.now()}`;
    writer.doc.getMap("fuzz-check").set("stamp", stamp);
    await waitFor(
      () => reader.doc.getMap("fuzz-check").get("stamp") === stamp,
      10_000,
      "the second facilitator to see the write",
    );
    check.facilitatorSync = true;
  } catch (error) {
    check.detail.push(`facilitator sync: ${String(error)} (closes ${writer.closes.join(",")})`);
  } finally {
    writer.destroy();
    reader.destroy();
  }

  let phone: PhoneClient | null = null;
  try {
    phone = await Promise.race([
      PhoneClient.connect(baseUrl, board.joinCode),
      sleep(10_000).then(() => Promise.reject(new Error("no welcome within 10 s"))),
    ]);
    const view = phone.welcome?.board;
    if (!view) throw new Error(`no welcome: ${JSON.stringify(phone.messages[0])}`);
    const reply = await Promise.race([
      phone.submit({ text: "Toujours là après le fuzz", prompt: view.prompts[0]?.id ?? "", category: "" }),
      sleep(10_000).then(() => ({ type: "timeout" }) as const),
    ]);
    check.phoneSubmit = reply.type === "ack";
    if (!check.phoneSubmit) check.detail.push(`phone submit: ${JSON.stringify(reply)}`);
  } catch (error) {
    check.detail.push(`phone: ${String(error)}`);
  } finally {
    phone?.close();
  }
  return check;
}
