import { fr, type MessageKey } from "./fr.ts";
import { en } from "./en.ts";

/**
 * The one translation layer of every page. Browser language by default,
 * a choice made on the page is remembered on the device.
 */
export type Lang = "fr" | "en";
const DICTIONARIES: Record<Lang, Record<MessageKey, string>> = { fr, en };
const STORAGE_KEY = "atelier:lang";

function initialLang(): Lang {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === "fr" || stored === "en") return stored;
  } catch {
    // Storage can be disabled (private mode): fall back to the browser.
  }
  return (navigator.languages?.[0] ?? navigator.language ?? "fr").toLowerCase().startsWith("en") ? "en" : "fr";
}

let current: Lang = typeof navigator === "undefined" ? "fr" : initialLang();
const listeners = new Set<() => void>();

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Not remembered, still switched.
  }
  if (typeof document !== "undefined") document.documentElement.lang = next;
  for (const listener of listeners) listener();
}

export function onLangChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * A message with plural forms is stored as `key.one`, `key.other` (and any
 * other category of `Intl.PluralRules`): `t("board.notesCount", { count })`
 * picks the form for `count` in the page's language ("0 note" in French,
 * "0 notes" in English), falling back to `other`.
 */
export type PluralKey = { [K in MessageKey]: K extends `${infer Base}.other` ? Base : never }[MessageKey];

const pluralRules = new Map<Lang, Intl.PluralRules>();
function pluralForm(key: PluralKey, count: number): MessageKey {
  let rules = pluralRules.get(current);
  if (!rules) pluralRules.set(current, (rules = new Intl.PluralRules(current)));
  const form = `${key}.${rules.select(count)}`;
  return (form in fr ? form : `${key}.other`) as MessageKey;
}

export function t(key: MessageKey | PluralKey, vars: Record<string, string | number> = {}): string {
  const resolved = key in fr ? (key as MessageKey) : pluralForm(key as PluralKey, Number(vars.count ?? 0));
  const template = DICTIONARIES[current][resolved] ?? fr[resolved];
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

export type { MessageKey };
