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
  document.documentElement.lang = next;
  for (const listener of listeners) listener();
}

export function onLangChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const template = DICTIONARIES[current][key] ?? fr[key];
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

export type { MessageKey };
