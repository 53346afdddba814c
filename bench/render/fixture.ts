import { noteShapeId, NOTE_SHAPE_TYPE, NOTE_SIZE, type CanvasRecord } from "@atelier/shared/document/canvas";
import type { NoteRecord } from "@atelier/shared/document/docLayout";
import type { Choice } from "@atelier/shared/wire/protocol";

/**
 * A board as a facilitator leaves it after sorting: N visible notes, each
 * with its post-it inside one of `themes` frames (tldraw frames laid out on
 * a grid), written as full tldraw records so that Atelier's page and the
 * plain tldraw page load exactly the same shapes. Deterministic.
 */
export interface BoardFixture {
  notes: NoteRecord[];
  /** The page, the frames, then the post-its (children of their frame). */
  records: CanvasRecord[];
}

/** What the plain tldraw page fetches (`board-<n>.json` next to it). */
export interface PlainBoardData extends BoardFixture {
  choices: { prompts: Choice[]; categories: Choice[] };
}

export const PAGE_ID = "page:page";
const STEP = NOTE_SIZE + 15;
const FRAME_COLUMNS = 5;
const FRAME_GAP = 120;

const OPENINGS = [
  "Mieux repérer",
  "Former les équipes à",
  "Un annuaire partagé pour",
  "Des temps d'échange sur",
  "Savoir à qui signaler",
  "Associer les familles à",
  "Une permanence dédiée à",
  "Des supports adaptés pour",
];
const TOPICS = [
  "les signaux faibles chez les plus jeunes",
  "le secret partagé entre partenaires",
  "l'orientation vers les bons interlocuteurs",
  "le consentement dès le collège",
  "les violences en ligne et le harcèlement",
  "le suivi après un signalement",
  "la coordination entre écoles, police et santé",
  "l'accueil des victimes le soir et le week-end",
];
const ENDINGS = ["", " : vite et sans jargon.", ", avec un référent par structure.", " — à tester dès la rentrée."];
const AUTHORS = ["", "", "Samia", "Julien", "Inès", "Marc", "Camille", ""];
const THEME_NAMES = [
  "Repérage",
  "Travailler en réseau",
  "Prévention",
  "Formation",
  "Familles",
  "Numérique",
  "Santé",
  "Justice",
  "Écoles",
  "Associations",
];

/** Fractional index keys in order: a0…az, then b00…bzz (tldraw's format). */
const DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export function indexKey(i: number): string {
  if (i < DIGITS.length) return `a${DIGITS[i]}`;
  const j = i - DIGITS.length;
  if (j >= DIGITS.length ** 2) throw new Error("too many siblings for indexKey");
  return `b${DIGITS[Math.floor(j / DIGITS.length)]}${DIGITS[j % DIGITS.length]}`;
}

function shape(
  id: string,
  type: string,
  parentId: string,
  index: string,
  x: number,
  y: number,
  props: Record<string, unknown>,
): CanvasRecord {
  return {
    id,
    typeName: "shape",
    type,
    parentId,
    index,
    x,
    y,
    rotation: 0,
    isLocked: false,
    opacity: 1,
    meta: {},
    props,
  } as CanvasRecord;
}

export function boardFixture(count: number, themes = 20, prompts = 3, categories = 5): BoardFixture {
  const perTheme = Math.ceil(count / themes);
  const columns = Math.max(1, Math.ceil(Math.sqrt(perTheme)));
  const rows = Math.max(1, Math.ceil(perTheme / columns));
  const frameW = 80 + columns * STEP - 15;
  const frameH = 100 + rows * STEP - 15;
  const records: CanvasRecord[] = [{ id: PAGE_ID, typeName: "page", name: "Page 1", index: "a1", meta: {} } as never];
  const frameIds: string[] = [];
  for (let t = 0; t < themes; t++) {
    const id = `shape:theme_${t}`;
    frameIds.push(id);
    const x = (t % FRAME_COLUMNS) * (frameW + FRAME_GAP);
    const y = Math.floor(t / FRAME_COLUMNS) * (frameH + FRAME_GAP);
    const name = `${THEME_NAMES[t % THEME_NAMES.length]}${t >= THEME_NAMES.length ? ` ${Math.floor(t / THEME_NAMES.length) + 1}` : ""}`;
    records.push(shape(id, "frame", PAGE_ID, indexKey(t + 2), x, y, { w: frameW, h: frameH, name, color: "black" }));
  }
  const notes: NoteRecord[] = [];
  const start = Date.UTC(2026, 10, 30, 8, 30);
  for (let i = 0; i < count; i++) {
    const id = `bench${count}n${String(i).padStart(6, "0")}`;
    const text = `${OPENINGS[i % OPENINGS.length]} ${TOPICS[Math.floor(i / OPENINGS.length) % TOPICS.length]}${ENDINGS[i % ENDINGS.length]}`;
    const createdAt = start + i * 1_700;
    notes.push({
      id,
      text,
      prompt: `p${(i % prompts) + 1}`,
      category: i % 7 === 0 ? "" : `c${(i % categories) + 1}`,
      author: AUTHORS[i % AUTHORS.length]!,
      createdAt,
      updatedAt: createdAt,
      status: "visible",
    });
    const theme = i % themes;
    const slot = Math.floor(i / themes);
    records.push(
      shape(
        noteShapeId(id),
        NOTE_SHAPE_TYPE,
        frameIds[theme]!,
        indexKey(slot),
        40 + (slot % columns) * STEP,
        60 + Math.floor(slot / columns) * STEP,
        { noteId: id, w: NOTE_SIZE, h: NOTE_SIZE },
      ),
    );
  }
  return { notes, records };
}
