import type { Editor, TLFontFace, TLShapeId } from "tldraw";

/**
 * Longest side of the board PNG: sharp when printed on A4/A3 and light to
 * store and send. A board drawn at one pixel per canvas unit is 11,000 px
 * wide by the end of a full day, and rasterising and compressing that took
 * most of a snapshot's time.
 */
const PNG_LONGEST_SIDE = 4096;
/** Below this scale a post-it's text (16 canvas units) would no longer read on paper. */
const MIN_READABLE_SCALE = 0.4;
/** The largest canvas every browser draws (Safari's area limit; 16,384 px a side elsewhere). */
const MAX_CANVAS_PIXELS = 16_777_216;
const MAX_CANVAS_SIDE = 16_384;
/** Margin around the board, in canvas units, as tldraw's own export. */
const PADDING = 32;
/**
 * Shapes (with their descendants) exported in one piece. tldraw renders an export as one
 * synchronous React render and Chromium rasterises an SVG in one task: a whole 1,000-note
 * board froze the facilitator's screen for most of a second, a piece of this size stays
 * within a frame or two.
 */
const SHAPES_PER_PIECE = 60;

/**
 * The PNG's pixels per canvas unit: at most 1, shrunk to fit the longest side unless text
 * would become unreadable, and never past what a browser's canvas can hold.
 */
function pngScale(width: number, height: number): number {
  const longest = Math.max(width, height);
  const wanted = Math.min(1, Math.max(PNG_LONGEST_SIDE / longest, MIN_READABLE_SCALE));
  return Math.min(wanted, Math.sqrt(MAX_CANVAS_PIXELS / (width * height)), MAX_CANVAS_SIDE / longest);
}

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

/**
 * The page's top-level shapes in paint order, cut into runs of about
 * SHAPES_PER_PIECE shapes counting descendants. A theme (a frame) stays whole
 * in one piece, so that its clipping and its post-its render as on the board.
 */
export function exportPieces(
  editor: Pick<
    Editor,
    "getSortedChildIdsForParent" | "getCurrentPageId" | "getShapeAndDescendantIds" | "getShape" | "isShapeFrameLike"
  >,
): TLShapeId[][] {
  const out: TLShapeId[][] = [];
  let current: TLShapeId[] = [];
  let size = 0;
  for (const id of editor.getSortedChildIdsForParent(editor.getCurrentPageId())) {
    const weight = editor.getShapeAndDescendantIds([id]).size;
    if (current.length > 0 && size + weight > SHAPES_PER_PIECE) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(id);
    size += weight;
  }
  if (current.length > 0) out.push(current);
  // tldraw exports a lone frame as a picture of its contents, without its outline and
  // title: a theme alone in its piece is named with one of its post-its (the same shapes
  // are drawn), and an empty one joins a neighbouring piece, in paint order.
  const result: TLShapeId[][] = [];
  for (let i = 0; i < out.length; i++) {
    const run = out[i]!;
    const only = run.length === 1 ? editor.getShape(run[0]!) : undefined;
    if (!only || !editor.isShapeFrameLike(only)) result.push(run);
    else {
      const child = editor.getSortedChildIdsForParent(only.id)[0];
      if (child) result.push([only.id, child]);
      else if (out[i + 1]) out[i + 1]!.unshift(only.id);
      else if (result.length > 0) result[result.length - 1]!.push(only.id);
      else result.push(run);
    }
  }
  return result;
}

/** The markup inside an SVG document's root element. */
function innerMarkup(svg: string): string {
  return svg.slice(svg.indexOf(">") + 1, svg.lastIndexOf("</svg>"));
}

function loadImage(svg: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error("board image piece failed to load"));
    // A data: URL, not a blob: one: Chromium taints the canvas for blob: SVGs holding <foreignObject>.
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  });
}

/**
 * tldraw puts the fonts a piece uses into the piece, as a <style> with the font file
 * inlined, and renders that in the page while it exports: each such rule made the browser
 * load the font again and lay the whole board out (about 200 ms a time with 1,000
 * post-its). While `run` makes the pieces, tldraw is handed empty font rules; `fontCss`
 * gives the real ones for every font asked for so far, to put back into the SVG text,
 * which the page never lays out.
 */
