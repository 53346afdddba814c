import { useEditor, useValue } from "tldraw";
import { t } from "../i18n/index.ts";
import { votesAtom } from "./noteShape.tsx";
import { themeNoteCounts } from "./themeFrame.tsx";

/** The live number of notes in each theme, drawn at the top right of its frame. */
export function ThemeCounts() {
  const editor = useEditor();
  // Counts change with shapes and notes only; panning must not recompute them.
  const counts = useValue("theme counts", () => themeNoteCounts(editor), [editor]);
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
