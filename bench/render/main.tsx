import { createRoot } from "react-dom/client";
import {
  createTLStore,
  defaultBindingUtils,
  defaultShapeUtils,
  Tldraw,
  toRichText,
  type Editor,
  type TLRecord,
  type TLShapeId,
} from "tldraw";
import { getAssetUrlsByImport } from "@tldraw/assets/imports.vite";
import "tldraw/tldraw.css";
import "../../client/src/board/board.css";
import { NEW_NOTES_AREA } from "@atelier/shared/document/canvas";
import { t } from "../../client/src/i18n/index.ts";
import {
  AtelierNoteShapeUtil,
  anonymousLabelAtom,
  boardChoicesAtom,
  notesAtom,
} from "../../client/src/board/noteShape.tsx";
import type { PlainBoardData } from "./fixture.ts";

/**
 * Plain tldraw holding the same records as an Atelier board, with no sync:
 * the same post-it shape util, the same page layout (canvas left of a
 * 340 px side panel, here empty) and the same opening camera as the
 * facilitator's page. `?board=<n>` loads `board-<n>.json` from next to it.
 */
const shapeUtils = [...defaultShapeUtils, AtelierNoteShapeUtil];
const assetUrls = getAssetUrlsByImport();
const INBOX_LABEL = "shape:atelier_inbox_label" as TLShapeId;

function onMount(editor: Editor): void {
  // What FacilitatorBoard's onMount does, minus the sync.
  editor.run(
    () =>
      editor.createShape({
        id: INBOX_LABEL,
        type: "text",
        x: NEW_NOTES_AREA.x,
        y: NEW_NOTES_AREA.y - 80,
        props: { richText: toRichText(t("board.inboxLabel")), size: "l" },
      }),
    { history: "ignore" },
  );
  editor.zoomToBounds(editor.getCurrentPageBounds() ?? { x: NEW_NOTES_AREA.x - 100, y: -200, w: 2400, h: 1400 }, {
    inset: 40,
  });
}

async function main(): Promise<void> {
  const name = new URLSearchParams(location.search).get("board") ?? "";
  const data = (await (await fetch(`./board-${name}.json`)).json()) as PlainBoardData;
  notesAtom.set(new Map(data.notes.map((n) => [n.id, n])));
  boardChoicesAtom.set(data.choices);
  anonymousLabelAtom.set(t("board.anonymous"));
  const store = createTLStore({ shapeUtils, bindingUtils: defaultBindingUtils });
  store.mergeRemoteChanges(() => store.put(data.records as unknown as TLRecord[]));
  createRoot(document.getElementById("app")!).render(
    <div className="atelier-board">
      <main className="atelier-canvas">
        <Tldraw store={store} shapeUtils={shapeUtils} assetUrls={assetUrls} onMount={onMount} />
      </main>
      <aside className="atelier-panel" />
    </div>,
  );
}

void main();
