import type { Choice } from "../wire/protocol.ts";
import type { CanvasRecord } from "./canvas.ts";
import { NOTE_SIZE } from "./canvas.ts";

/**
 * Board templates: frames laid out at creation, editable afterwards like any
 * theme. A frame tied to a prompt and/or a category (`meta.zone`) receives
 * the post-its of matching notes directly.
 */
export const TEMPLATES = ["blank", "bilan", "actions"] as const;
export type Template = (typeof TEMPLATES)[number];

/** The action map's defaults: target audiences (categories) by type of action (prompts). */
export const ACTION_MAP_DEFAULTS = {
  audiences: ["Enfants", "Adolescent·e·s", "Parents", "Professionnel·le·s"],
  actionTypes: ["Sensibiliser", "Former", "Repérer et orienter"],
};

export interface Zone {
  prompt?: string;
  category?: string;
}

export const PAGE_ID = "page:page";
const INDEX_CHARS = "123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function frame(
  id: string,
  i: number,
  x: number,
  y: number,
  w: number,
  h: number,
  name: string,
  zone: Zone,
): CanvasRecord {
  return {
    id,
    typeName: "shape",
    type: "frame",
    parentId: PAGE_ID,
    index: `a${INDEX_CHARS[i % INDEX_CHARS.length]}`,
    x,
    y,
    rotation: 0,
    isLocked: false,
    opacity: 1,
    meta: { zone },
    props: { w, h, name, color: "black" },
  } as CanvasRecord;
}

export function templateRecords(template: Template, prompts: Choice[], categories: Choice[]): CanvasRecord[] {
  if (template === "blank") return [];
  const page = { id: PAGE_ID, typeName: "page", name: "Page 1", index: "a1", meta: {} } as CanvasRecord;
  if (template === "bilan") {
    const w = NOTE_SIZE * 3 + 100;
    return [
      page,
      ...prompts.map((p, i) => frame(`shape:zone_${p.id}`, i, i * (w + 60), 0, w, 1400, p.label, { prompt: p.id })),
    ];
  }
  const size = NOTE_SIZE * 3 + 100;
  const records: CanvasRecord[] = [page];
  prompts.forEach((p, row) =>
    categories.forEach((c, col) =>
      records.push(
        frame(
          `shape:zone_${p.id}_${c.id}`,
          records.length,
          col * (size + 40),
          row * (size + 80),
          size,
          size,
          `${c.label} · ${p.label}`,
          {
            prompt: p.id,
            category: c.id,
          },
        ),
      ),
    ),
  );
  return records;
}

/** The zone a note belongs in, if the board has one for its prompt and category. */
export function zoneFor(frames: CanvasRecord[], note: { prompt: string; category: string }): CanvasRecord | undefined {
  return frames.find((f) => {
    const zone = (f.meta as { zone?: Zone } | undefined)?.zone;
    if (!zone || (!zone.prompt && !zone.category)) return false;
    return (!zone.prompt || zone.prompt === note.prompt) && (!zone.category || zone.category === note.category);
  });
}
