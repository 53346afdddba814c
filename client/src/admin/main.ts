import type { AdminBoard, AdminBoardsResponse, SeriesSummary } from "@atelier/shared/wire/adminSchemas";
import { themeKey } from "@atelier/shared/derived/crossDay";
import { ROLES, type Role } from "@atelier/shared/wire/roles";
import { h, clear } from "../dom.ts";
import { lang, onLangChange, t } from "../i18n/index.ts";
import { pageHeader } from "../pages/chrome.ts";
import { adminFetch, forgetAdminSecret, knownAdminSecret, rememberAdminSecret } from "../pages/adminSecret.ts";
import "../styles/base.css";
import "../archive/archive.css";
import "./admin.css";

/**
 * The organiser's page (`/admin`): every board of this relay, grouped by
 * series, with what a lost link needs (re-issue), the archive, the series
 * and delete. Everything goes through the admin API with the secret.
 */
const root = document.getElementById("app")!;
let secret: string | null = null;
let data: AdminBoardsResponse | null = null;
let query = "";
let status = "";
let askError = "";
/** The link just re-issued, shown once under its board or series. */
let issued: { id: string; link: string } | null = null;

function say(text: string): void {
  status = text;
  const live = document.getElementById("status");
  if (live) live.textContent = text;
}

const when = (ms: number) => new Date(ms).toLocaleString(lang(), { dateStyle: "short", timeStyle: "short" });

async function load(): Promise<void> {
  const res = await adminFetch(secret!, "/api/admin/boards");
  if (res.status === 401) {
    forgetAdminSecret();
    secret = null;
    askError = t("admin.wrongSecret");
    return render();
  }
  if (!res.ok) throw new Error(String(res.status));
  data = (await res.json()) as AdminBoardsResponse;
  render();
}

/** Runs one of the organiser's actions and says how it went; a network failure is said too, never lost. */
async function act(action: () => Promise<Response>, done: string): Promise<void> {
  const res = await action().catch(() => null);
  if (!res?.ok) return say(res ? t("admin.failed", { status: res.status }) : t("admin.unreachable"));
  say(done);
  await load().catch(() => say(t("admin.unreachable")));
}

function askForSecret(): HTMLElement {
  const input = h("input", {
    id: "secret",
    type: "password",
    autocomplete: "current-password",
    required: true,
    "aria-describedby": "secret-help secret-error",
  });
  return h(
    "form",
    {
      onsubmit: (e: Event) => {
        e.preventDefault();
        secret = input.value.trim();
        rememberAdminSecret(secret);
        askError = "";
        void load();
      },
    },
    h("label", { class: "field", for: "secret" }, t("admin.secretLabel")),
    input,
    h("p", { id: "secret-help", class: "muted" }, t("admin.secretHelp")),
    askError ? h("p", { id: "secret-error", class: "banner error", role: "alert" }, askError) : null,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, t("admin.open"))),
  );
}

function issuedLink(id: string): HTMLElement | null {
  if (issued?.id !== id) return null;
  return h(
    "p",
    { class: "banner info", role: "status" },
    t("admin.newLink"),
    " ",
    h("code", { "data-testid": "issued-link" }, issued.link),
  );
}

