import type { BoardSettings } from "@atelier/shared/document/docLayout";
import type { Tally, TallyRow } from "@atelier/shared/derived/tally";
import { h } from "../dom.ts";
import { t } from "../i18n/index.ts";

function rows(tally: Tally): TallyRow[] {
  return [...tally.themes, { ...tally.outside, title: t("archive.outside") }];
}

function sum(tally: Tally, pick: (row: TallyRow) => number): number {
  return rows(tally).reduce((total, row) => total + pick(row), 0);
}

/** Themes × (notes, prompts, categories), as in the tally CSV. */
export function tallyTable(tally: Tally, settings: BoardSettings): HTMLElement {
  const head = [
    t("archive.theme"),
    t("archive.notesCol"),
    ...settings.prompts.map((p) => p.label),
    ...settings.categories.map((c) => c.label),
  ];
  return h(
    "table",
    { class: "tally", "data-testid": "tally" },
    h("caption", {}, t("archive.tally")),
    h("thead", {}, h("tr", {}, ...head.map((label) => h("th", { scope: "col" }, label)))),
    h(
      "tbody",
      {},
      ...rows(tally).map((row) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, row.title || "—"),
          h("td", {}, String(row.count)),
          ...settings.prompts.map((p) => h("td", {}, String(row.byPrompt[p.id] ?? 0))),
          ...settings.categories.map((c) => h("td", {}, String(row.byCategory[c.id] ?? 0))),
        ),
      ),
      h(
        "tr",
        { class: "total" },
        h("th", { scope: "row" }, t("archive.total")),
        h("td", {}, String(tally.total)),
        ...settings.prompts.map((p) => h("td", {}, String(sum(tally, (r) => r.byPrompt[p.id] ?? 0)))),
        ...settings.categories.map((c) => h("td", {}, String(sum(tally, (r) => r.byCategory[c.id] ?? 0)))),
      ),
    ),
  );
}

/** A horizontal bar per theme, in SVG so it prints and exports crisply. */
export function tallyChart(tally: Tally): SVGSVGElement {
  const data = rows(tally);
  const max = Math.max(1, ...data.map((r) => r.count));
  const bar = 28;
  const labelWidth = 220;
  const width = 640;
  const svgNs = "http://www.w3.org/2000/svg";
  const el = <K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string) => {
    const node = document.createElementNS(svgNs, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const svg = el("svg", { viewBox: `0 0 ${width} ${data.length * (bar + 10) + 10}`, role: "img", class: "chart" });
  svg.append(el("title", {}, t("archive.chart")));
  data.forEach((row, i) => {
    const y = 10 + i * (bar + 10);
    const w = ((width - labelWidth - 60) * row.count) / max;
    svg.append(
      el(
        "text",
        { x: labelWidth - 8, y: y + bar * 0.68, "text-anchor": "end", "font-size": 14 },
        (row.title || "—").slice(0, 32),
      ),
      el("rect", {
        x: labelWidth,
        y,
        width: Math.max(w, 1),
        height: bar,
        fill: row.themeId ? "#2d4bb3" : "#8a8578",
        rx: 3,
      }),
      el("text", { x: labelWidth + w + 8, y: y + bar * 0.68, "font-size": 14 }, String(row.count)),
    );
  });
  return svg;
}

/** Every note under its theme's heading: the themes in board order, then the notes outside every theme. */
export function notesByTheme(tally: Tally, settings: BoardSettings): HTMLElement {
  const groups = new Map<string, Tally["notes"]>();
  for (const theme of tally.themes) {
    const notes = tally.notes.filter((n) => n.themeId === theme.themeId);
    // Two themes may share a title: the second is told apart rather than merged.
    if (notes.length > 0) groups.set(groups.has(theme.title) ? `${theme.title} (2)` : theme.title || "—", notes);
  }
  const outside = tally.notes.filter((n) => n.themeId === null);
  if (outside.length > 0) groups.set(t("archive.outside"), outside);
  const label = (choices: { id: string; label: string }[], id: string) => choices.find((c) => c.id === id)?.label ?? "";
  return h(
    "section",
    { class: "notes-by-theme" },
    h("h2", {}, t("archive.notesByTheme")),
    ...[...groups].map(([title, notes]) =>
      h(
        "section",
        {},
        h("h3", {}, `${title} (${notes.length})`),
        h(
          "ul",
          {},
          ...notes.map((n) =>
            h(
              "li",
              {},
              h("span", { class: "note-text" }, n.text),
              h(
                "span",
                { class: "muted" },
                ` — ${[label(settings.prompts, n.prompt), label(settings.categories, n.category), n.author || t("board.anonymous")].filter(Boolean).join(" · ")}`,
              ),
            ),
          ),
        ),
      ),
    ),
  );
}
