import { useEffect, useRef, useState } from "react";
import type { NoteRecord } from "@atelier/shared/document/docLayout";
import type { NoteFlag } from "@atelier/shared/wire/boardSchemas";
import type { BoardApi } from "./api.ts";

/**
 * Identifying details the relay found in the board's notes (rule P4),
 * fetched again when notes change: the relay holds the name lists and the
 * phone-number parser, so the board page stays light.
 */
export function useNoteFlags(api: BoardApi, notes: NoteRecord[]): Map<string, NoteFlag[]> {
  const [flags, setFlags] = useState(new Map<string, NoteFlag[]>());
  const last = useRef(0);
  // Texts and ids only: moving a post-it does not change what it says.
  const key = notes.map((n) => `${n.id}:${n.updatedAt}`).join("|");
  useEffect(() => {
    let cancelled = false;
    // At most one request a second, even while notes keep arriving (a debounce would wait for silence).
    const wait = Math.max(0, last.current + 1000 - Date.now());
    const timer = setTimeout(() => {
      last.current = Date.now();
      api.flags().then(
        ({ flags: list }) => {
          if (cancelled) return;
          const byNote = new Map<string, NoteFlag[]>();
          for (const flag of list) byNote.set(flag.noteId, [...(byNote.get(flag.noteId) ?? []), flag]);
          setFlags(byNote);
        },
        // Kept as it was: the next change of notes asks again.
        () => undefined,
      );
    }, wait);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, key]);
  return flags;
}

/** The text cut into plain parts and flagged parts, for highlighting. */
export function flaggedParts(text: string, flags: NoteFlag[]): { text: string; flag: NoteFlag | null }[] {
  const parts: { text: string; flag: NoteFlag | null }[] = [];
  let at = 0;
  for (const flag of [...flags].sort((a, b) => a.start - b.start)) {
    if (flag.start < at || text.slice(flag.start, flag.end) !== flag.text) continue;
    if (flag.start > at) parts.push({ text: text.slice(at, flag.start), flag: null });
    parts.push({ text: flag.text, flag });
    at = flag.end;
  }
  if (at < text.length) parts.push({ text: text.slice(at), flag: null });
  return parts;
}
