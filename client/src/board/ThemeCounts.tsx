import { useEditor, useValue } from "tldraw";
import { themeOfNotes, type CanvasRecord } from "@atelier/shared/document/canvas";
import { t } from "../i18n/index.ts";
import { notesAtom, votesAtom } from "./noteShape.tsx";

/** The live number of notes in each theme, drawn at the top right of its frame. */
export function ThemeCounts() {
  const editor = useEditor();
  // Counts change with shapes and notes only; panning must not recompute them.
  const counts = useValue(
    "theme counts",
    () => {
      const shapes = editor.store.query.records("shape").get();
      const records = new Map(shapes.map((r) => [r.id, r as unknown as CanvasRecord]));
      const themeOf = themeOfNotes(records, notesAtom.get().keys());
      const out = new Map<string, number>();
      for (const themeId of themeOf.values()) if (themeId) out.set(themeId, (out.get(themeId) ?? 0) + 1);
      return out;
    },
    [editor],
  );
  const badges = useValue(
    "theme badges",
    () => {
      editor.getCamera(); // re-run when the camera moves
      return editor
        .getCurrentPageShapes()
        .filter((s) => s.type === "frame")
        .map((frame) => {
          const bounds = editor.getShapePageBounds(frame)!;
          const point = editor.pageToViewport({ x: bounds.maxX, y: bounds.minY });
          return {
            id: frame.id,
            count: counts.get(frame.id) ?? 0,
            votes: votesAtom.get().get(frame.id) ?? 0,
            x: point.x,
            y: point.y,
          };
        });
    },
    [editor, counts],
  );
  return (
    <>
      {badges.map((b) => (
        <div
          key={b.id}
          className="atelier-theme-count"
          data-theme-id={b.id}
          style={{ left: b.x, top: b.y }}
          aria-label={t("board.themeCount", { count: b.count })}
        >
          {b.count}
          {b.votes > 0 ? <span className="atelier-theme-votes"> · ● {b.votes}</span> : null}
        </div>
      ))}
    </>
  );
}
