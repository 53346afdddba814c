import { useMemo, useSyncExternalStore } from "react";
import type * as Y from "yjs";
import {
  readNotes,
  readSettings,
  readVotes,
  ROOM,
  type BoardSettings,
  type NoteRecord,
} from "@atelier/shared/document/docLayout";
import { onDocChange } from "./docChanges.ts";

const versions = new WeakMap<Y.Doc, number>();

/** A number that changes whenever the document does: the dependency of the hooks below. */
function useDocVersion(doc: Y.Doc | null): number {
  return useSyncExternalStore(
    (onChange) => {
      if (!doc) return () => undefined;
      const bump = () => {
        versions.set(doc, (versions.get(doc) ?? 0) + 1);
        onChange();
      };
      return onDocChange(doc, bump);
    },
    () => (doc ? (versions.get(doc) ?? 0) : 0),
  );
}

export function useNotes(doc: Y.Doc | null): NoteRecord[] {
  const version = useDocVersion(doc);
  return useMemo(() => (doc ? readNotes(doc) : []), [doc, version]);
}

export function useSettings(doc: Y.Doc): BoardSettings {
  const version = useDocVersion(doc);
  return useMemo(() => readSettings(doc), [doc, version]);
}

/** A count the relay keeps in the room document: participants done, participants who voted. */
export function useSignal(doc: Y.Doc, name: "done" | "voters"): number {
  const version = useDocVersion(doc);
  return useMemo(() => {
    const value = doc.getMap(ROOM.signals).get(name);
    return typeof value === "number" ? value : 0;
  }, [doc, name, version]);
}

export function useVotes(doc: Y.Doc): Map<string, number> {
  const version = useDocVersion(doc);
  return useMemo(() => readVotes(doc), [doc, version]);
}
