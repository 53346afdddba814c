import { getSvgAsImage, type Editor } from "tldraw";

/**
 * Longest side of the board PNG: sharp when printed on A4/A3 and light to
 * store and send. A board drawn at one pixel per canvas unit is 11,000 px
 * wide by the end of a full day, and rasterising and compressing that took
 * most of a snapshot's time.
 */
const PNG_LONGEST_SIDE = 4096;
/** Below this scale a post-it's text (16 canvas units) would no longer read on paper. */
const MIN_READABLE_SCALE = 0.4;

/** The PNG's pixels per canvas unit: at most 1, shrunk to fit the longest side unless text would become unreadable. */
function pngScale(width: number, height: number): number {
  const longest = Math.max(width, height);
  return Math.min(1, Math.max(PNG_LONGEST_SIDE / longest, MIN_READABLE_SCALE));
}

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

/**
 * The whole page as PNG (base64) and SVG, made with tldraw's own export.
 * The SVG is built once and the PNG rasterised from it; `step` reports
 * progress, and a frame is let through between stages so that the board
 * keeps answering while the images are made.
 */
export async function renderBoardImages(
  editor: Editor,
  step: (stage: "svg" | "png" | "encode") => void = () => undefined,
): Promise<{ png?: string; svg?: string }> {
  const ids = [...editor.getCurrentPageShapeIds()];
  if (ids.length === 0) return {};
  step("svg");
  await nextFrame();
  const svg = await editor.getSvgString(ids, { background: true, padding: 32 });
  if (!svg) return {};
  step("png");
  await nextFrame();
  const png = await getSvgAsImage(svg.svg, {
    type: "png",
    width: svg.width,
    height: svg.height,
    pixelRatio: pngScale(svg.width, svg.height),
  });
  step("encode");
  await nextFrame();
  return { png: png ? await base64(png) : undefined, svg: svg.svg };
}

/** A blob as base64, read by the browser off the main thread (no string built byte by byte). */
function base64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}
