import type { SeriesDay, SeriesResponse } from "@atelier/shared/wire/adminSchemas";
import type { CrossDayRow } from "@atelier/shared/derived/crossDay";
import { h, clear } from "../dom.ts";
import { lang, onLangChange, t } from "../i18n/index.ts";
import { pageHeader } from "../pages/chrome.ts";
import { ADMIN_SECRET_KEY } from "../pages/adminSecret.ts";
import "../styles/base.css";
import "../archive/archive.css";
import "./series.css";

/**
 * The series page (`/series/:id`): the days of a network on a timeline,
 * each as it ended (final board image, debrief, tally), and the themes
 * across days, where the coordinator merges titles that mean the same.
 * Printable; the table also downloads as CSV.
 */
const [, , seriesId = ""] = location.pathname.split("/");
const params = new URLSearchParams(location.hash.slice(1));
const asAdmin = !params.has("key") && params.has("admin");
const token = params.get("key") ?? (asAdmin ? (sessionStorage.getItem(ADMIN_SECRET_KEY) ?? "") : "");
const root = document.getElementById("app")!;
let view: SeriesResponse | null = null;
let status = "";
let failed = "";
const images = new Map<string, string>();

const call = (path: string, init: RequestInit = {}) =>
  fetch(`/api/series/${seriesId}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, ...(init.body ? { "Content-Type": "application/json" } : {}) },
  });

function say(text: string): void {
  status = text;
  const live = document.getElementById("status");
  if (live) live.textContent = text;
}

async function dayImage(day: SeriesDay): Promise<void> {
  if (!day.hasImage || images.has(day.boardId)) return;
  const res = await fetch(`/api/boards/${day.boardId}/snapshots/${day.snapshotId}/board.png`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (res.ok) images.set(day.boardId, URL.createObjectURL(await res.blob()));
}

function dayCard(day: SeriesDay): HTMLElement {
  const image = images.get(day.boardId);
  const debrief = `/debrief/${day.boardId}#${asAdmin ? "admin" : `key=${token}`}&snapshot=${day.snapshotId}`;
  return h(
    "li",
    { class: "day" },
    h("h3", {}, `${day.date} · ${day.title}`),
    h("p", { class: "muted" }, `${t(`phase.${day.phase}`)} · ${t("board.notesCount", { count: day.total })}`),
    image
      ? h("img", { class: "board-image", src: image, alt: t("series.imageAlt", { title: day.title }) })
      : h("p", { class: "muted" }, t("series.noImage")),
    h(
      "ul",
      { class: "day-themes" },
      ...day.themes.map((theme) => h("li", {}, `${theme.title || "—"} : ${theme.count}`)),
      h("li", {}, `${t("archive.outside")} : ${day.outside}`),
    ),
    h(
      "a",
      { class: "button no-print", href: debrief, target: asAdmin ? null : "_blank", rel: "noopener" },
      t("series.debrief"),
    ),
  );
}

async function merge(alias: string, into: string | null, done: string): Promise<void> {
  const res = await call("/merges", { method: "POST", body: JSON.stringify({ alias, into }) }).catch(() => null);
  if (!res?.ok) return say(res ? t("admin.failed", { status: res.status }) : t("admin.unreachable"));
  view = (await res.json()) as SeriesResponse;
  say(done);
  render();
}

/** Choose, then apply: a keyboard user moving through the list must not merge at each step. */
function mergeControls(row: CrossDayRow, rows: CrossDayRow[]): HTMLElement {
  const others = rows.filter((r) => r.key !== row.key);
  const choice = h(
    "select",
    { "aria-label": t("series.mergeLabel", { title: row.title }) },
    h("option", { value: "" }, t("series.mergeInto")),
    ...others.map((r) => h("option", { value: r.title }, r.title)),
  );
  return h(
    "td",
    { class: "no-print merge" },
    others.length ? choice : null,
    others.length
      ? h(
          "button",
          {
            type: "button",
            "aria-label": t("series.mergeApplyLabel", { title: row.title }),
            onclick: () => {
              const into = choice.value;
              if (into) void merge(row.title, into, t("series.merged", { from: row.title, into }));
            },
          },
          t("series.mergeApply"),
        )
      : null,
    ...row.merged.map((alias) =>
      h(
        "button",
        { type: "button", onclick: () => void merge(alias, null, t("series.split", { title: alias })) },
        t("series.splitButton", { title: alias }),
      ),
    ),
  );
}

