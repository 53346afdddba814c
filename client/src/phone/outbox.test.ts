import { describe, expect, it } from "vitest";
import { Outbox } from "./outbox.ts";

function memoryStorage() {
  const map = new Map<string, string>();
  return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
}

const draft = { id: "note-1-aaaaaaaa", text: "Bonjour", prompt: "p1", category: "", author: "" };

describe("Outbox", () => {
  it("keeps a queued note across a reload until it is acknowledged", () => {
    const storage = memoryStorage();
    new Outbox(storage, "k").add({ op: "submit", draft }, 1);
    const reloaded = new Outbox(storage, "k");
    expect(reloaded.pending).toEqual([{ op: "submit", draft }]);
    expect(reloaded.notes[0]).toMatchObject({ id: draft.id, state: "outbox" });
    reloaded.acknowledged("submit", { ...draft, createdAt: 5, state: "shown" });
    const again = new Outbox(storage, "k");
    expect(again.pending).toEqual([]);
    expect(again.notes[0]).toMatchObject({ id: draft.id, state: "shown" });
  });

  it("does not let the relay's older view overwrite a change still waiting to be sent", () => {
    const box = new Outbox(memoryStorage(), "k");
    box.add({ op: "edit", draft: { ...draft, text: "Nouveau texte" } });
    box.merge([{ ...draft, createdAt: 1, state: "shown" }]);
    expect(box.notes[0]).toMatchObject({ text: "Nouveau texte", state: "outbox" });
  });

  it("marks a refused submission with its reason and stops resending it", () => {
    const box = new Outbox(memoryStorage(), "k");
    box.add({ op: "submit", draft });
    box.refused("submit", draft.id, "text_too_long");
    expect(box.pending).toEqual([]);
    expect(box.notes[0]).toMatchObject({ state: "refused", reason: "text_too_long" });
  });

  it("survives a corrupt stored value", () => {
    const storage = memoryStorage();
    storage.setItem("k", "{not json");
    expect(new Outbox(storage, "k").notes).toEqual([]);
  });
});
