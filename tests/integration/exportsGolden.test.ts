import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import * as Y from "yjs";
import { parse } from "csv-parse/sync";
import { computeTally } from "@atelier/shared/derived/tally";
import { readSettings } from "@atelier/shared/document/docLayout";
import { notesCsv, tallyCsv } from "@atelier/shared/derived/exportCsv";
import { applyBoardJson, boardToJson, restoreBoardJson, BoardJsonError } from "@atelier/shared/derived/boardJson";
import { buildFixtureBoard, FIXTURE_NOTES } from "../fixtures/boardFixture.ts";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/board-v1.${name}`, import.meta.url));

function storedBoard(): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, fixture("yjs"));
  return doc;
}

describe("exports of the golden board (layout v1 as stored)", () => {
  it("still reads the board stored by layout version 1 exactly as it was built", () => {
    expect(storedBoard().getMap("notes").toJSON()).toEqual(buildFixtureBoard().getMap("notes").toJSON());
  });

  it("gives exactly the expected tally CSV, notes CSV and JSON", () => {
    const doc = storedBoard();
    const tally = computeTally(doc);
    const settings = readSettings(doc);
    expect(tallyCsv(tally, settings)).toBe(fixture("tally.csv").toString("utf8"));
    expect(notesCsv(tally, settings)).toBe(fixture("notes.csv").toString("utf8"));
    expect(JSON.stringify(boardToJson(doc, new Date("2026-11-30T17:00:00Z")), null, 2) + "\n").toBe(
      fixture("json").toString("utf8"),
    );
  });

  it("re-imports its JSON into a new board with the same tally", () => {
    const original = storedBoard();
    const copy = new Y.Doc();
    applyBoardJson(copy, restoreBoardJson(JSON.parse(fixture("json").toString("utf8"))), "import");
    const strip = (t: ReturnType<typeof computeTally>) => ({
      ...t,
      notes: t.notes.map(({ updatedAt: _u, ...n }) => n),
    });
    expect(strip(computeTally(copy))).toEqual(strip(computeTally(original)));
  });

  it("refuses files that are not Atelier boards or come from an unknown version", () => {
    expect(() => restoreBoardJson({ type: "excalidraw", version: 2 })).toThrow(BoardJsonError);
    expect(() => restoreBoardJson({ type: "atelier-board", version: 99 })).toThrow(/unsupported version/);
    expect(() => restoreBoardJson({ type: "atelier-board", version: 1, notes: "x" })).toThrow(/invalid/);
  });

  it.each([";", ","] as const)(
    "survives a real CSV parser with separator %s: accents, quotes, line breaks, formulas",
    (sep) => {
      const doc = storedBoard();
      const tally = computeTally(doc);
      const csv = notesCsv(tally, readSettings(doc), sep);
      expect(csv.startsWith("\uFEFF")).toBe(true);
      const rows = parse(csv, { bom: true, delimiter: sep, relax_column_count: false }) as string[][];
      expect(rows).toHaveLength(FIXTURE_NOTES.length + 1);
      const texts = rows.slice(1).map((r) => r[1]);
      expect(texts).toContain('Un "annuaire" partagé; à jour');
      expect(texts).toContain("Former les équipes\nsur deux lignes");
      // Formulas are neutralised: the cell shows the text, a spreadsheet does not run it.
      expect(texts).toContain('\'=HYPERLINK("http://x";"clic")');
      expect(texts.every((t) => !/^[=+\-@]/.test(t!))).toBe(true);
      expect(rows.slice(1).map((r) => r[4])).toContain("'@moi");
      const tallyRows = parse(tallyCsv(tally, readSettings(doc), sep), { bom: true, delimiter: sep }) as string[][];
      expect(tallyRows.map((r) => [r[0], r[1]])).toEqual([
        ["Thème", "Notes"],
        ["Repérage", "2"],
        ["Réseau ; partenaires", "3"],
        ["Hors thème", "1"],
        ["Total", "6"],
      ]);
    },
  );
});
