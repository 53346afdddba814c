import { h, clear } from "../dom.ts";
import { lang, onLangChange, t } from "../i18n/index.ts";
import { pageHeader } from "../pages/chrome.ts";
import { archiveApi, NoBoardError, type ArchiveApi, type SnapshotInfo } from "./api.ts";
import { notesByTheme, tallyChart, tallyTable } from "./tallyView.ts";
import { finalSnapshotId } from "@atelier/shared/derived/finalSnapshot";
import { ADMIN_SECRET_KEY } from "../pages/adminSecret.ts";
import "../styles/base.css";
import "./archive.css";

/**
 * The coordinator's archive (`/archive/:id`) and the printable debrief
 * (`/debrief/:id`). Plain DOM and no tldraw: a closed day stays readable
 * from what the relay stored (images, tally, notes).
 */
const [, page, boardId = ""] = location.pathname.split("/");
const params = new URLSearchParams(location.hash.slice(1));
// The organiser's page opens archives with the admin secret it holds for this tab (`#admin`), kept out of URLs.
const key = params.get("key") ?? (params.has("admin") ? (sessionStorage.getItem(ADMIN_SECRET_KEY) ?? "") : "");
const api = archiveApi(boardId, key);
const root = document.getElementById("app")!;

let title = "";
let snapshots: SnapshotInfo[] = [];
let selected = params.get("snapshot") ?? "";
let separator: ";" | "," = ";";
let status = "";
let busy = false;
let gone = false;

const when = (ms: number) => new Date(ms).toLocaleString(lang(), { dateStyle: "short", timeStyle: "short" });
const snapshotLabel = (s: SnapshotInfo) => `${when(s.createdAt)} · ${s.name || t(`archive.kind.${s.kind}`)}`;

/** The page's one status line; `working` shows a progress bar under it while the relay prepares a file. */
function say(text: string, working = false): void {
  status = text;
  busy = working;
  const live = document.getElementById("status");
  if (live) live.textContent = text;
  const bar = document.getElementById("busy");
  if (bar) bar.hidden = !working;
}

const fileSize = (bytes: number) =>
  new Intl.NumberFormat(lang(), { style: "unit", unit: "kilobyte", maximumFractionDigits: 0 }).format(
    Math.max(1, Math.round(bytes / 1000)),
  );

async function download(format: string, name: string): Promise<void> {
  // The debrief document is written by the relay on demand: say so, it takes a moment on a big board.
  say(t(format === "debrief.docx" ? "archive.building" : "archive.preparing", { name }), true);
  try {
    const file = await api.file(selected, format, separator);
    const url = URL.createObjectURL(file.blob);
    h("a", { href: url, download: file.name }).click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    say(t("archive.downloadedSize", { name, size: fileSize(file.blob.size) }));
  } catch (error) {
    say((error as Error).message);
  }
}

async function boardImage(snapshot: SnapshotInfo | undefined): Promise<HTMLElement> {
  if (!snapshot?.images?.includes("png"))
    return h("p", { class: "muted", "data-testid": "no-image" }, t("archive.noImage"));
  const { blob } = await api.file(snapshot.id, "board.png", ";");
  return h("img", {
    class: "board-image",
    src: URL.createObjectURL(blob),
    alt: t("archive.boardImage", { name: snapshotLabel(snapshot) }),
  });
}

/** The tally, chart and notes of the selected state. */
async function stateView(): Promise<HTMLElement[]> {
  const { settings, tally } = await api.tally(selected);
  const snapshot = snapshots.find((s) => s.id === selected);
  const chart = h(
    "figure",
    { class: "chart-figure", id: "chart" },
    tallyChart(tally),
    h("figcaption", {}, t("archive.chart")),
  );
  return [await boardImage(snapshot), tallyTable(tally, settings), chart, notesByTheme(tally, settings)];
}

