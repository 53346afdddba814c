import { describe, expect, it } from "vitest";
import { fr } from "./fr.ts";
import { en } from "./en.ts";

describe("dictionaries", () => {
  it("have the same keys and the same placeholders in French and English", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(fr).sort());
    const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const key of Object.keys(fr) as (keyof typeof fr)[]) {
      expect(placeholders(en[key]), key).toEqual(placeholders(fr[key]));
    }
  });

  it("translate every refusal reason the relay can send", async () => {
    const { RefusalReason } = await import("@atelier/shared/wire/protocol");
    for (const reason of Object.values(RefusalReason)) {
      expect(fr).toHaveProperty(`refusal.${reason}`);
    }
  });
});
