import {
  AlignmentType,
  Document,
  HeadingLevel,
  ImageRun,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from "docx";
import { ChartRun } from "docx/charts";
import type { BoardSettings } from "@atelier/shared/document/docLayout";
import type { Tally, TallyRow } from "@atelier/shared/derived/tally";
import { DEBRIEF_LABELS, type DebriefLabels } from "./debriefLabels.ts";

/**
 * The *bilan* a coordinator edits and signs after the day: a `.docx` that
 * LibreOffice Writer and Word open, built from what the relay stored (a
 * snapshot's documents and image), with no browser. Everything typed by a
 * participant or a facilitator goes in as text runs, never as markup.
 *
 * Formatting lives in named styles (Title, Heading 1–2, « Note »,
 * « Note – détails », « Tableau Atelier »), so a user restyles the whole
 * document from the style list instead of paragraph by paragraph.
 */
export interface DebriefSource {
  settings: BoardSettings;
  tally: Tally;
  /** The state's stored board image, when it has one. */
  image: { data: Uint8Array; width: number; height: number } | null;
  /** Participants who posted at least one of the state's notes. */
  participants: number;
  /** Participants who gave at least one dot. */
  voters: number;
  /** A snapshot's name and time, or the time a live state was read. */
  state: { name: string; kind: "named" | "auto" | "close"; createdAt: number; live: boolean };
}

const STYLE = { note: "AtelierNote", noteMeta: "AtelierNoteMeta", table: "AtelierTable" } as const;

/** A4 with 2 cm margins, in twips; the text column in pixels at 96 dpi (what images are sized in). */
const PAGE = { width: 11906, height: 16838, margin: 1134 };
const TEXT_WIDTH_PX = Math.floor(((PAGE.width - 2 * PAGE.margin) / 1440) * 96);
const IMAGE_MAX_HEIGHT_PX = 820;

export async function debriefDocx(source: DebriefSource): Promise<Uint8Array> {
  const { settings } = source;
  const labels = DEBRIEF_LABELS[settings.language];
  const locale = settings.language === "fr" ? "fr-FR" : "en-GB";
  const doc = new Document({
    title: plain(settings.title),
    subject: labels.subtitle,
    creator: "Atelier",
    description: labels.subtitle,
    externalStyles: tableStyleXml(),
    styles: styles(locale),
    sections: [
      {
        properties: {
          page: {
            size: { width: PAGE.width, height: PAGE.height },
            margin: { top: PAGE.margin, bottom: PAGE.margin, left: PAGE.margin, right: PAGE.margin },
          },
        },
        children: [
          ...heading(source, labels, locale),
          ...boardImage(source, labels),
          ...tallySection(source, labels),
          ...notesSection(source, labels),
          ...voteSection(source, labels),
          ...methodSection(source, labels),
        ],
      },
    ],
  });
  return new Uint8Array(await Packer.toBuffer(doc));
}

/**
 * What XML cannot hold, replaced: text reaching here was cleaned on the
 * way in, but a document stored by an older relay may still hold a control
 * character or half a surrogate pair, and one would make the file unreadable.
 */
function plain(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD")
  );
}

/** One run per line, joined by line breaks, as the participant typed it. */
function runs(text: string): TextRun[] {
  return plain(text)
    .split("\n")
    .map((line, i) => new TextRun({ text: line, break: i > 0 ? 1 : undefined }));
}

/** Whether a text reads right to left (its first strong letter is Hebrew or Arabic script). */
function rightToLeft(text: string): boolean {
  const strong = /[A-Za-z\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFC]/.exec(text);
  return strong !== null && /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFC]/.test(strong[0]);
}

/**
 * The table style, given to docx as an external stylesheet: the library
 * writes its own default styles (headings, title) beside it, which its
 * `importedStyles` option would replace.
 */
