import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { touchedTypes } from "./writeScope.ts";

/** The relay's copy and a facilitator's screen, in sync. */
function synced(): { relay: Y.Doc; screen: Y.Doc } {
  const relay = new Y.Doc();
  relay.getMap("notes").set("n1", { id: "n1", text: "Écouter les jeunes" });
  relay.getMap("settings").set("title", "Journée");
  const screen = new Y.Doc();
  Y.applyUpdate(screen, Y.encodeStateAsUpdate(relay));
  return { relay, screen };
}

/** What the screen would send for its next change. */
function nextUpdate(screen: Y.Doc, change: () => void): Uint8Array {
  const before = Y.encodeStateVector(screen);
  change();
  return Y.encodeStateAsUpdate(screen, before);
}

describe("[R7] which top-level types a screen's update writes", () => {
  it("names the canvas for a new post-it", () => {
    const { relay, screen } = synced();
    const update = nextUpdate(screen, () => screen.getArray("canvas").push([{ key: "shape:a", val: {} }]));
    expect(touchedTypes(relay, update)).toEqual(new Set(["canvas"]));
  });

  it("ignores what a sync step 2 resends of the relay's own notes and settings", () => {
    const { relay, screen } = synced();
    screen.getArray("canvas").push([{ key: "shape:a", val: {} }]);
    // A whole-state reply, as y-websocket sends on connect: notes included, unchanged.
    expect(touchedTypes(relay, Y.encodeStateAsUpdate(screen))).toEqual(new Set(["canvas"]));
  });

  it("names the notes for a note written or deleted over Yjs", () => {
    const { relay, screen } = synced();
    const write = nextUpdate(screen, () => screen.getMap("notes").set("n2", { id: "n2", text: "injecté" }));
    expect(touchedTypes(relay, write)).toEqual(new Set(["notes"]));
    const erase = nextUpdate(screen, () => screen.getMap("notes").delete("n1"));
    expect(touchedTypes(relay, erase)).toEqual(new Set(["notes"]));
  });

  it("follows an item inserted beside another to the type they share", () => {
    const { relay, screen } = synced();
    const canvas = screen.getArray("canvas");
    Y.applyUpdate(
      relay,
      nextUpdate(screen, () => canvas.push([1])),
    );
    // Inserted after item 1: Yjs writes its left neighbour, not its parent.
    const beside = nextUpdate(screen, () => canvas.insert(1, [2]));
    expect(touchedTypes(relay, beside)).toEqual(new Set(["canvas"]));
  });
});

describe("[R7] hostile shapes of an update", () => {
  it("follows a chain of 50,000 new items without exhausting the stack", () => {
    const { relay, screen } = synced();
    const update = nextUpdate(screen, () => {
      const canvas = screen.getArray("canvas");
      // Each inserted in front of the last: Yjs writes only its right neighbour, never its parent.
      screen.transact(() => {
        for (let i = 0; i < 50_000; i++) canvas.insert(0, [i]);
      });
    });
    expect(touchedTypes(relay, update)).toEqual(new Set(["canvas"]));
  });
});
