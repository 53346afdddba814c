import { describe, expect, it } from "vitest";
import { crossDayCsv, crossDayTable, themeKey, type CrossDayInput } from "./crossDay.ts";
import type { Tally, TallyRow } from "./tally.ts";

const row = (themeId: string | null, title: string, count: number): TallyRow => ({
  themeId,
  title,
  count,
  votes: 0,
  byPrompt: {},
  byCategory: {},
});

function day(boardId: string, themes: [string, number][], outside = 0): CrossDayInput {
  const notes: Tally["notes"] = [];
  themes.forEach(([title, count], i) => {
    for (let n = 0; n < count; n++)
      notes.push({ themeId: `t${i}`, category: "c1", themeTitle: title } as Tally["notes"][number]);
  });
  for (let n = 0; n < outside; n++) notes.push({ themeId: null, category: "" } as Tally["notes"][number]);
  return {
    boardId,
    title: boardId,
    date: "2026-01-01",
    settings: { categories: [{ id: "c1", label: "Santé" }] },
    tally: {
      themes: themes.map(([title, count], i) => row(`t${i}`, title, count)),
      outside: row(null, "", outside),
      total: notes.length,
      notes,
    },
  };
}

describe("themes across days", () => {
  it("matches titles ignoring case, accents, spacing and punctuation", () => {
    expect(themeKey("  Réseaux   SOCIAUX ! ")).toBe(themeKey("reseaux sociaux"));
    expect(themeKey("Écoute")).not.toBe(themeKey("École"));
    const table = crossDayTable([day("d1", [["Réseaux sociaux", 2]]), day("d2", [["reseaux sociaux", 3]], 1)]);
    expect(table.rows).toHaveLength(1);
    expect(table.rows[0]).toMatchObject({ title: "Réseaux sociaux", perDay: [2, 3], total: 5, byCategory: [5] });
    expect(table.rows[0]!.aliases).toEqual(["reseaux sociaux"]);
    expect(table.outside.perDay).toEqual([0, 1]);
  });

  it("counts merged titles under their target, following chains and stopping on cycles", () => {
    const days = [
      day("d1", [
        ["Parents", 1],
        ["Familles", 2],
      ]),
      day("d2", [["Les familles", 4]]),
    ];
    const merges = new Map([
      [themeKey("Les familles"), themeKey("Familles")],
      [themeKey("Familles"), themeKey("Parents")],
    ]);
    const table = crossDayTable(days, merges);
    expect(table.rows.map((r) => [r.title, r.perDay, r.total])).toEqual([["Parents", [3, 4], 7]]);
    const cyclic = new Map([
      ["a", "b"],
      ["b", "a"],
    ]);
    expect(
      crossDayTable(
        [
          day("d1", [
            ["A", 1],
            ["B", 1],
          ]),
        ],
        cyclic,
      ).rows.map((r) => r.total),
    ).toEqual([2]);
  });

  it("writes a CSV in the archive's conventions, formulas neutralised", () => {
    const csv = crossDayCsv(crossDayTable([day("d1", [["=1+1", 1]])]));
    expect(csv.startsWith("\uFEFF")).toBe(true);
    expect(csv).toContain("'=1+1;;1;1;1");
  });
});