function crossDay(v: SeriesResponse): HTMLElement {
  const { table } = v;
  if (table.days.length === 0) return h("p", { class: "muted" }, t("series.noDays"));
  const number = (n: number) => h("td", {}, String(n));
  return h(
    "div",
    { class: "table-scroll" },
    h(
      "table",
      { class: "tally", "data-testid": "cross-day" },
      h("caption", {}, t("series.tableCaption")),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, t("archive.theme")),
          ...table.days.map((d) => h("th", { scope: "col" }, `${d.date} ${d.title}`)),
          h("th", { scope: "col" }, t("archive.total")),
          ...table.categories.map((c) => h("th", { scope: "col" }, c)),
          h("th", { scope: "col", class: "no-print" }, t("series.mergeColumn")),
        ),
      ),
      h(
        "tbody",
        {},
        ...table.rows.map((row) =>
          h(
            "tr",
            {},
            h(
              "th",
              { scope: "row" },
              row.title,
              row.aliases.length ? h("span", { class: "muted" }, ` (${row.aliases.join(", ")})`) : null,
            ),
            ...row.perDay.map(number),
            number(row.total),
            ...row.byCategory.map(number),
            mergeControls(row, table.rows),
          ),
        ),
        h(
          "tr",
          { class: "total" },
          h("th", { scope: "row" }, t("archive.outside")),
          ...table.outside.perDay.map(number),
          number(table.outside.total),
          ...table.outside.byCategory.map(number),
          h("td", { class: "no-print" }),
        ),
      ),
    ),
  );
}

async function downloadCsv(): Promise<void> {
  say(t("archive.preparing", { name: t("series.csv") }));
  const res = await call(`/themes.csv?lang=${lang()}`).catch(() => null);
  if (!res?.ok) return say(res ? t("admin.failed", { status: res.status }) : t("admin.unreachable"));
  const url = URL.createObjectURL(await res.blob());
  h("a", { href: url, download: `${view?.title || "atelier"}-themes.csv` }).click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  say(t("archive.downloaded", { name: t("series.csv") }));
}

function render(): void {
  document.documentElement.lang = lang();
  clear(root);
  const main = h("main", { id: "main", class: "series" });
  root.append(
    pageHeader(view ? t("series.title", { title: view.title }) : t("series.loadingTitle")),
    h("p", { id: "status", role: "status", "aria-live": "polite", class: "status" }, status),
    main,
  );
  if (failed) return void main.append(h("p", { class: "banner error", role: "alert" }, failed));
  if (!view) return void main.append(h("p", { class: "muted", "aria-busy": "true" }, t("archive.loading")));
  main.append(
    h(
      "div",
      { class: "actions no-print" },
      h("button", { type: "button", onclick: () => void downloadCsv() }, t("series.csv")),
      h("button", { type: "button", onclick: () => print() }, t("archive.print")),
    ),
    h(
      "section",
      { "aria-labelledby": "days-title" },
      h("h2", { id: "days-title" }, t("series.days")),
      view.days.length === 0
        ? h("p", { class: "muted" }, t("series.noDays"))
        : h("ol", { class: "days" }, ...view.days.map(dayCard)),
    ),
    h(
      "section",
      { "aria-labelledby": "table-title" },
      h("h2", { id: "table-title" }, t("series.table")),
      crossDay(view),
    ),
  );
}

async function start(): Promise<void> {
  const res = await call("").catch(() => null);
  if (!res) failed = t("admin.unreachable");
  else if (!res.ok) failed = t(res.status === 404 ? "series.gone" : "series.refused");
  else {
    view = (await res.json()) as SeriesResponse;
    document.title = `${view.title} · Atelier`;
    await Promise.all(view.days.map(dayImage));
  }
  render();
}

// A new link pasted over the old one changes only the fragment: start again with its key.
addEventListener("hashchange", () => location.reload());
onLangChange(render);
render();
void start();
