import type { SnapshotImage } from "../storage/storage.ts";

/**
 * The board images a facilitator's page renders and sends with a snapshot
 * or the close: checked here, before the room stores them with the
 * snapshot (rule D5).
 */

/** Largest board image the relay stores (a PNG at scale 1 of a full day is a few MB). */
export const MAX_IMAGE_BYTES = 25 * 1024 * 1024;

export class ImageError extends Error {}

/** Checks a PNG sent by a facilitator's page and reads its size from the IHDR chunk. */
export function pngImage(base64: string): SnapshotImage {
  const data = new Uint8Array(Buffer.from(base64, "base64"));
  const signature = [137, 80, 78, 71, 13, 10, 26, 10];
  if (data.length < 33 || data.length > MAX_IMAGE_BYTES || !signature.every((b, i) => data[i] === b)) {
    throw new ImageError("not a PNG image");
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return { format: "png", data, width: view.getUint32(16), height: view.getUint32(20) };
}

/** Checks an SVG and reads its size; it is served later with a sandboxing CSP. */
export function svgImage(text: string): SnapshotImage {
  const data = new TextEncoder().encode(text);
  const open = /<svg\b[^>]*>/.exec(text.slice(0, 4096));
  if (!open || data.length > MAX_IMAGE_BYTES) throw new ImageError("not an SVG image");
  const attr = (name: string) => Number(new RegExp(`\\b${name}="([\\d.]+)`).exec(open[0])?.[1] ?? 0);
  let width = attr("width");
  let height = attr("height");
  const viewBox = /viewBox="[-\d.]+\s+[-\d.]+\s+([\d.]+)\s+([\d.]+)"/.exec(open[0]);
  if ((!width || !height) && viewBox) [width, height] = [Number(viewBox[1]), Number(viewBox[2])];
  return { format: "svg", data, width: Math.round(width), height: Math.round(height) };
}
