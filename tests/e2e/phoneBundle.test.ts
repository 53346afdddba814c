import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script shared with `node scripts/phone-bundle-size.mjs`
import { phoneBundleSize } from "../../scripts/phone-bundle-size.mjs";

describe("the phone page's weight", () => {
  it("loads at most 60 kB gzip of JavaScript, and neither tldraw nor Yjs", () => {
    const { files, gzip } = phoneBundleSize() as { files: { path: string }[]; gzip: number };
    expect(files.length).toBeGreaterThan(0);
    expect(gzip).toBeLessThanOrEqual(60 * 1024);
  });
});
