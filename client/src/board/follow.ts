import type { Editor } from "tldraw";
import type { Awareness } from "y-protocols/awareness";

/** What a facilitator screen shares through awareness: who it is, what it looks at, where its pointer is. */
export interface ScreenPresence {
  role: "facilitator" | "projector";
  name?: string;
  color?: string;
  view?: { x: number; y: number; w: number; h: number; at: number };
  cursor?: { x: number; y: number };
}

const COLOURS = ["#d6336c", "#1c7ed6", "#2b8a3e", "#e8590c", "#7048e8", "#0c8599"];

/** Publishes the facilitator's viewport and pointer, a few times a second at most, when they move. */
export function publishView(editor: Editor, awareness: Awareness, name: string): () => void {
  const color = COLOURS[awareness.clientID % COLOURS.length]!;
  let lastBounds = "";
  let lastCursor = "";
  let view: ScreenPresence["view"];
  const timer = setInterval(() => {
    const b = editor.getViewportPageBounds();
    const p = editor.inputs.getCurrentPagePoint();
    const bounds = { x: Math.round(b.x), y: Math.round(b.y), w: Math.round(b.w), h: Math.round(b.h) };
    const cursor = { x: Math.round(p.x), y: Math.round(p.y) };
    const boundsKey = JSON.stringify(bounds);
    const cursorKey = JSON.stringify(cursor);
    if (boundsKey === lastBounds && cursorKey === lastCursor) return;
    // `at` changes only when the view does: the projector follows whoever moved their view last.
    if (boundsKey !== lastBounds) view = { ...bounds, at: Date.now() };
    lastBounds = boundsKey;
    lastCursor = cursorKey;
    awareness.setLocalStateField("screen", { role: "facilitator", name, color, view, cursor } satisfies ScreenPresence);
  }, 150);
  return () => clearInterval(timer);
}

/** Other facilitators' pointers, for the cursors drawn over the canvas. */
export function remoteCursors(
  awareness: Awareness,
): { id: number; name: string; color: string; x: number; y: number }[] {
  const out = [];
  for (const [id, state] of awareness.getStates()) {
    const screen = (state as { screen?: ScreenPresence }).screen;
    if (id === awareness.clientID || !screen?.cursor) continue;
    out.push({ id, name: screen.name ?? "", color: screen.color ?? "#1c7ed6", ...screen.cursor });
  }
  return out;
}

/** The projector follows whichever facilitator moved last. */
export function followFacilitator(editor: Editor, awareness: Awareness): () => void {
  let lastAt = 0;
  const onChange = () => {
    let latest: ScreenPresence["view"] | undefined;
    for (const state of awareness.getStates().values()) {
      const view = (state as { screen?: ScreenPresence }).screen?.view;
      if (view && (!latest || view.at > latest.at)) latest = view;
    }
    if (!latest || latest.at === lastAt) return;
    lastAt = latest.at;
    editor.zoomToBounds(latest, { inset: 0, animation: { duration: 300 } });
  };
  awareness.on("change", onChange);
  onChange();
  return () => awareness.off("change", onChange);
}
