import type { BoardSettings } from "../document/docLayout.ts";
import type { Tally } from "./tally.ts";

/**
 * CSV for French Excel and LibreOffice: UTF-8 with BOM (so accents survive a
 * double-click), RFC 4180 quoting, CRLF line ends, `;` by default (Excel in
 * French reads `,` as the decimal mark). Cells that a spreadsheet would run
 * as a formula are neutralised with a leading apostrophe.
 */
export type Separator = ";" | ",";

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number, separator: Separator): string {
  let text = String(value);
  if (typeof value === "string" && FORMULA_START.test(text)) text = `'${text}`;
  if (text.includes('"') || text.includes(separator) || /[\r\n]/.test(text) || text !== text.trim()) {
    text = `"${text.replace(/"/g, '""')}"`;
  }
  return text;
}

export function toCsv(rows: (string | number)[][], separator: Separator = ";"): string {
  return (
    "\uFEFF" + rows.map((row) => row.map((cell) => csvCell(cell, separator)).join(separator)).join("\r\n") + "\r\n"
  );
}

export interface CsvLabels {
  theme: string;
  outside: string;
  total: string;
  notes: string;
  noCategory: string;
  note: string;
  prompt: string;
  category: string;
  author: string;
  anonymous: string;
  time: string;
  votes: string;
}

export const CSV_LABELS_FR: CsvLabels = {
  theme: "Thème",
  outside: "Hors thème",
  total: "Total",
  notes: "Notes",
  noCategory: "Sans catégorie",
  note: "Note",
  prompt: "Consigne",
  category: "Catégorie",
  author: "Auteur·rice",
  anonymous: "anonyme",
  time: "Heure",
  votes: "Votes",
};

/** One row per theme (then "outside", then the total): notes, then by prompt, then by category. */
export function tallyCsv(
  tally: Tally,
  settings: BoardSettings,
  separator: Separator = ";",
  labels = CSV_LABELS_FR,
): string {
  const header = [
    labels.theme,
    labels.notes,
    labels.votes,
    ...settings.prompts.map((p) => `${labels.prompt} : ${p.label}`),
    ...settings.categories.map((c) => `${labels.category} : ${c.label}`),
    `${labels.category} : ${labels.noCategory}`,
  ];
  const rows = [...tally.themes, { ...tally.outside, title: labels.outside }].map((row) => [
    row.title,
    row.count,
    row.votes,
    ...settings.prompts.map((p) => row.byPrompt[p.id] ?? 0),
    ...settings.categories.map((c) => row.byCategory[c.id] ?? 0),
    row.byCategory[""] ?? 0,
  ]);
  const sum = (i: number) => rows.reduce((s, r) => s + Number(r[i]), 0);
  const total = [labels.total, ...header.slice(1).map((_h, i) => sum(i + 1))];
  return toCsv([header, ...rows, total], separator);
}

/** Every visible note with its theme, prompt, category, author label and time. */
export function notesCsv(
  tally: Tally,
  settings: BoardSettings,
  separator: Separator = ";",
  labels = CSV_LABELS_FR,
  timeZone = "Europe/Paris",
): string {
  const label = (choices: { id: string; label: string }[], id: string) => choices.find((c) => c.id === id)?.label ?? "";
  const time = new Intl.DateTimeFormat("fr-FR", { timeZone, dateStyle: "short", timeStyle: "short" });
  const rows = tally.notes.map((n) => [
    n.themeTitle || labels.outside,
    n.text,
    label(settings.prompts, n.prompt),
    label(settings.categories, n.category),
    n.author || labels.anonymous,
    time.format(new Date(n.createdAt)),
    n.votes,
  ]);
  const header = [labels.theme, labels.note, labels.prompt, labels.category, labels.author, labels.time, labels.votes];
  return toCsv([header, ...rows], separator);
}
