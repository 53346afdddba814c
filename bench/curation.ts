import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { suggestThemes } from "@atelier/shared/derived/curation/themeSuggestions";
import { identifyingDetails } from "@atelier/shared/derived/curation/identifyingDetails";
import { percentile, type Row } from "./lib.ts";

/**
 * Curation help on a 1,000-note board, in this process (the relay runs the
 * same code): theme suggestions with near-duplicates, and the identifying-
 * detail scan of every note. The notes are the labelled corpus's, each
 * varied by a word so that 1,000 distinct notes remain.
 */
const NOTES = 1_000;
const RUNS = 5;
const VARIANTS = ["", " !", " vraiment", " au quotidien", " pour tous", " dès maintenant"];

export async function benchCuration(): Promise<Row[]> {
  const corpus = JSON.parse(
    readFileSync(new URL("../tests/fixtures/curation/themes-corpus.json", import.meta.url), "utf8"),
  ) as { notes: { text: string }[] };
  const notes = Array.from({ length: NOTES }, (_, i) => ({
    id: `n${String(i).padStart(4, "0")}`,
    text: corpus.notes[i % corpus.notes.length]!.text + VARIANTS[Math.floor(i / corpus.notes.length) % VARIANTS.length],
  }));
  const workload = `${NOTES.toLocaleString("en")} notes (${corpus.notes.length} corpus notes, varied)`;
  const suggest: number[] = [];
  let themes = 0;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    themes = suggestThemes(notes).themes.length;
    suggest.push(performance.now() - start);
  }
  const scan: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    for (const n of notes) identifyingDetails(n.text);
    scan.push(performance.now() - start);
  }
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  return [
    {
      benchmark: "curation",
      workload,
      metric: `theme suggestions, duplicates, placements (median of ${RUNS}; ${themes} themes)`,
      value: ms(percentile(suggest, 50)),
      goal: "< 1000 ms",
      met: percentile(suggest, 50) < 1000,
    },
    {
      benchmark: "curation",
      workload,
      metric: `identifying-detail scan of every note (median of ${RUNS})`,
      value: ms(percentile(scan, 50)),
    },
  ];
}
