import { FrameShapeUtil, type Editor, type SvgExportContext, type TLFrameShape } from "tldraw";
import { themeOfNotes, type CanvasRecord } from "@atelier/shared/document/canvas";
import { t } from "../i18n/index.ts";
import { notesAtom, votesAtom } from "./noteShape.tsx";

/** Notes per theme frame, as the live badges count them (centre of the post-it inside the smallest frame). */
export function themeNoteCounts(editor: Editor): Map<string, number> {
  const records = new Map(
    editor.store.query
      .records("shape")
      .get()
      .map((r) => [r.id, r as unknown as CanvasRecord]),
  );
  const out = new Map<string, number>();
  for (const themeId of themeOfNotes(records, notesAtom.get().keys()).values())
    if (themeId) out.set(themeId, (out.get(themeId) ?? 0) + 1);
  return out;
}

/**
 * A theme's frame whose exported image carries its live count (and its
 * dot-vote total), as the badge on the screens does: the board image kept
 * at a snapshot or at the close then reads on its own.
 */
export class ThemeFrameShapeUtil extends FrameShapeUtil {
  override toSvg(shape: TLFrameShape, ctx: SvgExportContext) {
    const count = themeNoteCounts(this.editor).get(shape.id) ?? 0;
    const votes = votesAtom.get().get(shape.id) ?? 0;
    const label = t("board.themeCount", { count }) + (votes > 0 ? ` · ● ${votes}` : "");
    const width = 24 + label.length * 10;
    return (
      <>
        {super.toSvg(shape, ctx)}
        <g transform={`translate(${shape.props.w - width}, -38)`} data-theme-count={count}>
          <rect width={width} height={30} rx={15} fill="#2d4bb3" />
          <text
            x={width / 2}
            y={21}
            textAnchor="middle"
            fontFamily="sans-serif"
            fontSize={17}
            fontWeight={700}
            fill="#fff"
          >
            {label}
          </text>
        </g>
      </>
    );
  }
}
