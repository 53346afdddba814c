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

  it('picks plural forms by language: « 0 note » and « 2 notes » in French, "1 note" and "0 notes" in English', async () => {
    const { setLang, t } = await import("./index.ts");
    setLang("fr");
    expect([0, 1, 2, 1000].map((count) => t("board.notesCount", { count }))).toEqual([
      "0 note",
      "1 note",
      "2 notes",
      "1000 notes",
    ]);
    expect(t("board.doneCount", { count: 1 })).toBe("1 participant·e a fini");
    setLang("en");
    expect([0, 1, 2].map((count) => t("board.notesCount", { count }))).toEqual(["0 notes", "1 note", "2 notes"]);
    expect(t("phone.dotsLeft", { count: 1, dots: 3 })).toBe("You have 1 dot left out of 3.");
  });
});
