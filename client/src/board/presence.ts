import type { Editor } from "tldraw";
import type { Awareness } from "y-protocols/awareness";

/** What a facilitator screen shares through awareness: who it is, what it looks at, where its pointer is. */
export interface ScreenPresence {
  role: "facilitator" | "projector";
  /** This tab's id (`screenIdentity.ts`): what `Presenting` names. */
  id?: string;
  name?: string;
  color?: string;
  view?: { x: number; y: number; w: number; h: number };
  cursor?: { x: number; y: number };
}

const COLOURS = ["#d6336c", "#1c7ed6", "#2b8a3e", "#e8590c", "#7048e8", "#0c8599"];

/** Publishes the facilitator's viewport and pointer, a few times a second at most, when they change. */
export function publishView(editor: Editor, awareness: Awareness, id: string, name: () => string): () => void {
  const color = COLOURS[awareness.clientID % COLOURS.length]!;
  let last = "";
  const timer = setInterval(() => {
    const b = editor.getViewportPageBounds();
    const p = editor.inputs.getCurrentPagePoint();
    const presence: ScreenPresence = {
      role: "facilitator",
      id,
      name: name(),
      color,
      view: { x: Math.round(b.x), y: Math.round(b.y), w: Math.round(b.w), h: Math.round(b.h) },
      cursor: { x: Math.round(p.x), y: Math.round(p.y) },
    };
    const key = JSON.stringify(presence);
    if (key === last) return;
    last = key;
    awareness.setLocalStateField("screen", presence);
  }, 150);
  return () => clearInterval(timer);
}

function presences(awareness: Awareness): [number, ScreenPresence][] {
  const out: [number, ScreenPresence][] = [];
  for (const [clientId, state] of awareness.getStates()) {
    const screen = (state as { screen?: ScreenPresence }).screen;
    if (screen && typeof screen === "object") out.push([clientId, screen]);
  }
  return out;
}

/** Other facilitators' pointers, for the cursors drawn over the canvas. */
export function remoteCursors(
  awareness: Awareness,
): { id: number; name: string; color: string; x: number; y: number }[] {
  const out = [];
  for (const [id, screen] of presences(awareness)) {
    if (id === awareness.clientID || !screen.cursor) continue;
    out.push({ id, name: screen.name ?? "", color: screen.color ?? "#1c7ed6", ...screen.cursor });
  }
  return out;
}

/** The view of the screen with this id, if it is connected now. */
export function viewOfScreen(awareness: Awareness, screenId: string): ScreenPresence["view"] | undefined {
  for (const [, screen] of presences(awareness)) if (screen.id === screenId && screen.view) return screen.view;
  return undefined;
}

/** The name shown for a screen id, for "Animation 42 présente". */
export function nameOfScreen(awareness: Awareness, screenId: string): string | undefined {
  for (const [, screen] of presences(awareness)) if (screen.id === screenId) return screen.name;
  return undefined;
}
