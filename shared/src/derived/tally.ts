import type * as Y from "yjs";
import { readNotes, readSettings, readVotes, type NoteRecord } from "../document/docLayout.ts";
import { canvasRecords, readThemes, themeOfNotes } from "../document/canvas.ts";

/**
 * What a coordinator takes away: notes per theme, by prompt and by
 * category. Computed from a `room` document (live or a snapshot), so the
 * relay can produce it with no browser. Only visible notes count.
 */
export interface TallyRow {
  themeId: string | null;
  title: string;
  count: number;
  /** Dots on the theme itself plus dots on its notes. */
  votes: number;
  byPrompt: Record<string, number>;
  byCategory: Record<string, number>;
}

export interface Tally {
  themes: TallyRow[];
  /** Notes outside every theme. */
  outside: TallyRow;
  total: number;
  notes: (NoteRecord & { themeId: string | null; themeTitle: string; votes: number })[];
}

export function computeTally(room: Y.Doc): Tally {
  const settings = readSettings(room);
  const notes = readNotes(room).filter((n) => n.status === "visible");
  const records = canvasRecords(room);
  const votes = readVotes(room);
  const themes = readThemes(records);
  const themeOf = themeOfNotes(
    records,
    notes.map((n) => n.id),
  );
  const emptyCounts = (choices: { id: string }[]) => Object.fromEntries(choices.map((c) => [c.id, 0]));
  const row = (themeId: string | null, title: string): TallyRow => ({
    themeId,
    title,
    count: 0,
    votes: themeId ? (votes.get(themeId) ?? 0) : 0,
    byPrompt: emptyCounts(settings.prompts),
    byCategory: { ...emptyCounts(settings.categories), "": 0 },
  });
  const rows = new Map<string | null, TallyRow>(themes.map((t) => [t.id, row(t.id, t.title)]));
  const outside = row(null, "");
  const titles = new Map(themes.map((t) => [t.id, t.title]));
  for (const note of notes) {
    const target = rows.get(themeOf.get(note.id) ?? null) ?? outside;
    target.count++;
    target.votes += votes.get(note.id) ?? 0;
    target.byPrompt[note.prompt] = (target.byPrompt[note.prompt] ?? 0) + 1;
    target.byCategory[note.category] = (target.byCategory[note.category] ?? 0) + 1;
  }
  return {
    themes: [...rows.values()],
    outside,
    total: notes.length,
    notes: notes.map((n) => {
      const themeId = themeOf.get(n.id) ?? null;
      return { ...n, themeId, themeTitle: themeId ? (titles.get(themeId) ?? "") : "", votes: votes.get(n.id) ?? 0 };
    }),
  };
}