function tableStyleXml(): string {
  return (
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
    `<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
    `<w:style w:type="table" w:styleId="${STYLE.table}">` +
    `<w:name w:val="Tableau Atelier"/><w:uiPriority w:val="59"/><w:qFormat/>` +
    `<w:pPr><w:spacing w:before="0" w:after="0"/></w:pPr>` +
    `<w:tblPr><w:tblBorders>` +
    ["top", "left", "bottom", "right", "insideH", "insideV"]
      .map((side) => `<w:${side} w:val="single" w:sz="4" w:space="0" w:color="A6A6A6"/>`)
      .join("") +
    `</w:tblBorders><w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="80" w:type="dxa"/>` +
    `<w:bottom w:w="40" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr>` +
    `<w:tblStylePr w:type="firstRow"><w:rPr><w:b/></w:rPr><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="E8EEF4"/></w:tcPr></w:tblStylePr>` +
    `<w:tblStylePr w:type="lastRow"><w:rPr><w:b/></w:rPr></w:tblStylePr>` +
    `<w:tblStylePr w:type="firstCol"><w:rPr><w:b/></w:rPr></w:tblStylePr>` +
    `</w:style></w:styles>`
  );
}

function styles(locale: string) {
  return {
    default: {
      document: { run: { font: "Liberation Sans", size: 22, language: { value: locale } } },
      title: { run: { size: 44, bold: true, color: "1F3A5F" } },
      heading1: {
        run: { size: 30, bold: true, color: "1F3A5F" },
        paragraph: { spacing: { before: 360, after: 120 }, keepNext: true },
      },
      heading2: {
        run: { size: 25, bold: true, color: "2F5D8A" },
        paragraph: { spacing: { before: 240, after: 80 }, keepNext: true },
      },
    },
    paragraphStyles: [
      {
        id: STYLE.note,
        name: "Note",
        basedOn: "Normal",
        next: STYLE.noteMeta,
        quickFormat: true,
        paragraph: { spacing: { before: 120, after: 0 }, indent: { left: 284 }, keepNext: true },
      },
      {
        id: STYLE.noteMeta,
        name: "Note – détails",
        basedOn: "Normal",
        next: STYLE.note,
        quickFormat: true,
        run: { size: 18, italics: true, color: "595959" },
        paragraph: { spacing: { before: 0, after: 60 }, indent: { left: 284 } },
      },
    ],
  };
}

function heading(source: DebriefSource, labels: DebriefLabels, locale: string): Paragraph[] {
  const { settings, state } = source;
  const day = /^\d{4}-\d{2}-\d{2}$/.test(settings.date)
    ? new Date(`${settings.date}T12:00:00Z`).toLocaleDateString(locale, { dateStyle: "full", timeZone: "UTC" })
    : "";
  const when = new Date(state.createdAt).toLocaleString(locale, { dateStyle: "long", timeStyle: "short" });
  return [
    new Paragraph({ heading: HeadingLevel.TITLE, children: runs(settings.title || "Atelier") }),
    new Paragraph({ children: [new TextRun({ text: [labels.subtitle, day].filter(Boolean).join(" — ") })] }),
    new Paragraph({
      children: runs(
        state.live ? labels.liveState(when) : labels.snapshot(state.name || labels.kind[state.kind], when),
      ),
    }),
  ];
}

function boardImage(source: DebriefSource, labels: DebriefLabels): Paragraph[] {
  const title = new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun(labels.boardImage)] });
  const image = source.image;
  if (!image || image.width <= 0 || image.height <= 0) return [title, new Paragraph(labels.noImage)];
  // Sized to the text column, and short enough to share its page with the heading.
  const scale = Math.min(TEXT_WIDTH_PX / image.width, IMAGE_MAX_HEIGHT_PX / image.height);
  return [
    title,
    new Paragraph({
      alignment: AlignmentType.CENTER,
      children: [
        new ImageRun({
          type: "png",
          data: image.data,
          transformation: {
            width: Math.max(1, Math.round(image.width * scale)),
            height: Math.max(1, Math.round(image.height * scale)),
          },
          altText: {
            name: "board.png",
            title: plain(labels.imageAlt(source.settings.title)),
            description: plain(labels.imageAlt(source.settings.title)),
          },
        }),
      ],
    }),
  ];
}

function tallyRows(tally: Tally, labels: DebriefLabels): TallyRow[] {
  return [...tally.themes, { ...tally.outside, title: labels.outside }];
}

function cell(text: string, numeric = false): TableCell {
  return new TableCell({
    children: [new Paragraph({ alignment: numeric ? AlignmentType.END : undefined, children: runs(text) })],
  });
}

function table(head: string[], body: (string | number)[][]): Table {
  const row = (cells: (string | number)[], header = false) =>
    new TableRow({
      tableHeader: header,
      cantSplit: true,
      children: cells.map((value, i) => cell(String(value), i > 0 && typeof value === "number")),
    });
  return new Table({
    style: STYLE.table,
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [row(head, true), ...body.map((cells) => row(cells))],
  });
}

/** The same columns as `tally.csv`, with its total row. */
function tallySection(source: DebriefSource, labels: DebriefLabels): (Paragraph | Table)[] {
  const { tally, settings } = source;
  const rows = tallyRows(tally, labels);
  const sum = (pick: (row: TallyRow) => number) => rows.reduce((total, row) => total + pick(row), 0);
  const columns: { label: string; value: (row: TallyRow) => number }[] = [
    { label: labels.notes, value: (r) => r.count },
    { label: labels.votes, value: (r) => r.votes },
    ...settings.prompts.map((p) => ({ label: p.label, value: (r: TallyRow) => r.byPrompt[p.id] ?? 0 })),
    ...settings.categories.map((c) => ({ label: c.label, value: (r: TallyRow) => r.byCategory[c.id] ?? 0 })),
    { label: labels.noCategory, value: (r) => r.byCategory[""] ?? 0 },
  ];
  const body = [
    ...rows.map((row) => [row.title || "—", ...columns.map((c) => c.value(row))]),
    [labels.total, ...columns.map((c) => sum(c.value))],
  ];
  const chartRows = rows.filter((row) => row.themeId !== null || row.count > 0);
  return [
    new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun(labels.tally)] }),
    table([labels.theme, ...columns.map((c) => c.label)], body),
    ...(chartRows.length === 0 || tally.total === 0
      ? []
      : [
          new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(labels.chart)] }),
          new Paragraph({
            children: [
              new ChartRun({
                type: "bar",
                categories: chartRows.map((row) => plain(row.title) || "—"),
                series: [{ name: labels.notes, values: chartRows.map((row) => row.count), color: "2F5D8A" }],
                legend: false,
                dataLabels: { value: true },
                // Word draws a bar chart's first category at the bottom: the themes then read top-down.
                categoryAxis: { reverseOrder: true },
                valueAxis: { numberFormat: "0" },
                transformation: { width: TEXT_WIDTH_PX, height: Math.min(900, 80 + 28 * chartRows.length) },
                altText: { name: "chart", title: labels.chartAlt, description: labels.chartAlt },
              }),
            ],
          }),
        ]),
  ];
}

/** Every visible note once, under its theme: themes in board order, then the notes outside every theme. */
function notesSection(source: DebriefSource, labels: DebriefLabels): Paragraph[] {
  const { tally, settings } = source;
  const out = [new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun(labels.notesByTheme)] })];
  if (tally.total === 0) return [...out, new Paragraph(labels.noNotes)];
  const label = (choices: { id: string; label: string }[], id: string) => choices.find((c) => c.id === id)?.label;
  const groups = [
    ...tally.themes.map((theme) => ({ title: theme.title || "—", id: theme.themeId })),
    ...(tally.outside.count > 0 ? [{ title: labels.outside, id: null }] : []),
  ];
  for (const group of groups) {
    out.push(new Paragraph({ heading: HeadingLevel.HEADING_2, children: runs(group.title) }));
    const notes = tally.notes.filter((n) => n.themeId === group.id);
    if (notes.length === 0) out.push(new Paragraph({ style: STYLE.noteMeta, text: labels.emptyTheme }));
    for (const note of notes) {
      out.push(new Paragraph({ style: STYLE.note, bidirectional: rightToLeft(note.text), children: runs(note.text) }));
      const details = [
        label(settings.prompts, note.prompt),
        label(settings.categories, note.category),
        note.author || labels.anonymous,
        note.votes > 0 ? labels.dots(note.votes) : undefined,
      ].filter((part): part is string => Boolean(part));
      out.push(new Paragraph({ style: STYLE.noteMeta, children: runs(details.join(" · ")) }));
    }
  }
  return out;
}

/** Only when there were dots in this state (none while a vote hid its totals). */
function voteSection(source: DebriefSource, labels: DebriefLabels): (Paragraph | Table)[] {
  const rows = tallyRows(source.tally, labels).filter((row) => row.votes > 0);
  if (rows.length === 0) return [];
  const ranked = [...rows].sort((a, b) => b.votes - a.votes);
  return [
    new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun(labels.voteResults)] }),
    new Paragraph(labels.voteIntro(source.settings.vote.target, source.voters)),
    table(
      [labels.theme, labels.votes],
      ranked.map((row) => [row.title || "—", row.votes]),
    ),
  ];
}

function methodSection(source: DebriefSource, labels: DebriefLabels): Paragraph[] {
  return [
    new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun(labels.method)] }),
    new Paragraph(labels.methodText(source.participants, source.tally.total, source.tally.themes.length)),
    new Paragraph(labels.moderation[source.settings.moderation]),
  ];
}
