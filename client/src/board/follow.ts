import type { Editor } from "tldraw";
import type { Awareness } from "y-protocols/awareness";

/** What a facilitator screen shares through awareness: who it is and what it looks at. */
export interface ScreenPresence {
  role: "facilitator" | "projector";
  view?: { x: number; y: number; w: number; h: number; at: number };
}

/** Publishes the facilitator's viewport, a few times a second at most, when it moves. */
export function publishView(editor: Editor, awareness: Awareness): () => void {
  awareness.setLocalStateField("screen", { role: "facilitator" } satisfies ScreenPresence);
  let last = "";
  const timer = setInterval(() => {
    const b = editor.getViewportPageBounds();
    const view = { x: Math.round(b.x), y: Math.round(b.y), w: Math.round(b.w), h: Math.round(b.h) };
    const key = JSON.stringify(view);
    if (key === last) return;
    last = key;
    awareness.setLocalStateField("screen", { role: "facilitator", view: { ...view, at: Date.now() } });
  }, 200);
  return () => clearInterval(timer);
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
