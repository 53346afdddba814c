import { useEffect, useMemo, useRef, useState } from "react";
import { createShapeId, react, toRichText, type Editor, type TLShape, type TLShapeId } from "tldraw";
import { NEW_NOTES_AREA, readThemes, type CanvasRecord } from "@atelier/shared/document/canvas";
import { readNotes, type Presenting } from "@atelier/shared/document/docLayout";
import { t } from "../i18n/index.ts";
import type { BoardApi, BoardInfo } from "./api.ts";
import type { BoardSession } from "./session.ts";
import { CanvasView } from "./CanvasView.tsx";
import { ModerationPanel } from "./ModerationPanel.tsx";
import { reconcileNoteShapes } from "./noteShapes.ts";
import { publishView } from "./presence.ts";
import { PresentControl } from "./PresentControl.tsx";
import { defaultScreenName, savedScreenName, saveScreenName, screenId } from "./screenIdentity.ts";
import { awarenessAtom } from "./RemoteCursors.tsx";
import { renderBoardImages } from "./renderImages.ts";
import { useNotes, useSettings, useSignal } from "./hooks.ts";
import { SuggestionsPanel } from "./SuggestionsPanel.tsx";
import { acceptSuggestedTheme, placeIntoTheme, stackNotes } from "./curationActions.ts";

const INBOX_LABEL = "shape:atelier_inbox_label" as TLShapeId;

function frameName(frame: TLShape): string {
  return String((frame.props as { name?: string }).name ?? "");
}

export function FacilitatorBoard({ session, api, info }: { session: BoardSession; api: BoardApi; info: BoardInfo }) {
  const editorRef = useRef<Editor | null>(null);
  const settings = useSettings(session.room);
  const visible = useNotes(session.room);
  const inbox = useNotes(session.inbox);
  const doneCount = useSignal(session.room, "done");
  const voterCount = useSignal(session.room, "voters");
  const myScreenId = useMemo(() => screenId(), []);
  const [name, setName] = useState(savedScreenName);
  const nameRef = useRef(name);
  nameRef.current = name;
  const [selectedTheme, setSelectedTheme] = useState<TLShapeId | null>(null);
  const [presentError, setPresentError] = useState<string | null>(null);
  const awareness = session.roomProvider.awareness;

  useEffect(() => {
    if (editorRef.current) reconcileNoteShapes(editorRef.current, visible);
  }, [visible]);

  const onMount = (editor: Editor) => {
    editorRef.current = editor;
    reconcileNoteShapes(editor, readNotes(session.room));
    if (!editor.getShape(INBOX_LABEL)) {
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
    }
    // Open on the whole board, the inbox included (it lies left of the origin).
    editor.zoomToBounds(editor.getCurrentPageBounds() ?? { x: NEW_NOTES_AREA.x - 100, y: -200, w: 2400, h: 1400 }, {
      inset: 40,
    });
    awarenessAtom.set(awareness);
    const stopPublishing = publishView(
      editor,
      awareness,
      myScreenId,
      () => nameRef.current.trim() || defaultScreenName(awareness.clientID),
    );
    const stopSelection = react("selected theme", () => {
      const selected = editor.getSelectedShapes();
      const frame = selected.length === 1 && selected[0]!.type === "frame" ? selected[0]! : null;
      setSelectedTheme(frame ? frame.id : null);
    });
    return () => {
      stopPublishing();
      stopSelection();
      editorRef.current = null;
    };
  };

  const newTheme = (title: string) => {
    const editor = editorRef.current;
    if (!editor) return;
    const records = new Map(editor.store.allRecords().map((r) => [r.id, r as unknown as CanvasRecord]));
    const themes = readThemes(records);
    const x = themes.reduce((right, th) => Math.max(right, th.x + th.w + 60), 0);
    const id = createShapeId();
    editor.createShape({
      id,
      type: "frame",
      x,
      y: 0,
      props: { w: 700, h: 900, name: title || t("board.themeDefault", { n: themes.length + 1 }) },
    });
    editor.zoomToBounds(
      { x: NEW_NOTES_AREA.x - 100, y: -200, w: x + 900 - NEW_NOTES_AREA.x, h: 1300 },
      { animation: { duration: 300 } },
    );
  };

  const themeName = (frameId: string) => {
    const frame = editorRef.current?.getShape(frameId as TLShapeId);
    return frame ? frameName(frame) : undefined;
  };
  const presenting = settings.presenting;
  const presentingMine = presenting.mode !== "board" && presenting.screen === myScreenId;
  const choosePresenting = (next: Presenting) => {
    setPresentError(null);
    api
      .settings({ presenting: next })
      .catch((e: unknown) => setPresentError(t("board.actionFailed", { detail: String((e as Error).message ?? e) })));
  };

  const archive = async (
    kind: "snapshot" | "close",
    name: string,
    progress: (text: string, fraction?: number) => void,
  ) => {
    const editor = editorRef.current;
    if (!editor) return;
    progress(t("board.rendering"), 0);
    // Rendering is most of the wait: its pieces move the bar, the text stays until the upload.
    const images = await renderBoardImages(editor, (fraction) => progress(t("board.rendering"), fraction * 0.9));
    progress(t("board.uploading"), 0.9);
    if (kind === "close") await api.closeDay({ name, ...images });
    else await api.snapshot({ name, ...images });
    progress(t(kind === "close" ? "board.closed" : "board.snapshotDone"));
  };

  return (
    <div className="atelier-board">
      <main className="atelier-canvas">
        {presentingMine ? (
          <p className="atelier-presenting" data-testid="presenting-badge">
            {t("present.badge")}
          </p>
        ) : null}
        <CanvasView
          doc={session.room}
          readOnly={false}
          licenseKey={info.tldrawLicenseKey}
          userName="facilitator"
          onMount={onMount}
        />
      </main>
      <ModerationPanel
        api={api}
        settings={settings}
        visible={visible}
        inbox={inbox}
        joinUrl={info.participantUrl}
        joinCode={info.joinCode}
        onNewTheme={newTheme}
        onArchive={archive}
        clockOffset={info.clockOffset}
        doneCount={doneCount}
        voterCount={voterCount}
        suggestions={
          <SuggestionsPanel
            api={api}
            notes={visible}
            themeName={themeName}
            accept={(title, noteIds) => editorRef.current && acceptSuggestedTheme(editorRef.current, title, noteIds)}
            place={(noteIds, frameId) => editorRef.current && placeIntoTheme(editorRef.current, noteIds, frameId)}
            stack={(noteIds) => editorRef.current && stackNotes(editorRef.current, noteIds)}
            words={settings.curationWords}
          />
        }
        presentControl={
          <PresentControl
            presenting={presenting}
            myScreenId={myScreenId}
            awareness={awareness}
            selectedTheme={selectedTheme}
            themeName={themeName}
            choose={choosePresenting}
            error={presentError}
            name={name}
            setName={(next) => {
              setName(next);
              saveScreenName(next.trim());
            }}
          />
        }
      />
    </div>
  );
}
