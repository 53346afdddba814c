import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import JSZip from "jszip";
import mammoth from "mammoth";
import { startTestRelay, removeDir } from "../support/relay.ts";
import { PhoneClient } from "../support/phoneClient.ts";
import { FIXTURE_NOTES } from "../fixtures/boardFixture.ts";

type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;
const ROOT = new URL("../..", import.meta.url).pathname;
const PNG_1x2 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAACCAIAAAAW4yFwAAAAEElEQVR4nGP4////fwYGBgAJ+AP9a5VgxgAAAABJRU5ErkJggg==";

/** Notes a participant might type, and a document writer must keep inert. */
const HOSTILE = [
  "<script>alert(1)</script> & </w:t><w:t>injection",
  "=SOMME(A1:A9)",
  "مساحة آمنة للشباب",
  "Écouter 👂🏽 les jeunes\nsur deux lignes",
];

/** Paragraphs of a .docx as a real reader gives them, line breaks kept. */
async function paragraphs(docx: Buffer): Promise<string[]> {
  const { value } = await mammoth.convertToHtml({ buffer: docx });
  const decode = (s: string) =>
    s
      .replace(/<br \/>/g, "\n")
      .replace(/<[^>]+>/g, "")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, "&");
  return [...value.matchAll(/<(p|h1|h2|td|th)>(.*?)<\/\1>/g)].map((m) => decode(m[2]!));
}

describe("the debrief document (.docx)", () => {
  let relay: TestRelay;
  let boardId = "";
  let facilitator = "";
  let coordinator = "";
  let projector = "";
  let snapshotId = "";
  beforeAll(async () => {
    relay = await startTestRelay();
    // The golden board: two themes, six notes placed in and out of them.
    const imported = await fetch(`${relay.localUrl}/api/boards/import`, {
      method: "POST",
      body: readFileSync(new URL("../fixtures/board-v1.json", import.meta.url)),
    });
    const created = (await imported.json()) as { boardId: string; joinCode: string; links: Record<string, string> };
    boardId = created.boardId;
    const token = (link: string) => new URL(link).hash.replace(/^#key=/, "");
    facilitator = token(created.links.facilitator!);
    coordinator = token(created.links.coordinator!);
    projector = token(created.links.projector!);
    const patch = await fetch(`${relay.localUrl}/api/boards/${boardId}/settings`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${facilitator}` },
      body: JSON.stringify({ submissions: "open" }),
    });
    expect(patch.status).toBe(200);
    // The fixture's note with a phone number was held back at import (rule P4): approved as is.
    for (const note of FIXTURE_NOTES.filter((n) => /\+33/.test(n.text))) {
      const approved = await fetch(`${relay.localUrl}/api/boards/${boardId}/notes/${note.id}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${facilitator}` },
        body: JSON.stringify({ action: "approve" }),
      });
      expect(approved.status).toBe(200);
    }
    const phone = await PhoneClient.connect(relay.localUrl, created.joinCode);
    for (const text of HOSTILE) expect((await phone.submit({ text, author: "<b>Zoé</b>" })).type).toBe("ack");
    phone.close();
    const closed = await fetch(`${relay.localUrl}/api/boards/${boardId}/close`, {
      method: "POST",
      headers: { Authorization: `Bearer ${facilitator}` },
      body: JSON.stringify({ name: "Clôture", png: PNG_1x2 }),
    });
    snapshotId = ((await closed.json()) as { snapshot: { id: string } }).snapshot.id;
  });
  afterAll(async () => {
    await relay.close();
    removeDir(relay.dataDir);
  });

  const download = async (token: string) =>
    fetch(`${relay.localUrl}/api/boards/${boardId}/snapshots/${snapshotId}/debrief.docx`, {
      headers: { Authorization: `Bearer ${token}` },
    });

  it("holds every theme, every count of the tally and every note exactly once, in order", async () => {
    const res = await download(coordinator);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("wordprocessingml.document");
    const text = await paragraphs(Buffer.from(await res.arrayBuffer()));
    const notes = [...FIXTURE_NOTES.map((n) => n.text), ...HOSTILE];
    for (const note of notes)
      expect(
        text.filter((p) => p === note),
        note,
      ).toHaveLength(1);
    // Themes first (board order), then the notes outside every theme, each under its heading.
    const at = (p: string) => text.indexOf(p);
    const section = text.indexOf("Les notes des participant·es, par thème");
    const headings = ["Repérage", "Réseau ; partenaires", "Hors thème"].map((h) => text.indexOf(h, section));
    expect(headings.every((i, k) => i > section && (k === 0 || i > headings[k - 1]!))).toBe(true);
    expect(at(FIXTURE_NOTES[0]!.text)).toBeGreaterThan(headings[0]!);
    expect(at(FIXTURE_NOTES[1]!.text)).toBeGreaterThan(headings[1]!);
    expect(at(FIXTURE_NOTES[5]!.text)).toBeGreaterThan(headings[2]!);
    for (const note of HOSTILE) expect(at(note)).toBeGreaterThan(headings[2]!);
    // The tally table: theme, notes, votes…, as tally.csv; ten notes in all.
    const row = (title: string) => text.slice(text.indexOf(title), text.indexOf(title) + 3);
    expect(row("Repérage")).toEqual(["Repérage", "2", "0"]);
    expect(row("Réseau ; partenaires")).toEqual(["Réseau ; partenaires", "3", "0"]);
    expect(row("Hors thème")).toEqual(["Hors thème", String(1 + HOSTILE.length), "0"]);
    expect(row("Total")).toEqual(["Total", String(6 + HOSTILE.length), "0"]);
    expect(text.some((p) => p.includes("10 notes"))).toBe(true);
    // Hostile labels are text too.
    expect(text.filter((p) => p.includes("<b>Zoé</b>"))).toHaveLength(HOSTILE.length);
  });

  it("embeds the snapshot's stored PNG as the board image, and a native chart", async () => {
    const zip = await JSZip.loadAsync(Buffer.from(await (await download(facilitator)).arrayBuffer()));
    const media = Object.keys(zip.files).filter((name) => name.startsWith("word/media/"));
    expect(media).toHaveLength(1);
    expect((await zip.file(media[0]!)!.async("nodebuffer")).toString("base64")).toBe(PNG_1x2);
    expect(Object.keys(zip.files).some((name) => /^word\/charts\/chart\d+\.xml$/.test(name))).toBe(true);
    // Headings and tables use named styles a user can change.
    const document = await zip.file("word/document.xml")!.async("string");
    expect(document).toContain('<w:pStyle w:val="Heading1"/>');
    expect(document).toContain('<w:tblStyle w:val="AtelierTable"/>');
  });

  it("is refused to the projector link, and the CLI writes the same document", async () => {
    expect((await download(projector)).status).toBe(403);
    const out = join(relay.dataDir, "bilan.docx");
    execFileSync(
      process.execPath,
      [
        "--import",
        "tsx",
        join(ROOT, "server/src/cli.ts"),
        "export",
        "--board",
        boardId,
        `--snapshot=${snapshotId}`,
        "--format",
        "debrief.docx",
        "--out",
        out,
        "--data-dir",
        relay.dataDir,
      ],
      { cwd: ROOT, stdio: "pipe" },
    );
    const text = await paragraphs(readFileSync(out));
    for (const note of HOSTILE) expect(text.filter((p) => p === note)).toHaveLength(1);
  });
});
