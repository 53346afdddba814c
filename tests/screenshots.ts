/**
 * `pnpm screenshots`: the README's pictures, from a real relay, real phones
 * and Debian's Chromium. Writes docs/img/{board,projector,phone}.png.
 */
import { execSync } from "node:child_process";
import { canvasStore, NOTE_SHAPE_TYPE, type CanvasRecord } from "@atelier/shared/document/canvas";
import { launchChromium, PHONE_VIEWPORT, PROJECTOR_VIEWPORT } from "./support/browser.ts";
import { startE2eRelay } from "./support/e2eRelay.ts";
import { createTestBoard, removeDir } from "./support/relay.ts";
import { connectScreen, waitFor } from "./support/screens.ts";
import { PhoneClient } from "./support/phoneClient.ts";

const NOTES: [string, string, string, string][] = [
  ["Mieux repérer les signaux faibles chez les plus jeunes", "p1", "c1", "Samia"],
  ["Un annuaire partagé des partenaires du réseau", "p2", "c4", ""],
  ["Former les animateurs périscolaires", "p3", "c5", "Julien"],
  ["Des temps d'échange réguliers entre écoles et police", "p1", "c2", ""],
  ["Savoir à qui signaler, et vite", "p2", "c1", ""],
  ["Parler du consentement dès le collège", "p3", "c3", "Inès"],
  ["Une permanence santé au lycée", "p3", "c3", ""],
  ["Le secret partagé : ce qu'on peut dire, à qui", "p1", "c4", "Marc"],
  ["Des supports adaptés aux parents", "p2", "c5", ""],
];
const THEMES = ["Repérage", "Travailler en réseau", "Prévention"];
const THEME_OF = [0, 1, 2, 1, 0, 2, 2, 1, 2];

execSync("pnpm --filter @atelier/client build", { stdio: "ignore" });
const relay = await startE2eRelay();
const browser = await launchChromium();
try {
  const board = await createTestBoard(relay.localUrl, { title: "Réseau VSS mineurs — journée du 30 novembre" });
  const facilitator = await browser.newPage({ viewport: PROJECTOR_VIEWPORT, locale: "fr-FR" });
  await facilitator.goto(`${relay.localUrl}/board/${board.boardId}#key=${board.tokens.facilitator}`);
  await facilitator.locator(".tl-canvas").waitFor();
  for (const title of THEMES) {
    await facilitator.getByLabel("Titre du thème").fill(title);
    await facilitator.getByRole("button", { name: "Nouveau thème" }).click();
  }
  const phones = await Promise.all(NOTES.map(() => PhoneClient.connect(relay.localUrl, board.joinCode)));
  for (const [i, [text, prompt, category, author]] of NOTES.entries()) {
    await phones[i]!.submit({ text, prompt, category, author });
  }
  await facilitator
    .locator(".atelier-note")
    .nth(NOTES.length - 1)
    .waitFor({ state: "attached" });

  // Group the notes into themes, as the facilitator would by dragging them.
  const screen = connectScreen(relay.localUrl, board.boardId, board.tokens.facilitator);
  await screen.synced();
  const kv = canvasStore(screen.doc);
  await waitFor(() => [...kv.map.values()].filter((e) => e.val.type === NOTE_SHAPE_TYPE).length === NOTES.length);
  const frames = [...kv.map.values()]
    .map((e) => e.val)
    .filter((r) => r.type === "frame")
    .sort((a, b) => a.x! - b.x!);
  const slots = new Map<number, number>();
  screen.doc.transact(() => {
    for (const { val } of [...kv.map.values()].filter((e) => e.val.type === NOTE_SHAPE_TYPE)) {
      const index = NOTES.findIndex((_n, i) =>
        phones[i]!.messages.some((m) => m.type === "ack" && m.id === val.props!.noteId),
      );
      const theme = THEME_OF[index]!;
      const slot = slots.get(theme) ?? 0;
      slots.set(theme, slot + 1);
      const frame = frames[theme]!;
      const moved: CanvasRecord = {
        ...val,
        parentId: frame.id,
        x: 40 + (slot % 3) * 215,
        y: 60 + Math.floor(slot / 3) * 215,
      };
      kv.set(val.id, moved);
    }
  }, "board");
  await facilitator.waitForTimeout(800);
  await facilitator.locator(".tl-canvas").click({ position: { x: 600, y: 900 } });
  await facilitator.keyboard.press("Shift+1");
  await facilitator.waitForTimeout(800);
  await facilitator.screenshot({ path: "docs/img/board.png" });

  const projector = await browser.newPage({ viewport: PROJECTOR_VIEWPORT, locale: "fr-FR" });
  await projector.goto(`${relay.localUrl}/screen/${board.boardId}#key=${board.tokens.projector}`);
  await projector.locator(".atelier-note").first().waitFor();
  await projector.waitForTimeout(1200);
  await projector.screenshot({ path: "docs/img/projector.png" });

  const phone = await browser.newPage({ viewport: PHONE_VIEWPORT, locale: "fr-FR" });
  await phone.goto(`${relay.localUrl}/j/${board.joinCode}`);
  await phone.getByLabel("Prénom (facultatif : anonyme sinon)").fill("Camille");
  await phone.getByLabel("Votre note").fill("Associer les clubs sportifs");
  await phone.getByRole("button", { name: "Envoyer" }).click();
  await phone.locator(".note.state-shown").waitFor();
  await phone.getByLabel("Votre note").fill("Des affiches dans les ves");
  await phone.screenshot({ path: "docs/img/phone.png", fullPage: true });
  screen.destroy();
  phones.forEach((p) => p.close());
} finally {
  await browser.close();
  await relay.close();
  removeDir(relay.dataDir);
}
console.log("wrote docs/img/board.png, docs/img/projector.png, docs/img/phone.png");
process.exit(0);
