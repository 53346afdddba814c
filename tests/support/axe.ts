import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const require = createRequire(import.meta.url);

/**
 * axe-core's serious and critical violations on the page as it is now. axe
 * is injected as a script: open the page in a context with `bypassCSP`.
 */
export async function seriousViolations(page: Page): Promise<{ id: string; impact: string }[]> {
  await page.addScriptTag({ content: readFileSync(require.resolve("axe-core/axe.min.js"), "utf8") });
  const violations = await page.evaluate(async () => {
    const result = await (
      window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string }[] }> } }
    ).axe.run();
    return result.violations.map((v) => ({ id: v.id, impact: v.impact }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}
