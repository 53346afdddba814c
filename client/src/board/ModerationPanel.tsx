import { useRef, useState, type ReactNode } from "react";
import type { NoteRecord } from "@atelier/shared/document/docLayout";
import type { BoardSettings } from "@atelier/shared/document/docLayout";
import { t } from "../i18n/index.ts";
import type { BoardApi } from "./api.ts";
import { FacilitationControls } from "./FacilitationControls.tsx";
import type { NoteFlag } from "@atelier/shared/wire/boardSchemas";
import { flaggedParts, useNoteFlags } from "./noteFlags.ts";

interface Props {
  api: BoardApi;
  settings: BoardSettings;
  visible: NoteRecord[];
  inbox: NoteRecord[];
  joinUrl: string;
  joinCode: string;
  onNewTheme(title: string): void;
  /**
   * Renders the board and archives it; `close` also locks submissions.
   * `progress` takes the stage's text and, while it works, how far it is (0 to 1).
   */
  onArchive(
    kind: "snapshot" | "close",
    name: string,
    progress: (text: string, fraction?: number) => void,
  ): Promise<void>;
  clockOffset: number;
  doneCount: number;
  voterCount: number;
  /** What the room's screen shows (PresentControl). */
  presentControl: ReactNode;
  /** Theme suggestions (SuggestionsPanel). */
  suggestions: ReactNode;
}

/** The facilitator's side panel: state of the day, themes, and the approval queue. */
export function ModerationPanel(props: Props) {
  const { api, settings, visible, inbox, joinUrl, joinCode, onNewTheme, onArchive } = props;
  const [error, setError] = useState("");
  const [progress, setProgress] = useState("");
  const [fraction, setFraction] = useState<number | undefined>(undefined);
  const [snapshotName, setSnapshotName] = useState("");
  const archive = (kind: "snapshot" | "close", name: string) => {
    setError("");
    const report = (text: string, done?: number) => {
      setProgress(text);
      setFraction(done);
    };
    onArchive(kind, name, report).catch((e: unknown) => {
      report("");
      setError(t("board.actionFailed", { detail: String((e as Error).message ?? e) }));
    });
  };
  const [themeTitle, setThemeTitle] = useState("");
  const flags = useNoteFlags(api, [...inbox, ...visible]);
  const held = (n: NoteRecord) => flags.get(n.id)?.some((f) => f.confidence === "sure") ?? false;
  // Notes held back for an identifying detail come first: they are why the room waits.
  const pending = inbox.filter((n) => n.status === "pending").sort((a, b) => Number(held(b)) - Number(held(a)));
  const toReview = pending.filter(held).length;
  const hidden = inbox.filter((n) => n.status === "hidden");
  const act = (action: () => Promise<unknown>) => {
    setError("");
    action().catch((e: unknown) => setError(t("board.actionFailed", { detail: String((e as Error).message ?? e) })));
  };
  const locked = settings.submissions === "locked";
  const controlled = settings.moderation === "controlled";

  return (
    <aside className="atelier-panel" aria-label={t("board.panel")}>
      <h1>{settings.title}</h1>
      <p className="muted">{t("board.join", { url: joinUrl, code: joinCode })}</p>
      <p role="status" data-testid="counts">
        {t("board.counts", { visible: visible.length, pending: pending.length, hidden: hidden.length })}
      </p>
      {toReview > 0 ? (
        <p className="flag-summary" data-testid="to-review">
          {t("board.toReview", { count: toReview })}
        </p>
      ) : null}
      {props.presentControl}
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      <div className="panel-actions">
        <button
          type="button"
          aria-pressed={locked}
          onClick={() => act(() => api.settings({ submissions: locked ? "open" : "locked" }))}
        >
          {locked ? t("board.unlock") : t("board.lock")}
        </button>
        <button
          type="button"
          aria-pressed={controlled}
          onClick={() => act(() => api.settings({ moderation: controlled ? "open" : "controlled" }))}
        >
          {controlled ? t("board.makeOpen") : t("board.makeControlled")}
        </button>
        <p className="muted">{controlled ? t("board.controlledOn") : t("board.controlledOff")}</p>
      </div>

      <FacilitationControls
        api={api}
        settings={settings}
        clockOffset={props.clockOffset}
        doneCount={props.doneCount}
        voterCount={props.voterCount}
        act={act}
      />

      {props.suggestions}

      <form
        className="panel-theme"
        onSubmit={(e) => {
          e.preventDefault();
          onNewTheme(themeTitle.trim());
          setThemeTitle("");
        }}
      >
        <label htmlFor="theme-title">{t("board.themeName")}</label>
        <input id="theme-title" value={themeTitle} onChange={(e) => setThemeTitle(e.target.value)} maxLength={80} />
        <button type="submit">{t("board.newTheme")}</button>
      </form>

      <form
        className="panel-theme"
        onSubmit={(e) => {
          e.preventDefault();
          archive("snapshot", snapshotName.trim());
          setSnapshotName("");
        }}
      >
        <label htmlFor="snapshot-name">{t("board.snapshotName")}</label>
        <input
          id="snapshot-name"
          value={snapshotName}
          onChange={(e) => setSnapshotName(e.target.value)}
          maxLength={80}
        />
        <button type="submit">{t("board.snapshot")}</button>
        <button
          type="button"
          onClick={() => confirm(t("board.closeConfirm")) && archive("close", t("archive.kind.close"))}
        >
          {t("board.close")}
        </button>
        <p role="status" aria-live="polite" className="muted" data-testid="archive-progress">
          {progress}
        </p>
        {fraction !== undefined ? (
          <progress max={1} value={fraction} aria-label={progress} data-testid="archive-progress-bar" />
        ) : null}
      </form>

      <NoteList
        title={t("board.pending")}
        empty={t("board.noPending")}
        notes={pending}
        api={api}
        act={act}
        actions={["approve", "hide"]}
        flags={flags}
      />
      <NoteList
        title={t("board.visible")}
        empty={t("board.noVisible")}
        notes={visible}
        latest={VISIBLE_SHOWN}
        api={api}
        act={act}
        actions={["hide"]}
        flags={flags}
      />
      <NoteList
        title={t("board.hidden")}
        empty={t("board.noHidden")}
        notes={hidden}
        api={api}
        act={act}
        actions={["unhide"]}
        flags={flags}
      />
    </aside>
  );
}

