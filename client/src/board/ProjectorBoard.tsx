import { useEffect, useRef, useState } from "react";
import QRCode from "qrcode";
import type { Editor } from "tldraw";
import { t } from "../i18n/index.ts";
import type { BoardInfo } from "./api.ts";
import type { BoardSession } from "./session.ts";
import { CanvasView } from "./CanvasView.tsx";
import { driveProjectorCamera } from "./projectorCamera.ts";
import { reconcileNoteShapes } from "./noteShapes.ts";
import { awarenessAtom } from "./RemoteCursors.tsx";
import { useNotes, useSettings, useSignal } from "./hooks.ts";
import { voteTotalsHidden } from "@atelier/shared/document/docLayout";
import { useCountdownChime } from "./countdownChime.ts";
import { useCountdown } from "./useCountdown.ts";

/** What the room sees: the board as the facilitator chose to present it, the join code, the count. */
export function ProjectorBoard({ session, info }: { session: BoardSession; info: BoardInfo }) {
  const settings = useSettings(session.room);
  const notes = useNotes(session.room);
  const editorRef = useRef<Editor | null>(null);
  const barRef = useRef<HTMLDivElement | null>(null);
  const joinRef = useRef<HTMLDivElement | null>(null);
  useEffect(() => {
    if (editorRef.current) reconcileNoteShapes(editorRef.current, notes);
  }, [notes]);
  /** The screen the overlays leave free: the join panel on the right, the bar at the bottom. */
  const freeArea = () => {
    const width = innerWidth;
    const bar = barRef.current?.getBoundingClientRect();
    const join = joinRef.current?.getBoundingClientRect();
    return { x: 0, y: 0, w: join ? join.left : width, h: bar ? bar.top : innerHeight };
  };
  const [showJoin, setShowJoin] = useState(true);
  const countdown = useCountdown(settings.timer, info.clockOffset);
  const chime = useCountdownChime(settings.timer, info.clockOffset, settings.countdownSound);
  const voterCount = useSignal(session.room, "voters");
  const [qr, setQr] = useState("");

  useEffect(() => {
    void QRCode.toDataURL(info.participantUrl, { margin: 1, width: 480 }).then(setQr);
  }, [info.participantUrl]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "q" || e.key === "Q") setShowJoin((v) => !v);
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);

  return (
    <div className="atelier-projector">
      <CanvasView
        doc={session.room}
        readOnly
        licenseKey={info.tldrawLicenseKey}
        userName="projector"
        onMount={(editor: Editor) => {
          editorRef.current = editor;
          awarenessAtom.set(session.roomProvider.awareness);
          reconcileNoteShapes(editor, notes);
          const stop = driveProjectorCamera(editor, session.roomProvider.awareness, session.room, freeArea);
          return () => {
            stop();
            editorRef.current = null;
          };
        }}
      />
      <div className="projector-bar" ref={barRef}>
        <span className="projector-title">{settings.title}</span>
        <span className="projector-phase">{t(`phase.${settings.phase}`)}</span>
        {countdown ? (
          <span className="projector-timer" role="timer" data-testid="projector-timer">
            {countdown}
          </span>
        ) : null}
        {voteTotalsHidden(settings) ? (
          <span className="projector-voters" role="status" data-testid="projector-voters">
            {t("board.votersHidden", { count: voterCount })}
          </span>
        ) : null}
        <span className="projector-count" data-testid="note-count">
          {t("board.notesCount", { count: notes.length })}
        </span>
        {chime.needsGesture ? (
          <button type="button" onClick={chime.activate}>
            {t("board.enableSound")}
          </button>
        ) : null}
        <button type="button" onClick={() => setShowJoin((v) => !v)} aria-pressed={showJoin}>
          {showJoin ? t("board.hideQr") : t("board.showQr")}
        </button>
      </div>
      {showJoin ? (
        <div className="projector-join" role="complementary" ref={joinRef}>
          {qr ? <img src={qr} alt={t("new.qrAlt", { code: info.joinCode })} /> : null}
          <p className="projector-code">{info.joinCode}</p>
          <p>{info.participantUrl}</p>
        </div>
      ) : null}
    </div>
  );
}
