import { useEffect, useState } from "react";
import { atom, useEditor, useValue } from "tldraw";
import type { Awareness } from "y-protocols/awareness";
import { remoteCursors } from "./presence.ts";

/** Set by the board page: the awareness of the screens syncing this board. */
export const awarenessAtom = atom<Awareness | null>("atelier awareness", null);

/** The pointers and names of the other facilitator screens, over the canvas. */
export function RemoteCursors() {
  const editor = useEditor();
  const awareness = useValue("awareness", () => awarenessAtom.get(), []);
  const [cursors, setCursors] = useState<ReturnType<typeof remoteCursors>>([]);
  useEffect(() => {
    if (!awareness) return;
    const update = () => setCursors(remoteCursors(awareness));
    update();
    awareness.on("change", update);
    return () => awareness.off("change", update);
  }, [awareness]);
  const placed = useValue(
    "cursor positions",
    () => {
      editor.getCamera(); // follow the camera
      return cursors.map((c) => ({ ...c, ...editor.pageToViewport({ x: c.x, y: c.y }) }));
    },
    [editor, cursors],
  );
  return (
    <>
      {placed.map((c) => (
        <div
          key={c.id}
          className="atelier-cursor"
          data-testid="remote-cursor"
          style={{ left: c.x, top: c.y, borderColor: c.color }}
        >
          <span style={{ background: c.color }}>{c.name}</span>
        </div>
      ))}
    </>
  );
}
