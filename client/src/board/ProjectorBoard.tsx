import { useEffect, useState } from "react";
import QRCode from "qrcode";
import type { Editor } from "tldraw";
import { t } from "../i18n/index.ts";
import type { BoardInfo } from "./api.ts";
import type { BoardSession } from "./session.ts";
import { CanvasView } from "./CanvasView.tsx";
import { followFacilitator } from "./follow.ts";
import { awarenessAtom } from "./RemoteCursors.tsx";
import { useNotes, useSettings } from "./hooks.ts";
import { useCountdown } from "./useCountdown.ts";

/** What the room sees: the board following the facilitator, the join code, the count. */
export function ProjectorBoard({ session, info }: { session: BoardSession; info: BoardInfo }) {
  const settings = useSettings(session.room);
  const notes = useNotes(session.room);
  const [showJoin, setShowJoin] = useState(true);
  const countdown = useCountdown(settings.timer, info.clockOffset);
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
          awarenessAtom.set(session.roomProvider.awareness);
          return followFacilitator(editor, session.roomProvider.awareness);
        }}
      />
      <div className="projector-bar">
        <span className="projector-title">{settings.title}</span>
        <span className="projector-phase">{t(`phase.${settings.phase}`)}</span>
        {countdown ? (
          <span className="projector-timer" role="timer" data-testid="projector-timer">
            {countdown}
          </span>
        ) : null}
        <span className="projector-count" data-testid="note-count">
          {t("board.notesCount", { count: notes.length })}
        </span>
        <button type="button" onClick={() => setShowJoin((v) => !v)} aria-pressed={showJoin}>
          {showJoin ? t("board.hideQr") : t("board.showQr")}
        </button>
      </div>
      {showJoin ? (
        <div className="projector-join" role="complementary">
          {qr ? <img src={qr} alt={t("new.qrAlt", { code: info.joinCode })} /> : null}
          <p className="projector-code">{info.joinCode}</p>
          <p>{info.participantUrl}</p>
        </div>
      ) : null}
    </div>
  );
}
