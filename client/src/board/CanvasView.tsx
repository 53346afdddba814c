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
import { lang, t } from "../i18n/index.ts";
import { bindStoreToYjs, NewerBoardSchemaError } from "./binding.ts";
import { AtelierNoteShapeUtil } from "./noteShape.tsx";
import { ThemeFrameShapeUtil } from "./themeFrame.tsx";
import { ThemeCounts } from "./ThemeCounts.tsx";
import { RemoteCursors } from "./RemoteCursors.tsx";

// Frames are themes: ours draws the theme's count into exported images.
const shapeUtils = [...defaultShapeUtils.filter((u) => u.type !== "frame"), ThemeFrameShapeUtil, AtelierNoteShapeUtil];
// Fonts, icons and translations from our own build: no CDN, no third-party request (docs/THREAT_MODEL.md).
const assetUrls = getAssetUrlsByImport();
function InFront() {
  return (
    <>
      <ThemeCounts />
      <RemoteCursors />
    </>
  );
}
const components: TLComponents = { InFrontOfTheCanvas: InFront };

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
    try {
      bindStoreToYjs(s, props.doc, { readOnly: props.readOnly });
    } catch (error) {
      // A board saved by a newer Atelier: say so rather than show (or write) a broken board.
      if (error instanceof NewerBoardSchemaError) return null;
      throw error;
    }
    return s;
  }, [props.doc, props.readOnly]);
  const user = useTldrawCurrentUser({
    userPreferences: { id: `atelier-${props.userName}`, name: props.userName, locale: lang() },
  });
  if (!store) {
    return (
      <p className="atelier-message" role="alert">
        {t("board.newerSchema")}
      </p>
    );
  }
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
