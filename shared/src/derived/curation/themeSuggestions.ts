import { FeatureExtractor } from "./textFeatures.ts";
import { isGivenName } from "./identifyingDetails.ts";

/**
 * Theme suggestions for the notes not yet in a theme, computed on the relay
 * with no network, never applied by themselves: the facilitator accepts,
 * renames or rejects each one (docs/CURATION.md).
 *
 * Method: each note becomes a TF-IDF vector of word stems and of the
 * field's concepts; clusters start from the concepts most notes mention
 * (distinct ones), then a few rounds of spherical k-means; a note close to
 * no cluster stays unthemed rather than forced in. Labels come from what is
 * most specific to each cluster (class-based TF-IDF), a concept's usual
 * name first. Deterministic: notes are sorted by id before anything else.
 */
export interface SuggestionNote {
  id: string;
  text: string;
}

export interface ThemeSuggestion {
  id: string;
  label: string;
  keywords: string[];
  noteIds: string[];
}

export interface Suggestions {
  version: 1;
  themes: ThemeSuggestion[];
  unthemed: string[];
  duplicates: string[][];
  placements: { noteId: string; themeId: string; score: number }[];
}

type Vector = Map<string, number>;

const MIN_SIMILARITY = 0.06;
const DUPLICATE_SIMILARITY = 0.7;
const PLACEMENT_SIMILARITY = 0.08;
const ROUNDS = 6;

function dot(a: Vector, b: Vector): number {
  const [small, large] = a.size < b.size ? [a, b] : [b, a];
  let sum = 0;
  for (const [k, v] of small) {
    const w = large.get(k);
    if (w !== undefined) sum += v * w;
  }
  return sum;
}

function normalize(v: Vector): Vector {
  let norm = 0;
  for (const x of v.values()) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm === 0) return v;
  return new Map([...v].map(([k, x]) => [k, x / norm]));
}

function centroid(vectors: Vector[]): Vector {
  const sum: Vector = new Map();
  for (const v of vectors) for (const [k, x] of v) sum.set(k, (sum.get(k) ?? 0) + x);
  return normalize(sum);
}

/** The default number of themes: 4 for 32 notes, 10 for 200, never more than 12 (a wall stays readable). */
export function defaultThemeCount(notes: number): number {
  return Math.max(2, Math.min(12, Math.round(Math.sqrt(notes / 2))));
}

export function suggestThemes(
  input: SuggestionNote[],
  existing: { id: string; notes: SuggestionNote[] }[] = [],
  options: { themes?: number; extractor?: FeatureExtractor } = {},
): Suggestions {
  const extractor = options.extractor ?? new FeatureExtractor();
  const notes = [...input].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const all = [...notes, ...existing.flatMap((t) => t.notes)];
  const extracted = new Map(all.map((n) => [n.id, extractor.features(n.text)]));
  const df = new Map<string, number>();
  for (const { weights } of extracted.values()) for (const k of weights.keys()) df.set(k, (df.get(k) ?? 0) + 1);
  const vectorOf = (id: string): Vector => {
    const { weights } = extracted.get(id)!;
    return normalize(new Map([...weights].map(([k, w]) => [k, w * Math.log(1 + all.length / df.get(k)!)])));
  };
  const vectors = new Map(all.map((n) => [n.id, vectorOf(n.id)]));

  const k = Math.max(1, Math.min(options.themes ?? defaultThemeCount(notes.length), notes.length));
  const clusters = cluster(notes, vectors, k);
  const themes = clusters
    .filter((c) => c.length >= 2)
    .map((ids) => describe(ids, clusters, extracted, extractor))
    .sort((a, b) => b.noteIds.length - a.noteIds.length || (a.label < b.label ? -1 : 1))
    .map((t, i) => ({ ...t, id: `suggestion-${i + 1}` }));
  const themed = new Set(themes.flatMap((t) => t.noteIds));
  return {
    version: 1,
    themes,
    unthemed: notes.map((n) => n.id).filter((id) => !themed.has(id)),
    duplicates: duplicates(notes, extracted),
    placements: placements(notes, existing, vectors),
  };
}

