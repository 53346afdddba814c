import { afterAll, beforeAll } from "vitest";
import type { Browser } from "playwright-core";
import { launchChromium } from "./browser.ts";
import { startE2eRelay } from "./e2eRelay.ts";
import { removeDir } from "./relay.ts";

/**
 * One Chromium and one relay serving the built client for a test file,
 * started before its tests and torn down after. Read the fields inside tests.
 */
export function useBrowserAndRelay(relayOverrides: Parameters<typeof startE2eRelay>[0] = {}): {
  browser: Browser;
  relay: Awaited<ReturnType<typeof startE2eRelay>>;
} {
  const ctx = {} as { browser: Browser; relay: Awaited<ReturnType<typeof startE2eRelay>> };
  beforeAll(async () => {
    [ctx.browser, ctx.relay] = await Promise.all([launchChromium(), startE2eRelay(relayOverrides)]);
  });
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.relay?.close();
    if (ctx.relay) removeDir(ctx.relay.dataDir);
  });
  return ctx;
}
