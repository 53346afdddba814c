import { nanoid } from "nanoid";
import { t } from "../i18n/index.ts";

const ID_KEY = "atelier:screen-id";
const NAME_KEY = "atelier:screen-name";

/**
 * This tab's id among the board's screens. Kept for the tab's life
 * (sessionStorage), so a facilitator who reloads while presenting is still
 * the presenter; two tabs on one computer are two screens.
 */
export function screenId(): string {
  try {
    const stored = sessionStorage.getItem(ID_KEY);
    if (stored) return stored;
    const id = nanoid(16);
    sessionStorage.setItem(ID_KEY, id);
    return id;
  } catch {
    return nanoid(16);
  }
}

/** The name shown on this screen's cursor, remembered on this computer; "" until one is chosen. */
export function savedScreenName(): string {
  try {
    return localStorage.getItem(NAME_KEY) ?? "";
  } catch {
    return "";
  }
}

export function saveScreenName(name: string): void {
  try {
    if (name) localStorage.setItem(NAME_KEY, name);
    else localStorage.removeItem(NAME_KEY);
  } catch {
    // Not remembered, still used on this page.
  }
}

/** What others see when no name was chosen: "Animation 42", from the awareness id. */
export function defaultScreenName(clientId: number): string {
  return `${t("board.panel")} ${String(clientId % 100).padStart(2, "0")}`;
}
