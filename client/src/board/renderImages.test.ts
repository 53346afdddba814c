import { describe, expect, it } from "vitest";
import type { Editor, TLShapeId } from "tldraw";
import { exportPieces } from "./renderImages.ts";

/** A page of top-level shapes, some of them frames holding children, as the editor answers about it. */
function page(shapes: { id: string; frame?: boolean; children?: number }[]) {
  const children = new Map<string, string[]>();
  for (const s of shapes)
    children.set(
      s.id,
      Array.from({ length: s.children ?? 0 }, (_, i) => `${s.id}-child-${i}`),
    );
  const frames = new Set(shapes.filter((s) => s.frame).map((s) => s.id));
  const editor = {
    getCurrentPageId: () => "page:1",
    getSortedChildIdsForParent: (parent: string) =>
      parent === "page:1" ? shapes.map((s) => s.id) : (children.get(parent) ?? []),
    getShapeAndDescendantIds: (ids: string[]) => new Set(ids.flatMap((id) => [id, ...(children.get(id) ?? [])])),
    getShape: (id: string) => ({ id }),
    isShapeFrameLike: (shape: { id: string }) => frames.has(shape.id),
  };
  return editor as unknown as Parameters<typeof exportPieces>[0] & Pick<Editor, "getShapeAndDescendantIds">;
}

const drawn = (editor: ReturnType<typeof page>, runs: TLShapeId[][]) =>
  runs.flatMap((run) => [...editor.getShapeAndDescendantIds(run)]);

describe("board image pieces", () => {
  it("cuts a day's board into pieces of bounded size, every shape once and in paint order", () => {
    const editor = page([
      { id: "label" },
      ...Array.from({ length: 20 }, (_, i) => ({ id: `theme-${i}`, frame: true, children: 50 })),
      { id: "arrow" },
      { id: "sketch" },
    ]);
    const runs = exportPieces(editor);
    expect(runs.length).toBeGreaterThan(10);
    const ids = drawn(editor, runs);
    // Once each: no shape is missing and none is drawn by two pieces.
    expect(ids).toHaveLength(1 + 20 * 51 + 2);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => !id.includes("-child-"))).toEqual([
      "label",
      ...Array.from({ length: 20 }, (_, i) => `theme-${i}`),
      "arrow",
      "sketch",
    ]);
  });

  it("never leaves a theme alone in its piece, where tldraw would drop its outline and title", () => {
    const editor = page([
      { id: "big-1", frame: true, children: 80 },
      { id: "empty", frame: true },
      { id: "big-2", frame: true, children: 80 },
      { id: "last-empty", frame: true },
    ]);
    const runs = exportPieces(editor);
    for (const run of runs) expect(run.length).toBeGreaterThan(1);
    expect(drawn(editor, runs)).toHaveLength(4 + 2 * 80);
    expect(drawn(editor, runs).filter((id) => !id.includes("-child-"))).toEqual([
      "big-1",
      "empty",
      "big-2",
      "last-empty",
    ]);
  });
});
