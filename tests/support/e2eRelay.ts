import { startTestRelay } from "./relay.ts";

export const CLIENT_DIST = new URL("../../client/dist", import.meta.url).pathname;

/** A relay serving the built client, whose links point at itself. */
export async function startE2eRelay(overrides: Parameters<typeof startTestRelay>[0] = {}) {
  const relay = await startTestRelay({ clientDir: CLIENT_DIST, publicUrl: null, ...overrides });
  return relay;
}
