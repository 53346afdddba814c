/**
 * A seeded fuzzer for the relay's three endpoints: the board sockets
 * (y-websocket protocol), the phone socket (JSON) and the HTTP API. Used by
 * tests/integration/fuzz.test.ts (a short run) and bench/fuzz.ts (a long one);
 * this file is its public face, so that callers need not know how it is cut.
 *
 * Every random choice comes from `Rand.seeded(seed)` (rand.ts): one generator
 * per worker, forked again for each session, so a seed replays the same
 * sessions and frames; what the relay answers (when it closes a socket,
 * rotated links, note ids it acknowledged) and timing can still make two runs
 * drift.
 *
 * Two boards: the "target" takes everything, including a facilitator's valid
 * writes; the "victim" only ever receives input the relay must refuse (frames
 * from its projector and coordinator links, wrong tokens, phone messages while
 * its submissions are locked, API calls without its facilitator or
 * coordinator token), so it must stay byte-identical on disk.
 *
 * Where things are: rand.ts, strings.ts (hostile values); yjsEdits.ts (updates
 * through the Yjs API, the corpus), yjsEncoder.ts (updates written by hand),
 * mutators.ts (byte damage, frames); crashers.ts (the families of the seven
 * bugs it found); context.ts, sockets.ts, boardDriver.ts, phoneDriver.ts,
 * httpRequests.ts, httpDriver.ts, rawHttp.ts (the endpoints); run.ts (the
 * run); report.ts, checks.ts, relayChecks.ts (what a run found).
 */
export { Rand } from "./rand.ts";
export { weirdString } from "./strings.ts";
export { heldBack, tangledUpdate, updateTraits, type KnownCrashers } from "./crashers.ts";
export { buildCorpus, type YCorpus } from "./yjsEdits.ts";
export { synthUpdate } from "./yjsEncoder.ts";
export { mutate } from "./mutators.ts";
export { healthMs, type FuzzBoard, type FuzzOptions } from "./context.ts";
export { fuzzRelay } from "./run.ts";
export { formatReport, type Endpoint, type FuzzReport } from "./report.ts";
export { countStored, openDb, storedDocProblems, waitUntilSettled, type StoreProblem } from "./checks.ts";
export { checkRelayWorks, prepareBoards, type AfterCheck } from "./relayChecks.ts";
