import { useEffect, useState } from "react";
import { readNotes, readSettings, readVotes } from "@atelier/shared/document/docLayout";
import { isLoopback } from "@atelier/shared/wire/loopback";
import { lang, t } from "../i18n/index.ts";
import { boardApi, type BoardApi, type BoardInfo } from "./api.ts";
import { openBoardSession, type BoardSession } from "./session.ts";
import { onDocChange } from "./docChanges.ts";
import type { BoardRoute } from "./route.ts";
import { FacilitatorBoard } from "./FacilitatorBoard.tsx";
import { ProjectorBoard } from "./ProjectorBoard.tsx";
import { anonymousLabelAtom, boardChoicesAtom, maskTextsAtom, notesAtom, votesAtom } from "./noteShape.tsx";

/** Keeps the post-its' data (notes, prompts, categories) in step with the room document. */
function useNoteAtoms(session: BoardSession | null, role: BoardRoute["role"] | undefined): void {
  useEffect(() => {
    if (!session) return;
    const sync = () => {
      notesAtom.set(new Map(readNotes(session.room).map((n) => [n.id, n])));
      const { prompts, categories, phase, hideTextsUntilReveal } = readSettings(session.room);
      boardChoicesAtom.set({ prompts, categories });
      votesAtom.set(readVotes(session.room));
      // Only the projector masks texts: the facilitator must read what they group.
      maskTextsAtom.set(role === "projector" && hideTextsUntilReveal && phase === "collect");
    };
    anonymousLabelAtom.set(t("board.anonymous"));
    sync();
    return onDocChange(session.room, sync);
  }, [session, role]);
}

/** A board's connections and first request, started before the page renders anything. */
export interface BoardStart {
  route: BoardRoute;
  api: BoardApi;
  session: BoardSession;
  info: Promise<BoardInfo>;
}

/**
 * Opens the board's sockets and asks for its description at once: started
 * from the module rather than from a React effect, the handshakes overlap
 * React's first render and paint instead of following them.
 */
export function startBoard(route: BoardRoute): BoardStart {
  const api = boardApi(route.boardId, route.token);
  const info = api.info();
  // Handled where it is awaited; this only keeps an early refusal from being reported as unhandled.
  info.catch(() => undefined);
  return { route, api, session: openBoardSession(route), info };
}

export function BoardApp({ start }: { start: BoardStart | null }) {
  const route = start?.route ?? null;
  const api = start?.api ?? null;
  const [info, setInfo] = useState<BoardInfo | null>(null);
  const [session, setSession] = useState<BoardSession | null>(null);
  const [error, setError] = useState<string>(route ? "" : t("board.refused"));
  const [online, setOnline] = useState(true);

  useEffect(() => {
    if (!start) return;
    document.documentElement.lang = lang();
    let cancelled = false;
    const opened = start.session;
    opened.onRefused(() => setError(t("board.refused")));
    opened.onOnline(setOnline);
    Promise.all([start.info, opened.synced]).then(
      ([i]) => {
        if (cancelled) return;
        setInfo(i);
        setSession(opened);
        document.title = `${i.settings.title} · Atelier`;
      },
      () => setError(t("board.refused")),
    );
    return () => {
      cancelled = true;
      opened.destroy();
    };
  }, [start]);
  useNoteAtoms(session, route?.role);

  if (error)
    return (
      <p className="atelier-message" role="alert">
        {error}
      </p>
    );
  if (!route || !api || !info || !session) return <p className="atelier-message">{t("board.loading")}</p>;
  const needsKey = location.protocol === "https:" && !isLoopback(location.hostname) && !info.tldrawLicenseKey;
  return (
    <>
      {needsKey ? (
        <p className="atelier-licence" role="alert">
          {t("board.licenceMissing")}
        </p>
      ) : null}
      {online ? null : (
        <p className="atelier-offline" role="status" data-testid="board-offline">
          {t("board.offline")}
        </p>
      )}
      {route.role === "facilitator" ? (
        <FacilitatorBoard session={session} api={api} info={info} />
      ) : (
        <ProjectorBoard session={session} info={info} />
      )}
    </>
  );
}
