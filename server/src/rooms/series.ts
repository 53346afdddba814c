import { cleanLabel } from "@atelier/shared/wire/text";
import { LIMITS } from "@atelier/shared/wire/limits";
import type { Storage } from "../storage/storage.ts";
import { hashToken, newBoardId, newToken } from "./tokens.ts";

/** The series page's link: the token rides in the fragment, as board links do. */
export function seriesLinkFor(publicUrl: string, seriesId: string, token: string): string {
  return `${publicUrl}/series/${seriesId}#key=${token}`;
}

export async function createSeries(
  storage: Storage,
  publicUrl: string,
  title: string,
  now = Date.now(),
): Promise<{ seriesId: string; link: string }> {
  const seriesId = newBoardId();
  const token = newToken();
  const clean = cleanLabel(title).slice(0, LIMITS.titleMax) || "Atelier";
  await storage.createSeries({ id: seriesId, title: clean, createdAt: now }, hashToken(token));
  return { seriesId, link: seriesLinkFor(publicUrl, seriesId, token) };
}

/** Revokes the series link and returns a new one. */
export async function rotateSeriesLink(storage: Storage, publicUrl: string, seriesId: string): Promise<string> {
  const token = newToken();
  await storage.replaceSeriesLink(seriesId, hashToken(token));
  return seriesLinkFor(publicUrl, seriesId, token);
}

/** The series a token opens, if the link is live. */
export async function authenticateSeries(storage: Storage, token: string): Promise<string | null> {
  if (token.length < 10 || token.length > 100) return null;
  const link = await storage.findSeriesLink(hashToken(token));
  return link && !link.revoked ? link.seriesId : null;
}
