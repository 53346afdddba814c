import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { suggestThemes } from "./themeSuggestions.ts";
import { FeatureExtractor, withBoardWords } from "./textFeatures.ts";

const corpus = JSON.parse(
  readFileSync(new URL("../../../../tests/fixtures/curation/themes-corpus.json", import.meta.url), "utf8"),
) as { themes: { id: string }[]; notes: { id: string; text: string; theme: string }[] };

/** Adjusted Rand index of two labelings of the same items. */
function adjustedRand(a: string[], b: string[]): number {
  const c2 = (n: number) => (n * (n - 1)) / 2;
  const table = new Map<string, number>();
  const rows = new Map<string, number>();
  const cols = new Map<string, number>();
  a.forEach((x, i) => {
    const y = b[i]!;
    table.set(`${x}\u0000${y}`, (table.get(`${x}\u0000${y}`) ?? 0) + 1);
    rows.set(x, (rows.get(x) ?? 0) + 1);
    cols.set(y, (cols.get(y) ?? 0) + 1);
  });
  const index = [...table.values()].reduce((s, n) => s + c2(n), 0);
  const sumRows = [...rows.values()].reduce((s, n) => s + c2(n), 0);
  const sumCols = [...cols.values()].reduce((s, n) => s + c2(n), 0);
  const expected = (sumRows * sumCols) / c2(a.length);
  return (index - expected) / ((sumRows + sumCols) / 2 - expected);
}

/** Unthemed notes count as singletons: a note left out agrees with nobody. */
function labelsOf(result: ReturnType<typeof suggestThemes>, ids: string[]): string[] {
  const of = new Map<string, string>();
  for (const t of result.themes) for (const id of t.noteIds) of.set(id, t.id);
  return ids.map((id) => of.get(id) ?? `alone-${id}`);
}

/** The naive baseline: each note goes with the most frequent keyword it shares with others. */
function keywordBaseline(): string[] {
  const extractor = new FeatureExtractor();
  const stems = corpus.notes.map((n) =>
    [...extractor.features(n.text).weights.keys()].filter((k) => k.startsWith("s:")),
  );
  const df = new Map<string, number>();
  for (const s of stems) for (const k of new Set(s)) df.set(k, (df.get(k) ?? 0) + 1);
  return stems.map((s, i) => {
    const best = [...s].sort((a, b) => df.get(b)! - df.get(a)! || (a < b ? -1 : 1))[0];
    return best && df.get(best)! >= 2 ? best : `alone-${i}`;
  });
}

describe("theme suggestions (labelled corpus, tests/fixtures/curation/themes-corpus.json)", () => {
  const ids = corpus.notes.map((n) => n.id);
  const gold = corpus.notes.map((n) => n.theme);

  it("groups notes of one theme clearly better than the most-frequent-keyword baseline", () => {
    const result = suggestThemes(corpus.notes, [], { themes: corpus.themes.length });
    const ari = adjustedRand(labelsOf(result, ids), gold);
    const baseline = adjustedRand(keywordBaseline(), gold);
    console.log(
      `theme suggestions, ${ids.length} notes in ${corpus.themes.length} gold themes: ARI ${ari.toFixed(3)} ` +
        `(baseline ${baseline.toFixed(3)}), ${result.themes.length} themes, ${result.unthemed.length} unthemed; labels: ` +
        result.themes.map((t) => `${t.label} (${t.noteIds.length})`).join(", "),
    );
    // Floors below what the field's calibration reached (≈ 0.25, docs/CURATION.md): this is where it stands.
    expect(ari).toBeGreaterThanOrEqual(0.12);
    expect(ari).toBeGreaterThanOrEqual(baseline * 2);
  });

  it("gives the same suggestion for the same notes in any order", () => {
    const shuffled = [...corpus.notes].sort((a, b) => ((a.text.length * 7919) % 101) - ((b.text.length * 7919) % 101));
    expect(suggestThemes(shuffled)).toEqual(suggestThemes(corpus.notes));
  });

  it("offers near-duplicates as stacks and places notes into the facilitator's own themes", () => {
    const result = suggestThemes(
      [
        { id: "a", text: "Former tous les profs au repérage des violences" },
        { id: "b", text: "former tous les profs au repérage des violences !" },
        { id: "c", text: "Les parents ne savent pas quoi faire des écrans" },
      ],
      [
        {
          id: "shape:families",
          notes: [
            { id: "x", text: "Associer les parents dès la rentrée" },
            { id: "y", text: "Une soirée pour les familles sur les écrans" },
          ],
        },
      ],
    );
    expect(result.duplicates).toEqual([["a", "b"]]);
    expect(result.placements.find((p) => p.noteId === "c")).toMatchObject({ themeId: "shape:families" });
  });

  it("takes a board's own words into account, under the theme it names", () => {
    const notes = [
      { id: "a", text: "La BAL du CDI déborde de mots" },
      { id: "b", text: "Installer une BAL au foyer aussi" },
      { id: "c", text: "Les photos circulent sur snap" },
      { id: "d", text: "Un compte insta balance des noms" },
    ];
    const extractor = new FeatureExtractor(withBoardWords([{ form: "BAL", theme: "boîte aux lettres" }]));
    const result = suggestThemes(notes, [], { themes: 2, extractor });
    expect(result.themes.find((th) => th.label === "boîte aux lettres")?.noteIds).toEqual(["a", "b"]);
  });
});