/** Seeds from the most mentioned distinct concepts (then stems), then spherical k-means rounds. */
function cluster(notes: SuggestionNote[], vectors: Map<string, Vector>, k: number): string[][] {
  const holders = new Map<string, string[]>();
  for (const n of notes)
    for (const key of vectors.get(n.id)!.keys()) holders.set(key, [...(holders.get(key) ?? []), n.id]);
  const ranked = [...holders]
    .filter(([, ids]) => ids.length >= 2)
    .sort(
      ([a, x], [b, y]) =>
        Number(b.startsWith("c:")) - Number(a.startsWith("c:")) || y.length - x.length || (a < b ? -1 : 1),
    );
  const seeds: string[][] = [];
  for (const [, ids] of ranked) {
    if (seeds.length >= k) break;
    const set = new Set(ids);
    const overlaps = seeds.some((s) => s.filter((id) => set.has(id)).length > 0.5 * Math.min(s.length, ids.length));
    if (!overlaps) seeds.push(ids);
  }
  let centroids = seeds.map((ids) => centroid(ids.map((id) => vectors.get(id)!)));
  let assigned: string[][] = [];
  for (let round = 0; round < ROUNDS; round++) {
    assigned = centroids.map(() => []);
    for (const n of notes) {
      const v = vectors.get(n.id)!;
      let best = -1;
      let bestScore = MIN_SIMILARITY;
      centroids.forEach((c, i) => {
        const score = dot(v, c);
        if (score > bestScore) [best, bestScore] = [i, score];
      });
      if (best >= 0) assigned[best]!.push(n.id);
    }
    assigned = assigned.filter((ids) => ids.length > 0);
    centroids = assigned.map((ids) => centroid(ids.map((id) => vectors.get(id)!)));
  }
  return assigned;
}

/** A cluster's label and keywords: what it says more than the other clusters (class-based TF-IDF). */
function describe(
  ids: string[],
  clusters: string[][],
  extracted: Map<string, ReturnType<FeatureExtractor["features"]>>,
  extractor: FeatureExtractor,
): Omit<ThemeSuggestion, "id"> {
  const inClusters = new Map<string, number>();
  const sums = clusters.map((c) => {
    const sum = new Map<string, number>();
    for (const id of c) for (const [key, w] of extracted.get(id)!.weights) sum.set(key, (sum.get(key) ?? 0) + w);
    for (const key of sum.keys()) inClusters.set(key, (inClusters.get(key) ?? 0) + 1);
    return sum;
  });
  const mine = sums[clusters.indexOf(ids)]!;
  const scored = [...mine]
    // A theme title is projected: a pupil's first name typed in several notes must not become one.
    .filter(
      ([key]) => !key.startsWith("s:") || !ids.some((id) => isGivenName(extracted.get(id)!.surface.get(key) ?? "")),
    )
    .map(([key, w]) => ({ key, score: (w / ids.length) * Math.log(1 + clusters.length / inClusters.get(key)!) }))
    .sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : 1));
  const name = (key: string) => {
    if (key.startsWith("c:")) return extractor.labels.get(key.slice(2)) ?? key.slice(2);
    for (const id of ids) {
      const typed = extracted.get(id)!.surface.get(key);
      if (typed) return typed;
    }
    return key.slice(2);
  };
  const keywords = [...new Set(scored.slice(0, 8).map((s) => name(s.key)))].slice(0, 5);
  const concept = scored.find((s) => s.key.startsWith("c:"));
  const label =
    (concept && concept.score >= scored[0]!.score * 0.5 ? name(concept.key) : keywords.slice(0, 2).join(", ")) || "—";
  return { label, keywords, noteIds: [...ids].sort() };
}

/** Notes that say nearly the same thing, on their words alone, as stacks. */
function duplicates(
  notes: SuggestionNote[],
  extracted: Map<string, ReturnType<FeatureExtractor["features"]>>,
): string[][] {
  const words = new Map(
    notes.map((n) => [n.id, normalize(new Map([...extracted.get(n.id)!.weights].filter(([k]) => k.startsWith("s:"))))]),
  );
  const parent = new Map(notes.map((n) => [n.id, n.id]));
  const root = (id: string): string => (parent.get(id) === id ? id : root(parent.get(id)!));
  for (let i = 0; i < notes.length; i++)
    for (let j = i + 1; j < notes.length; j++) {
      const a = words.get(notes[i]!.id)!;
      const b = words.get(notes[j]!.id)!;
      if (a.size < 2 || b.size < 2) continue;
      if (dot(a, b) >= DUPLICATE_SIMILARITY) parent.set(root(notes[j]!.id), root(notes[i]!.id));
    }
  const groups = new Map<string, string[]>();
  for (const n of notes) groups.set(root(n.id), [...(groups.get(root(n.id)) ?? []), n.id]);
  return [...groups.values()].filter((g) => g.length >= 2);
}

/** Each note's most likely theme among the facilitator's own (themes holding at least two notes). */
function placements(
  notes: SuggestionNote[],
  existing: { id: string; notes: SuggestionNote[] }[],
  vectors: Map<string, Vector>,
): Suggestions["placements"] {
  const centroids = existing
    .filter((t) => t.notes.length >= 2)
    .map((t) => ({ id: t.id, c: centroid(t.notes.map((n) => vectors.get(n.id)!)) }));
  if (centroids.length === 0) return [];
  const out: Suggestions["placements"] = [];
  for (const n of notes) {
    let best: { id: string; score: number } | null = null;
    for (const t of centroids) {
      const score = dot(vectors.get(n.id)!, t.c);
      if (score >= PLACEMENT_SIMILARITY && (!best || score > best.score)) best = { id: t.id, score };
    }
    if (best) out.push({ noteId: n.id, themeId: best.id, score: Math.round(best.score * 1000) / 1000 });
  }
  return out;
}
