import type { BoardSettings } from "../document/docLayout.ts";
import { toCsv, type Separator } from "./exportCsv.ts";
import type { Tally } from "./tally.ts";

/**
 * How the themes of a network moved from one day to the next: themes
 * matched by title across the days of a series (case, accents, spacing and
 * punctuation ignored), with titles the coordinator merged counted as one.
 * Computed from each day's tally, with no browser.
 */
export interface CrossDayInput {
  boardId: string;
  title: string;
  date: string;
  settings: Pick<BoardSettings, "categories">;
  tally: Tally;
}

export interface CrossDayRow {
  /** The normalised title every merged title counts under. */
  key: string;
  title: string;
  /** Other titles counted in this row (merged, or spelled differently). */
  aliases: string[];
  /** Those of `aliases` counted here because the coordinator merged them (they can be split again). */
  merged: string[];
  perDay: number[];
  byCategory: number[];
  total: number;
}

export interface CrossDayTable {
  days: { boardId: string; title: string; date: string }[];
  /** Category labels of every day, matched by label. */
  categories: string[];
  rows: CrossDayRow[];
  /** Notes outside every theme, per day. */
  outside: Omit<CrossDayRow, "key" | "title" | "aliases" | "merged">;
}

/** « Réseaux  sociaux ! » and « reseaux sociaux » are the same theme. */
export function themeKey(title: string): string {
  return title
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/**
 * Follows merges to the key a title counts under. Merging A into B, then B
 * into A, makes a cycle: every title of it counts under the same one (the
 * first in code-point order), whichever it started from.
 */
function resolve(key: string, merges: ReadonlyMap<string, string>): string {
  const path: string[] = [];
  while (merges.has(key)) {
    const at = path.indexOf(key);
    if (at >= 0) return path.slice(at).sort()[0]!;
    path.push(key);
    key = merges.get(key)!;
  }
  return key;
}

export function crossDayTable(days: CrossDayInput[], merges: ReadonlyMap<string, string> = new Map()): CrossDayTable {
  const categories: string[] = [];
  for (const day of days)
    for (const c of day.settings.categories) if (!categories.includes(c.label)) categories.push(c.label);
  const empty = () => ({
    perDay: days.map(() => 0),
    byCategory: categories.map(() => 0),
    total: 0,
  });
  const rows = new Map<string, CrossDayRow>();
  const outside = empty();
  days.forEach((day, d) => {
    const labelOf = new Map(day.settings.categories.map((c) => [c.id, c.label]));
    const add = (
      row: Omit<CrossDayRow, "key" | "title" | "aliases" | "merged">,
      themeId: string | null,
      count: number,
    ) => {
      row.perDay[d]! += count;
      row.total += count;
      for (const note of day.tally.notes) {
        if (note.themeId !== themeId) continue;
        const at = categories.indexOf(labelOf.get(note.category) ?? "");
        if (at >= 0) row.byCategory[at]!++;
      }
    };
    for (const theme of day.tally.themes) {
      const own = themeKey(theme.title);
      if (!own) continue;
      const key = resolve(own, merges);
      let row = rows.get(key);
      if (!row) rows.set(key, (row = { key, title: theme.title.trim(), aliases: [], merged: [], ...empty() }));
      const title = theme.title.trim();
      if (own !== key && !row.merged.includes(title)) row.merged.push(title);
      if (themeKey(title) === key && themeKey(row.title) !== key) {
        row.aliases.push(row.title);
        row.title = title;
      } else if (title !== row.title && !row.aliases.includes(title)) row.aliases.push(title);
      add(row, theme.themeId, theme.count);
    }
    add(outside, null, day.tally.outside.count);
  });
  return {
    days: days.map(({ boardId, title, date }) => ({ boardId, title, date })),
    categories,
    rows: [...rows.values()],
    outside,
  };
}

export interface CrossDayLabels {
  theme: string;
  alsoCounted: string;
  total: string;
  outside: string;
  category: string;
}

export const CROSS_DAY_LABELS: Record<"fr" | "en", CrossDayLabels> = {
  fr: { theme: "Thème", alsoCounted: "Titres regroupés", total: "Total", outside: "Hors thème", category: "Catégorie" },
  en: {
    theme: "Theme",
    alsoCounted: "Titles counted together",
    total: "Total",
    outside: "Outside every theme",
    category: "Category",
  },
};

/** One row per theme: notes per day (column named by date and title), total, then per category. */
export function crossDayCsv(
  table: CrossDayTable,
  separator: Separator = ";",
  labels: CrossDayLabels = CROSS_DAY_LABELS.fr,
): string {
  const header = [
    labels.theme,
    labels.alsoCounted,
    ...table.days.map((day) => `${day.date} ${day.title}`.trim()),
    labels.total,
    ...table.categories.map((c) => `${labels.category} : ${c}`),
  ];
  const line = (title: string, aliases: string[], row: CrossDayTable["outside"]) => [
    title,
    aliases.join(" / "),
    ...row.perDay,
    row.total,
    ...row.byCategory,
  ];
  return toCsv(
    [header, ...table.rows.map((row) => line(row.title, row.aliases, row)), line(labels.outside, [], table.outside)],
    separator,
  );
}
