import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export function chromiumPath(): string {
  const path = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find(
    (p) => p && existsSync(p),
  );
  if (!path) throw new Error("No Chromium: run `node scripts/find-chromium.mjs` (pnpm test does).");
  return path;
}

/** Debian's Chromium, headless, quiet on a closed network; playwright gives it a fresh profile. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export const PHONE_VIEWPORT = { width: 390, height: 844 };
export const PROJECTOR_VIEWPORT = { width: 1920, height: 1080 };
