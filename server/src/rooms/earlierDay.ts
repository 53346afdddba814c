import * as Y from "yjs";
import { readSettings } from "@atelier/shared/document/docLayout";
import { canvasRecords, type CanvasRecord } from "@atelier/shared/document/canvas";
import { PAGE_ID, TEMPLATES, type Template } from "@atelier/shared/document/templates";
import type { CreateBoardRequest } from "@atelier/shared/wire/boardSchemas";
import type { Storage } from "../storage/storage.ts";
import type { EarlierDay } from "./boards.ts";
import type { Rooms } from "./rooms.ts";
import { createSeries } from "./series.ts";

/**
 * "Start from an earlier day": day 2 takes day 1's prompts, categories,
 * template, moderation and language, and if asked its themes (titles and
 * frames, without their notes), and joins day 1's series — a new series
 * named after day 1 when it had none. Null when the earlier board is gone.
 */
export async function fromEarlierDay(
  storage: Storage,
  rooms: Rooms,
  publicUrl: string,
  request: CreateBoardRequest,
  earlierId: string,
  withThemes: boolean,
): Promise<{ request: CreateBoardRequest; earlier: EarlierDay; joinsSeries: string | null } | null> {
  const board = await storage.getBoard(earlierId);
  const states = board ? await rooms.liveStates(earlierId) : null;
  if (!board || !states) return null;
  const room = new Y.Doc();
  Y.applyUpdate(room, states.room);
  const settings = readSettings(room);
  const records = canvasRecords(room);
  room.destroy();
  const template: Template = (TEMPLATES as readonly string[]).includes(settings.template)
    ? (settings.template as Template)
    : "blank";
  // Day 1 joins a new series only once day 2 exists (the caller moves it): a failed creation leaves it as it was.
  const seriesId = board.seriesId ?? (await createSeries(storage, publicUrl, settings.title || board.title)).seriesId;
  return {
    request: {
      ...request,
      prompts: request.prompts.length ? request.prompts : settings.prompts.map((p) => p.label),
      categories: request.categories.length ? request.categories : settings.categories.map((c) => c.label),
      template,
      moderation: request.moderation ?? settings.moderation,
      language: request.language ?? settings.language,
    },
    earlier: { seriesId, frames: withThemes ? emptyThemes(records) : null },
    joinsSeries: board.seriesId ? null : earlierId,
  };
}

/** The page and every frame, as they were; nothing else (post-its, drawings) comes along. */
function emptyThemes(records: Map<string, CanvasRecord>): CanvasRecord[] {
  const frames = [...records.values()].filter((r) => r.typeName === "shape" && r.type === "frame");
  const ids = new Set(frames.map((f) => f.id));
  const pages = [...records.values()].filter((r) => r.typeName === "page");
  if (pages.length === 0)
    pages.push({ id: PAGE_ID, typeName: "page", name: "Page 1", index: "a1", meta: {} } as CanvasRecord);
  // A frame nested in something that does not come along goes on the page.
  const pageId = pages[0]!.id;
  return [...pages, ...frames.map((f) => (ids.has(String(f.parentId)) ? f : { ...f, parentId: pageId }))];
}