async function withFontsSetAside<T>(editor: Editor, run: (fontCss: () => Promise<string>) => Promise<T>): Promise<T> {
  const fonts = editor.fonts;
  const embed = fonts.toEmbeddedCssDeclaration;
  const asked = new Map<string, TLFontFace>();
  const css = new Map<string, string>();
  fonts.toEmbeddedCssDeclaration = async (font: TLFontFace) => {
    asked.set(JSON.stringify(font), font);
    return "";
  };
  const fontCss = async () => {
    for (const [key, font] of asked) if (!css.has(key)) css.set(key, await embed.call(fonts, font));
    return [...css.values()].join("\n");
  };
  try {
    return await run(fontCss);
  } finally {
    fonts.toEmbeddedCssDeclaration = embed;
  }
}

/** An SVG document with a style sheet added at the start of its root element. */
function withStyle(svg: string, css: string): string {
  if (!css) return svg;
  const open = svg.indexOf(">") + 1;
  return `${svg.slice(0, open)}<style><![CDATA[${css}]]></style>${svg.slice(open)}`;
}

/** Style sheets in exported markup, written out in full or self-closing when empty. */
const STYLE_SHEET = /<style\b[^>]*?(?:\/>|>[\s\S]*?<\/style>)/g;

/** One render at a time: two would each set the fonts aside, and the second would put back the first one's stand-in. */
let rendering: Promise<unknown> = Promise.resolve();

/**
 * The whole page as PNG (base64) and SVG, made with tldraw's own export, piece
 * by piece: every piece is exported over the same page bounds, so the pieces
 * stack into one SVG and are drawn one after the other onto one canvas, with a
 * frame let through between pieces so that the board keeps answering. `step`
 * reports progress from 0 to 1. If the browser cannot draw the PNG, the SVG is
 * still returned.
 */
export function renderBoardImages(
  editor: Editor,
  step: (fraction: number) => void = () => undefined,
): Promise<{ png?: string; svg?: string }> {
  const next = rendering.then(() => renderNow(editor, step));
  rendering = next.catch(() => undefined);
  return next;
}

async function renderNow(editor: Editor, step: (fraction: number) => void): Promise<{ png?: string; svg?: string }> {
  const bounds = editor.getCurrentPageBounds();
  const runs = exportPieces(editor);
  if (!bounds || runs.length === 0) return {};
  const width = bounds.width + 2 * PADDING;
  const height = bounds.height + 2 * PADDING;
  const scale = pngScale(width, height);
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const context = canvas.getContext("2d");
  if (context) context.imageSmoothingQuality = "high";
  let drawn = context !== null;

  let opening = "";
  const bodies: string[] = [];
  const styles = new Set<string>();
  const fonts = await withFontsSetAside(editor, async (fontCss) => {
    for (const [index, ids] of runs.entries()) {
      step(index / runs.length);
      await nextFrame();
      const piece = await editor.getSvgString(ids, { bounds, padding: PADDING, background: index === 0 });
      if (!piece) continue;
      if (!opening) opening = piece.svg.slice(0, piece.svg.indexOf(">") + 1);
      // Style sheets tldraw adds to every piece alike (emptied font rules among them) are kept once.
      bodies.push(
        innerMarkup(piece.svg).replace(STYLE_SHEET, (style) => {
          if (styles.has(style) || style.endsWith("/>") || /^<style[^>]*><\/style>$/.test(style)) return "";
          styles.add(style);
          return style;
        }),
      );
      if (!drawn) continue;
      try {
        const image = await loadImage(withStyle(piece.svg, await fontCss()));
        await nextFrame();
        context!.drawImage(image, 0, 0, canvas.width, canvas.height);
      } catch {
        drawn = false;
      }
    }
    return fontCss();
  });
  if (!opening) return {};
  step(1);
  await nextFrame();
  const svg = withStyle(`${opening}${bodies.join("")}</svg>`, fonts);
  // toBlob compresses off the main thread.
  const png = drawn ? await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/png")) : null;
  return { png: png ? await base64(png) : undefined, svg };
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