async function renderArchive(main: HTMLElement): Promise<void> {
  const timeline = h(
    "ol",
    { class: "timeline" },
    ...[{ id: "live" } as SnapshotInfo, ...snapshots].map((s) =>
      h(
        "li",
        {},
        h(
          "button",
          {
            type: "button",
            "aria-current": s.id === selected ? "true" : null,
            onclick: () => {
              selected = s.id;
              void render();
            },
          },
          s.id === "live" ? t("archive.live") : snapshotLabel(s),
        ),
      ),
    ),
  );
  const replay =
    snapshots.length >= 2
      ? h(
          "div",
          { class: "replay" },
          h("label", { for: "replay" }, t("archive.replayLabel")),
          h("input", {
            id: "replay",
            type: "range",
            min: 0,
            max: snapshots.length - 1,
            value: Math.max(
              0,
              snapshots.findIndex((s) => s.id === selected),
            ),
            onchange: (e: Event) => {
              selected = snapshots[Number((e.target as HTMLInputElement).value)]!.id;
              void render();
            },
          }),
        )
      : null;
  const snapshot = snapshots.find((s) => s.id === selected);
  const exportButton = (format: string, key: Parameters<typeof t>[0]) =>
    h("button", { type: "button", onclick: () => void download(format, t(key)) }, t(key));
  const sepChoice = (value: ";" | ",", key: Parameters<typeof t>[0]) =>
    h(
      "label",
      { class: "choice" },
      h("input", { type: "radio", name: "sep", checked: separator === value, onchange: () => (separator = value) }),
      h("span", {}, t(key)),
    );
  main.append(
    h(
      "section",
      { "aria-labelledby": "timeline-title" },
      h("h2", { id: "timeline-title" }, t("archive.timeline")),
      snapshots.length === 0 ? h("p", { class: "muted" }, t("archive.noSnapshots")) : null,
      timeline,
      replay,
    ),
    h(
      "section",
      { "aria-labelledby": "exports-title", class: "exports" },
      h("h2", { id: "exports-title" }, t("archive.exports")),
      h(
        "fieldset",
        { class: "choices" },
        h("legend", {}, t("archive.separator")),
        sepChoice(";", "archive.sepSemicolon"),
        sepChoice(",", "archive.sepComma"),
      ),
      h(
        "div",
        { class: "actions" },
        snapshot?.images?.includes("png") ? exportButton("board.png", "archive.download.png") : null,
        snapshot?.images?.includes("svg") ? exportButton("board.svg", "archive.download.svg") : null,
        exportButton("tally.csv", "archive.download.tally"),
        exportButton("notes.csv", "archive.download.notes"),
        exportButton("board.json", "archive.download.json"),
        h(
          "a",
          {
            class: "button",
            href: `/debrief/${boardId}#${params.has("key") ? `key=${params.get("key")}` : "admin"}&snapshot=${selected}`,
            // Opened with the admin secret, the debrief stays in this tab, where the secret is kept.
            target: params.has("key") ? "_blank" : null,
            rel: "noopener",
          },
          t("archive.debrief"),
        ),
        exportButton("debrief.docx", "archive.debriefDocx"),
        h("button", { type: "button", onclick: () => void downloadChart() }, t("archive.chartDownload")),
      ),
    ),
    h("section", { class: "state" }, ...(await stateView())),
    retentionAndDelete(),
  );
}

async function downloadChart(): Promise<void> {
  const chart = document.getElementById("chart");
  if (!chart) return;
  say(t("archive.preparing", { name: t("archive.chart") }));
  // Loaded on demand: most visits never make a chart image.
  const { toPng } = await import("html-to-image");
  const url = await toPng(chart, { backgroundColor: "#ffffff", pixelRatio: 2 });
  h("a", { href: url, download: `${title || "atelier"}-themes.png` }).click();
  say(t("archive.downloaded", { name: t("archive.chart") }));
}

function retentionAndDelete(): HTMLElement {
  const days = h("input", { id: "retention", type: "number", min: 1, max: 3650, inputmode: "numeric" });
  return h(
    "section",
    { class: "danger-zone", "aria-labelledby": "retention-title" },
    h("h2", { id: "retention-title" }, t("archive.retention")),
    h("label", { for: "retention", class: "field" }, t("archive.retentionDays")),
    days,
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        {
          type: "button",
          onclick: () =>
            void api.retention(days.value ? Number(days.value) : null).then(
              () => say(t("archive.retentionSaved")),
              (e: Error) => say(e.message),
            ),
        },
        t("archive.retentionSave"),
      ),
      h(
        "button",
        {
          type: "button",
          class: "danger",
          onclick: () => {
            if (prompt(t("archive.deleteConfirm")) !== title) return;
            void api.remove().then(() => {
              gone = true;
              void render();
              say(t("archive.deleted"));
            });
          },
        },
        t("archive.delete"),
      ),
    ),
  );
}

async function renderDebrief(main: HTMLElement): Promise<void> {
  const snapshot = snapshots.find((s) => s.id === selected);
  main.append(
    h(
      "p",
      { class: "muted" },
      t("archive.generatedAt", { time: snapshot ? snapshotLabel(snapshot) : when(Date.now()) }),
    ),
    h(
      "div",
      { class: "actions no-print" },
      h("button", { type: "button", onclick: () => print() }, t("archive.print")),
    ),
    ...(await stateView()),
  );
}

async function render(): Promise<void> {
  document.documentElement.lang = lang();
  const main = h("main", { id: "main" });
  const heading = page === "debrief" ? t("archive.debriefTitle", { title }) : t("archive.title", { title });
  clear(root);
  root.append(
    pageHeader(heading),
    h("p", { id: "status", role: "status", "aria-live": "polite", class: "status" }, status),
    h("progress", { id: "busy", class: "busy", hidden: !busy, "aria-labelledby": "status" }),
    main,
  );
  if (gone) {
    main.append(h("p", { class: "banner error", role: "alert" }, status || t("archive.noBoard")));
    return;
  }
  main.append(h("p", { class: "muted", "aria-busy": "true" }, t("archive.loading")));
  try {
    const content = h("div", {});
    await (page === "debrief" ? renderDebrief(content) : renderArchive(content));
    main.replaceChildren(...content.childNodes);
  } catch (error) {
    if (error instanceof NoBoardError) {
      gone = true;
      return render();
    }
    main.replaceChildren(h("p", { class: "banner error", role: "alert" }, String((error as Error).message)));
  }
}

async function start(): Promise<void> {
  try {
    const [info, list] = await Promise.all([api.info(), api.snapshots()]);
    title = info.settings.title;
    snapshots = list;
    // A closed day opens on how it ended: its final snapshot and the image stored with it
    // (a day reopened after its close is live again).
    selected ||= (info.settings.submissions === "locked" ? finalSnapshotId(list) : null) ?? "live";
    document.title = `${title} · Atelier`;
  } catch {
    gone = true;
  }
  await render();
}

// A new link pasted over the old one changes only the fragment: start again with its key.
addEventListener("hashchange", () => location.reload());
onLangChange(() => void render());
void start();
export type { ArchiveApi };