function boardRow(board: AdminBoard, series: SeriesSummary[]): HTMLElement[] {
  const role = h(
    "select",
    { "aria-label": t("admin.linkRole", { title: board.title }) },
    ...ROLES.map((r) => h("option", { value: r }, t(`admin.role.${r}`))),
  );
  const move = h(
    "select",
    { "aria-label": t("admin.moveTo", { title: board.title }) },
    h("option", { value: "", selected: board.seriesId === null }, t("admin.noSeries")),
    ...series.map((s) => h("option", { value: s.seriesId, selected: board.seriesId === s.seriesId }, s.title)),
  );
  const applyMove = () =>
    void act(
      () =>
        adminFetch(secret!, `/api/admin/boards/${board.boardId}`, {
          method: "PATCH",
          body: JSON.stringify({ seriesId: move.value || null }),
        }),
      t("admin.moved"),
    );
  const reissue = async () => {
    const r = role.value as Role;
    if (!confirm(t("admin.reissueConfirm", { role: t(`admin.role.${r}`), title: board.title }))) return;
    const res = await adminFetch(secret!, `/api/boards/${board.boardId}/links/${r}`, { method: "POST" }).catch(
      () => null,
    );
    if (!res?.ok) return say(res ? t("admin.failed", { status: res.status }) : t("admin.unreachable"));
    issued = { id: board.boardId, link: ((await res.json()) as { link: string }).link };
    say(t("admin.reissued", { role: t(`admin.role.${r}`) }));
    await load();
  };
  const remove = () => {
    if (prompt(t("admin.deleteConfirm", { title: board.title })) !== board.title) return;
    void act(() => adminFetch(secret!, `/api/boards/${board.boardId}`, { method: "DELETE" }), t("admin.deleted"));
  };
  return [
    h(
      "tr",
      { "data-board": board.boardId },
      h("th", { scope: "row" }, board.title),
      h("td", {}, board.date),
      h("td", {}, t(`phase.${board.phase}`)),
      h("td", { class: "num" }, String(board.counts.notes)),
      h("td", { class: "num" }, String(board.counts.themes)),
      h("td", { class: "num" }, String(board.counts.snapshots)),
      h("td", {}, when(board.lastActivityAt)),
      h("td", {}, board.retentionDays ? t("admin.days", { count: board.retentionDays }) : t("admin.keep")),
      h(
        "td",
        { class: "row-actions" },
        h(
          "a",
          {
            class: "button",
            href: `/archive/${board.boardId}#admin`,
            "aria-label": t("admin.archiveLabel", { title: board.title }),
          },
          t("admin.archive"),
        ),
        h(
          "a",
          {
            class: "button",
            href: `/new#from=${board.boardId}`,
            "aria-label": t("admin.nextDayLabel", { title: board.title }),
          },
          t("admin.nextDay"),
        ),
        role,
        h(
          "button",
          {
            type: "button",
            "aria-label": t("admin.reissueLabel", { title: board.title }),
            onclick: () => void reissue(),
          },
          t("admin.reissue"),
        ),
        move,
        h(
          "button",
          { type: "button", "aria-label": t("admin.moveApplyLabel", { title: board.title }), onclick: applyMove },
          t("admin.moveApply"),
        ),
        h(
          "button",
          {
            type: "button",
            class: "danger",
            "aria-label": t("admin.deleteLabel", { title: board.title }),
            onclick: remove,
          },
          t("admin.delete"),
        ),
      ),
    ),
    ...(issued?.id === board.boardId ? [h("tr", {}, h("td", { colspan: 9 }, issuedLink(board.boardId)))] : []),
  ];
}

function boardsTable(caption: string, boards: AdminBoard[], series: SeriesSummary[]): HTMLElement {
  if (boards.length === 0) return h("p", { class: "muted" }, t("admin.noBoardsHere"));
  return h(
    "div",
    { class: "table-scroll" },
    h(
      "table",
      { class: "tally admin-boards" },
      h("caption", { class: "visually-hidden" }, caption),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...(
            [
              "admin.col.title",
              "admin.col.date",
              "admin.col.phase",
              "admin.col.notes",
              "admin.col.themes",
              "admin.col.snapshots",
              "admin.col.activity",
              "admin.col.retention",
              "admin.col.actions",
            ] as const
          ).map((key) => h("th", { scope: "col" }, t(key))),
        ),
      ),
      h("tbody", {}, ...boards.flatMap((b) => boardRow(b, series))),
    ),
  );
}

