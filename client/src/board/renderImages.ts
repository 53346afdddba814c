import type { Editor } from "tldraw";

/** The whole page as PNG (base64) and SVG, made with tldraw's own export. */
export async function renderBoardImages(editor: Editor): Promise<{ png?: string; svg?: string }> {
  const ids = [...editor.getCurrentPageShapeIds()];
  if (ids.length === 0) return {};
  const options = { background: true, padding: 32 };
  const svg = await editor.getSvgString(ids, options);
  // pixelRatio 1: tldraw's default of 2 makes a full day's board hit the browser's canvas limit.
  const png = await editor.toImage(ids, { ...options, format: "png", scale: 1, pixelRatio: 1 });
  const bytes = new Uint8Array(await png.blob.arrayBuffer());
  let binary = "";
  // Chunked: String.fromCharCode(...bytes) overflows the stack on a large image.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { png: btoa(binary), svg: svg?.svg };
}
