import type { Editor, TLShapeId } from "tldraw";
import type { Awareness } from "y-protocols/awareness";
import type * as Y from "yjs";
import { PRESENTER_GRACE_MS, readSettings, type Presenting } from "@atelier/shared/document/docLayout";
import { viewOfScreen } from "./presence.ts";
import { onDocChange } from "./docChanges.ts";

type Box = { x: number; y: number; w: number; h: number };

/** Margin around what the projector fits, in screen pixels. */
const MARGIN = 48;
/** The whole board is refitted at most this often: 50 notes in a second make one move, not 50. */
const BOARD_REFIT_MS = 1_000;
/** Largest zoom when fitting: two post-its must not fill a wall. */
const MAX_FIT_ZOOM = 1.5;

/**
 * Drives the projector's camera from the board's `presenting` setting:
 * the whole board (default), one facilitator screen's view, or one theme.
 * `freeArea` is the part of the screen the overlays (join panel, bar) leave
 * uncovered, in screen pixels: what is fitted must be readable, not hidden
 * behind the QR code.
 */
export function driveProjectorCamera(
  editor: Editor,
  awareness: Awareness,
  room: Y.Doc,
  freeArea: () => Box,
): () => void {
  let presenting: Presenting = readSettings(room).presenting;
  let lastKey = "";
  let lastBoardFit = 0;
  let presenterSeenAt = Date.now();

  const target = (now: number): { box: Box; maxZoom: number; throttle: boolean } | null => {
    if (presenting.mode !== "board") {
      const view = viewOfScreen(awareness, presenting.screen);
      if (view) presenterSeenAt = now;
      const present = view !== undefined || now - presenterSeenAt < PRESENTER_GRACE_MS;
      if (presenting.mode === "screen") {
        if (view) return { box: view, maxZoom: 8, throttle: false };
        // Gone (closed, or reloading): hold the last view a moment, then the whole board.
        if (present) return null;
      }
      if (presenting.mode === "theme" && present) {
        const frame = editor.getShapePageBounds(presenting.frame as TLShapeId);
        if (frame) return { box: frame, maxZoom: 4, throttle: false };
      }
    }
    const board = editor.getCurrentPageBounds();
    return board ? { box: board, maxZoom: MAX_FIT_ZOOM, throttle: true } : null;
  };

  const apply = (animate: boolean) => {
    const now = Date.now();
    const next = target(now);
    if (!next) return;
    const area = freeArea();
    const key = JSON.stringify([next.box, area].map((b) => [b.x, b.y, b.w, b.h].map(Math.round)));
    if (key === lastKey) return;
    if (next.throttle && animate && now - lastBoardFit < BOARD_REFIT_MS) return;
    if (next.throttle) lastBoardFit = now;
    lastKey = key;
    const { box } = next;
    const z = Math.min(
      next.maxZoom,
      Math.max(0.02, Math.min((area.w - 2 * MARGIN) / Math.max(box.w, 1), (area.h - 2 * MARGIN) / Math.max(box.h, 1))),
    );
    // tldraw maps page to screen as (page + camera) × zoom: centre the box in the free area.
    const camera = {
      x: (area.x + area.w / 2) / z - (box.x + box.w / 2),
      y: (area.y + area.h / 2) / z - (box.y + box.h / 2),
      z,
    };
    editor.setCamera(camera, animate ? { animation: { duration: 400 } } : undefined);
  };

  const onSettings = () => {
    const next = readSettings(room).presenting;
    if (JSON.stringify(next) === JSON.stringify(presenting)) return;
    presenting = next;
    presenterSeenAt = Date.now();
    lastKey = "";
    apply(true);
  };
  const onAwareness = () => {
    if (presenting.mode !== "board") apply(true);
  };
  const stopWatching = onDocChange(room, onSettings);
  awareness.on("change", onAwareness);
  // Shapes arrive and move, frames grow, overlays open and close: a light poll catches all of them.
  const timer = setInterval(() => apply(true), 250);
  apply(false);
  return () => {
    clearInterval(timer);
    stopWatching();
    awareness.off("change", onAwareness);
  };
}