function seriesSection(series: SeriesSummary | null, boards: AdminBoard[], all: SeriesSummary[]): HTMLElement {
  const title = series?.title ?? t("admin.noSeries");
  const id = `series-${series?.seriesId ?? "none"}`;
  const actions = series
    ? h(
        "div",
        { class: "actions" },
        h("a", { class: "button", href: `/series/${series.seriesId}#admin` }, t("admin.seriesPage")),
        h(
          "button",
          {
            type: "button",
            onclick: async () => {
              const res = await adminFetch(secret!, `/api/admin/series/${series.seriesId}/link`, {
                method: "POST",
              }).catch(() => null);
              if (!res?.ok) return say(res ? t("admin.failed", { status: res.status }) : t("admin.unreachable"));
              issued = { id: series.seriesId, link: ((await res.json()) as { link: string }).link };
              say(t("admin.seriesLinkIssued"));
              render();
            },
          },
          t("admin.seriesLink"),
        ),
        h(
          "button",
          {
            type: "button",
            class: "danger",
            onclick: () => {
              if (!confirm(t("admin.deleteSeriesConfirm", { title: series.title }))) return;
              void act(
                () => adminFetch(secret!, `/api/admin/series/${series.seriesId}`, { method: "DELETE" }),
                t("admin.seriesDeleted"),
              );
            },
          },
          t("admin.deleteSeries"),
        ),
      )
    : null;
  return h(
    "section",
    { "aria-labelledby": id, class: "series-group" },
    h("h2", { id }, title),
    actions,
    series ? issuedLink(series.seriesId) : null,
    boardsTable(title, boards, all),
  );
}

function newSeriesForm(): HTMLElement {
  const input = h("input", { id: "new-series", type: "text", maxlength: 120, required: true });
  return h(
    "form",
    {
      class: "inline-form",
      onsubmit: (e: Event) => {
        e.preventDefault();
        void act(
          () =>
            adminFetch(secret!, "/api/admin/series", { method: "POST", body: JSON.stringify({ title: input.value }) }),
          t("admin.seriesCreated"),
        );
      },
    },
    h("label", { for: "new-series" }, t("admin.newSeries")),
    input,
    h("button", { type: "submit" }, t("admin.createSeries")),
  );
}

function boardList(main: HTMLElement): void {
  const { boards, series } = data!;
  const search = h("input", {
    id: "search",
    type: "search",
    value: query,
    oninput: (e: Event) => {
      query = (e.target as HTMLInputElement).value;
      const list = document.getElementById("board-list");
      if (list) list.replaceWith(groups());
    },
  });
  const groups = () => {
    const key = themeKey(query);
    const shown = boards.filter((b) => !key || themeKey(b.title).includes(key));
    const ofSeries = (id: string | null) => shown.filter((b) => b.seriesId === id);
    return h(
      "div",
      { id: "board-list" },
      shown.length === 0
        ? h("p", { class: "muted", role: "status" }, t(query ? "admin.noMatch" : "admin.noBoards"))
        : null,
      ...series.map((s) => seriesSection(s, ofSeries(s.seriesId), series)),
      ofSeries(null).length > 0 || series.length === 0 ? seriesSection(null, ofSeries(null), series) : null,
    );
  };
  main.append(
    h(
      "div",
      { class: "admin-tools" },
      h("label", { for: "search" }, t("admin.search")),
      search,
      h("a", { class: "button", href: "/new" }, t("admin.newBoard")),
    ),
    newSeriesForm(),
    groups(),
    h("p", { class: "muted" }, t("admin.secretWhere")),
  );
}

function render(): void {
  document.documentElement.lang = lang();
  clear(root);
  const main = h("main", { id: "main", class: "admin" });
  root.append(
    pageHeader(t("admin.title")),
    h("p", { id: "status", role: "status", "aria-live": "polite", class: "status" }, status),
    main,
  );
  if (!secret) main.append(askForSecret());
  else if (!data) main.append(h("p", { class: "muted", "aria-busy": "true" }, t("archive.loading")));
  else boardList(main);
}

async function start(): Promise<void> {
  document.title = `${t("admin.title")} · Atelier`;
  secret = await knownAdminSecret();
  render();
  if (secret) await load();
}

onLangChange(render);
void start().catch(() => say(t("admin.unreachable")));
