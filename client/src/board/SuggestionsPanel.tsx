import { useState } from "react";
import type { NoteRecord } from "@atelier/shared/document/docLayout";
import type { SuggestionsResponse } from "@atelier/shared/wire/boardSchemas";
import { t } from "../i18n/index.ts";
import type { BoardApi } from "./api.ts";

/** The relay's bound on `?themes=`. */
const MAX_THEMES = 30;

/**
 * "Suggérer des thèmes": a preview the facilitator works through. Nothing
 * reaches the canvas until a theme is accepted; more or fewer themes asks
 * the relay again (a few milliseconds); rejected suggestions leave the list.
 */
export function SuggestionsPanel(props: {
  api: BoardApi;
  notes: NoteRecord[];
  themeName(frameId: string): string | undefined;
  accept(title: string, noteIds: string[]): void;
  place(noteIds: string[], frameId: string): void;
  stack(noteIds: string[]): void;
  /** The board's own words (settings.curationWords). */
  words: { form: string; theme: string }[];
}) {
  const [result, setResult] = useState<SuggestionsResponse | null>(null);
  const [count, setCount] = useState<number | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [titles, setTitles] = useState(new Map<string, string>());
  const [done, setDone] = useState(new Set<string>());
  const text = new Map(props.notes.map((n) => [n.id, n.text]));

  const ask = (themes?: number) => {
    setBusy(true);
    setError("");
    props.api.suggestions(themes).then(
      (next) => {
        setResult(next);
        // What was asked for, not what came back (fewer similar notes can give fewer themes).
        setCount(themes ?? Math.max(next.themes.length, 1));
        setTitles(new Map());
        setDone(new Set());
        setBusy(false);
      },
      (e: Error) => {
        setError(t("board.actionFailed", { detail: e.message }));
        setBusy(false);
      },
    );
  };
  const close = (id: string) => setDone((d) => new Set(d).add(id));
  const themes = result?.themes.filter((th) => !done.has(th.id)) ?? [];
  const placements = result?.placements.filter((p) => !done.has(`place:${p.noteId}`)) ?? [];
  const duplicates = result?.duplicates.filter((g) => !done.has(`dup:${g[0]}`)) ?? [];

  return (
    <section className="panel-suggestions" aria-labelledby="suggestions-title" aria-busy={busy}>
      <h2 id="suggestions-title">{t("suggest.title")}</h2>
      <div className="panel-actions">
        <button type="button" onClick={() => ask(count)} disabled={busy}>
          {result ? t("suggest.again") : t("suggest.ask")}
        </button>
        {result ? (
          <>
            <button
              type="button"
              disabled={busy || (count ?? 0) <= 1}
              onClick={() => ask(Math.max(1, (count ?? 2) - 1))}
            >
              {t("suggest.fewer")}
            </button>
            <button type="button" disabled={busy || (count ?? 0) >= MAX_THEMES} onClick={() => ask((count ?? 0) + 1)}>
              {t("suggest.more")}
            </button>
          </>
        ) : null}
      </div>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      {result ? (
        <p className="muted" role="status" data-testid="suggest-summary">
          {t("suggest.summary", { count: themes.length, left: result.unthemed.length })}
        </p>
      ) : null}
      {result && result.themes.length === 0 && result.placements.length === 0 ? (
        <p className="muted">{t("suggest.nothing")}</p>
      ) : null}
      <BoardWords api={props.api} words={props.words} />
      <ol className="suggestions">
        {themes.map((th) => {
          const title = titles.get(th.id) ?? th.label;
          return (
            <li key={th.id} data-suggestion={th.id}>
              <label className="visually-hidden" htmlFor={`title-${th.id}`}>
                {t("suggest.rename")}
              </label>
              <input
                id={`title-${th.id}`}
                value={title}
                maxLength={80}
                onChange={(e) => setTitles((m) => new Map(m).set(th.id, e.target.value))}
              />
              <span className="muted"> {t("board.notesCount", { count: th.noteIds.length })}</span>
              <details>
                <summary>{th.keywords.join(" · ")}</summary>
                <ul>
                  {th.noteIds.map((id) => (
                    <li key={id}>{text.get(id) ?? id}</li>
                  ))}
                </ul>
              </details>
              <button
                type="button"
                aria-label={t("suggest.acceptLabel", { title })}
                onClick={() => {
                  props.accept(title.trim() || th.label, th.noteIds);
                  // Its notes are in a theme now: they leave the placements and the stacks too.
                  const taken = new Set(th.noteIds);
                  setDone(
                    (d) =>
                      new Set([
                        ...d,
                        th.id,
                        ...(result?.placements ?? [])
                          .filter((p) => taken.has(p.noteId))
                          .map((p) => `place:${p.noteId}`),
                        ...(result?.duplicates ?? [])
                          .filter((g) => g.some((id) => taken.has(id)))
                          .map((g) => `dup:${g[0]}`),
                      ]),
                  );
                }}
              >
                {t("suggest.accept")}
              </button>
              <button type="button" aria-label={t("suggest.rejectLabel", { title })} onClick={() => close(th.id)}>
                {t("suggest.reject")}
              </button>
            </li>
          );
        })}
      </ol>
      {placements.length > 0 ? (
        <>
          <h3>{t("suggest.placements")}</h3>
          <button
            type="button"
            onClick={() => {
              for (const p of placements) props.place([p.noteId], p.themeId);
              setDone((d) => new Set([...d, ...placements.map((p) => `place:${p.noteId}`)]));
            }}
          >
            {t("suggest.placeAll", { count: placements.length })}
          </button>
          <ul className="suggestions">
            {placements.map((p) => (
              <li key={p.noteId}>
                {text.get(p.noteId) ?? p.noteId} → <strong>{props.themeName(p.themeId) ?? "—"}</strong>{" "}
                <button
                  type="button"
                  aria-label={t("suggest.placeLabel", { note: text.get(p.noteId) ?? "" })}
                  onClick={() => {
                    props.place([p.noteId], p.themeId);
                    close(`place:${p.noteId}`);
                  }}
                >
                  {t("suggest.place")}
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {duplicates.length > 0 ? (
        <>
          <h3>{t("suggest.duplicates")}</h3>
          <ul className="suggestions">
            {duplicates.map((group) => (
              <li key={group[0]}>
                {group.map((id) => text.get(id) ?? id).join(" / ")}{" "}
                <button
                  type="button"
                  aria-label={t("suggest.stackLabel", { note: text.get(group[0]!) ?? "" })}
                  onClick={() => {
                    props.stack(group);
                    close(`dup:${group[0]}`);
                  }}
                >
                  {t("suggest.stack")}
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

/** « mot = thème » lines: words of this board (an acronym, a local scheme) counted under a theme. */
function BoardWords(props: { api: BoardApi; words: { form: string; theme: string }[] }) {
  const [text, setText] = useState(() => props.words.map((w) => `${w.form} = ${w.theme}`).join("\n"));
  const [saved, setSaved] = useState("");
  const save = () => {
    const words = text
      .split("\n")
      .map((line) => line.split("="))
      .filter((parts) => parts.length === 2 && parts[0]!.trim() && parts[1]!.trim())
      .map(([form, theme]) => ({ form: form!.trim().slice(0, 60), theme: theme!.trim().slice(0, 80) }))
      .slice(0, 200);
    props.api.settings({ curationWords: words }).then(
      () => setSaved(t("suggest.wordsSaved", { count: words.length })),
      (e: Error) => setSaved(t("board.actionFailed", { detail: e.message })),
    );
  };
  return (
    <details className="board-words">
      <summary>{t("suggest.words")}</summary>
      <label htmlFor="board-words">{t("suggest.wordsHelp")}</label>
      <textarea id="board-words" rows={4} value={text} onChange={(e) => setText(e.target.value)} />
      <button type="button" onClick={save}>
        {t("board.save")}
      </button>
      <p role="status" className="muted">
        {saved}
      </p>
    </details>
  );
}
