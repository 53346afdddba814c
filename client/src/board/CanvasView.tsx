import { useMemo } from "react";
import {
  createTLStore,
  defaultBindingUtils,
  defaultShapeUtils,
  Tldraw,
  useTldrawCurrentUser,
  type Editor,
  type TLComponents,
} from "tldraw";
import { getAssetUrlsByImport } from "@tldraw/assets/imports.vite";
import "tldraw/tldraw.css";
import { lang } from "../i18n/index.ts";
import { bindStoreToYjs } from "./binding.ts";
import { AtelierNoteShapeUtil } from "./noteShape.tsx";
import { ThemeCounts } from "./ThemeCounts.tsx";

const shapeUtils = [...defaultShapeUtils, AtelierNoteShapeUtil];
// Fonts, icons and translations from our own build: no CDN (PRODUCT.md, decision 6).
const assetUrls = getAssetUrlsByImport();
const components: TLComponents = { InFrontOfTheCanvas: ThemeCounts };

/** tldraw bound to the board's `room` document; read-only for projectors. */
export function CanvasView(props: {
  doc: import("yjs").Doc;
  readOnly: boolean;
  licenseKey: string;
  userName: string;
  onMount(editor: Editor): void | (() => void);
}) {
  const store = useMemo(() => {
    const s = createTLStore({ shapeUtils, bindingUtils: defaultBindingUtils });
    bindStoreToYjs(s, props.doc, { readOnly: props.readOnly });
    return s;
  }, [props.doc, props.readOnly]);
  const user = useTldrawCurrentUser({
    userPreferences: { id: `atelier-${props.userName}`, name: props.userName, locale: lang() },
  });
  return (
    <Tldraw
      store={store}
      shapeUtils={shapeUtils}
      assetUrls={assetUrls}
      licenseKey={props.licenseKey || undefined}
      user={user}
      hideUi={props.readOnly}
      components={components}
      onMount={(editor) => {
        if (props.readOnly) editor.updateInstanceState({ isReadonly: true });
        return props.onMount(editor);
      }}
    />
  );
}