/**
 * Visible notes listed at first: the latest ones, which the facilitator may still want to
 * hide. The post-its are the board; a list of every one of a 1,000-note day made the page
 * build and lay out 5,000 more elements as it opened.
 */
const VISIBLE_SHOWN = 50;

function NoteList(props: {
  title: string;
  empty: string;
  notes: NoteRecord[];
  /** Show only this many of the latest notes until asked for the earlier ones. */
  latest?: number;
  api: BoardApi;
  act(action: () => Promise<unknown>): void;
  actions: ("approve" | "hide" | "unhide")[];
  flags?: Map<string, NoteFlag[]>;
}) {
  const [editing, setEditing] = useState<string | null>(null);
  const [text, setText] = useState("");
  const [showAll, setShowAll] = useState(false);
  const labels = { approve: t("board.approve"), hide: t("board.hide"), unhide: t("board.unhide") };
  const list = useRef<HTMLUListElement>(null);
  const cut = showAll || props.latest === undefined ? 0 : Math.max(0, props.notes.length - props.latest);
  // A note being edited stays in the list, even once newer notes push it past the latest ones.
  const shown = cut > 0 ? props.notes.filter((note, i) => i >= cut || note.id === editing) : props.notes;
  const earlier = props.notes.length - shown.length;
  const showEarlier = () => {
    setShowAll(true);
    // The button goes away: keyboard focus moves to the first note instead of the page's start.
    requestAnimationFrame(() => list.current?.querySelector<HTMLElement>("li")?.focus());
  };
  return (
    <section className="panel-list">
      <h2>
        {props.title} ({props.notes.length})
      </h2>
      {props.notes.length === 0 ? <p className="muted">{props.empty}</p> : null}
      {earlier > 0 ? (
        <button type="button" onClick={showEarlier}>
          {t("board.showEarlier", { count: earlier })}
        </button>
      ) : null}
      <ul ref={list}>
        {shown.map((note) => (
          <li key={note.id} data-note-id={note.id} tabIndex={-1}>
            {editing === note.id ? (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  props.act(() => props.api.moderate(note.id, { action: "edit", text }).then(() => setEditing(null)));
                }}
              >
                <textarea
                  aria-label={t("board.edit")}
                  value={text}
                  onChange={(e) => setText(e.target.value)}
                  rows={3}
                />
                <button type="submit">{t("board.save")}</button>
                <button type="button" onClick={() => setEditing(null)}>
                  {t("board.cancel")}
                </button>
              </form>
            ) : (
              <>
                <NoteText text={note.text} flags={props.flags?.get(note.id) ?? []} />
                <p className="muted">{note.author || t("board.anonymous")}</p>
                {props.actions.includes("approve") && (props.flags?.get(note.id)?.length ?? 0) > 0 ? (
                  <button
                    type="button"
                    className="primary"
                    onClick={() => {
                      // The relay finds the details again on the stored text, replaces them and approves.
                      props.act(() => props.api.moderate(note.id, { action: "redact" }));
                    }}
                  >
                    {t("board.redactApprove")}
                  </button>
                ) : null}
                {props.actions.map((action) => (
                  <button
                    key={action}
                    type="button"
                    onClick={() => props.act(() => props.api.moderate(note.id, { action }))}
                  >
                    {labels[action]}
                  </button>
                ))}
                <button
                  type="button"
                  onClick={() => {
                    setEditing(note.id);
                    setText(note.text);
                  }}
                >
                  {t("board.edit")}
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A note's text with its identifying details marked and named (for screen readers too). */
function NoteText({ text, flags }: { text: string; flags: NoteFlag[] }) {
  if (flags.length === 0) return <p className="note-text">{text}</p>;
  return (
    <p className="note-text">
      {flaggedParts(text, flags).map((part, i) =>
        part.flag ? (
          <mark key={i} className={`flag flag-${part.flag.confidence}`} title={t(`flag.kind.${part.flag.kind}`)}>
            {part.text}
            <span className="visually-hidden">
              {" "}
              ({t(`flag.kind.${part.flag.kind}`)}
              {part.flag.confidence === "sure" ? `, ${t("flag.holds")}` : ""})
            </span>
          </mark>
        ) : (
          <span key={i}>{part.text}</span>
        ),
      )}
    </p>
  );
}
