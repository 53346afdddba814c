/**
 * Control characters (except line breaks and tabs) and bidirectional
 * overrides are dropped: they can hide or reorder text on the projector.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFEFF]/g;

export function cleanText(input: string): string {
  return input.normalize("NFC").replace(/\r\n?/g, "\n").replace(UNSAFE, "").trim();
}

/** A label is one line: line breaks and tabs become spaces, runs collapse. */
export function cleanLabel(input: string): string {
  return cleanText(input).replace(/\s+/g, " ");
}

/** Length as a person counts it (code points, so an emoji is one). */
export function visibleLength(text: string): number {
  return [...text].length;
}
