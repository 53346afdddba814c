import { useBrowserAndRelay } from "../support/e2e.ts";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { PHONE_VIEWPORT, PROJECTOR_VIEWPORT } from "../support/browser.ts";
import { createTestBoard } from "../support/relay.ts";
import { PhoneClient } from "../support/phoneClient.ts";

type Tally = { tally: { themes: { title: string; count: number; votes: number }[]; outside: { count: number } } };

describe("facilitation tools in the browser", () => {
  const e2e = useBrowserAndRelay();

  const tally = async (boardId: string, token: string) =>
    (await (
      await fetch(`${e2e.relay.localUrl}/api/boards/${boardId}/snapshots/live/tally.json`, {
        headers: { Authorization: `Bearer ${token}` },
      })
    ).json()) as Tally;
  const openBoard = async (boardId: string, token: string, role: "board" | "screen" = "board") => {
    const page = await e2e.browser.newPage({ viewport: PROJECTOR_VIEWPORT, locale: "fr-FR" });
    await page.goto(`${e2e.relay.localUrl}/${role}/${boardId}#key=${token}`);
    await page.locator(".tl-canvas").waitFor();
    return page;
  };

  it.each([
    ["actions", { prompts: [], categories: [] }, { prompt: "p2", category: "c3" }, "Parents · Former"],
    ["bilan", {}, { prompt: "p2", category: "c1" }, "Ce dont j'ai besoin"],
    ["blank", {}, { prompt: "p1", category: "c1" }, null],
  ] as const)(
    "template %s: a phone note lands in its zone and is counted there",
    async (template, fields, choice, zone) => {
      const board = await createTestBoard(e2e.relay.localUrl, { template, ...fields } as never);
      const facilitator = await openBoard(board.boardId, board.tokens.facilitator);
      const phone = await PhoneClient.connect(e2e.relay.localUrl, board.joinCode);
      await phone.submit({ text: `Une action pour ${template}`, ...choice });
      await facilitator
        .locator(".atelier-note", { hasText: `Une action pour ${template}` })
        .waitFor({ state: "attached" });
      await expect
        .poll(async () => {
          const { tally: t } = await tally(board.boardId, board.tokens.coordinator);
          return zone === null ? t.outside.count : (t.themes.find((th) => th.title === zone)?.count ?? -1);
        })
        .toBe(1);
      if (template === "actions") {
        const { tally: t } = await tally(board.boardId, board.tokens.coordinator);
        expect(t.themes).toHaveLength(12); // 4 audiences × 3 types of action
      }
      phone.close();
      await facilitator.close();
    },
  );

  it("moves through the phases: phones are told what the phase forbids, votes revealed on the board and the projector when the vote closes", async () => {
    const board = await createTestBoard(e2e.relay.localUrl);
    const facilitator = await openBoard(board.boardId, board.tokens.facilitator);
    const phone = await e2e.browser.newPage({ viewport: PHONE_VIEWPORT, locale: "fr-FR" });
    await phone.goto(`${e2e.relay.localUrl}/j/${board.joinCode}`);
    await phone.getByLabel("Votre note").fill("Une idée à voter");
    await phone.getByRole("button", { name: "Envoyer" }).click();
    await phone.locator(".note.state-shown").waitFor();

    await facilitator.getByRole("button", { name: "Regroupement par thèmes" }).click();
    await phone.getByText("Étape : Regroupement par thèmes").waitFor();
    await phone.getByText("À cette étape, on ne poste plus de notes.").waitFor();
    expect(await phone.getByLabel("Votre note").count()).toBe(0);
    // A phone that insists anyway, straight to the relay, is refused.
    const direct = await PhoneClient.connect(e2e.relay.localUrl, board.joinCode);
    expect(await direct.submit({ text: "en douce" })).toMatchObject({ reason: "phase_forbids" });

    await facilitator.getByLabel("Gommettes par personne").fill("2");
    await facilitator.getByRole("button", { name: "Ouvrir le vote" }).click();
    await phone.getByText("Il vous reste 2 gommettes sur 2.").waitFor();
    await phone.getByRole("button", { name: "Ajouter une gommette à « Une idée à voter »" }).click();
    await phone.getByText("Il vous reste 1 gommette sur 2.").waitFor();
    await phone.getByRole("button", { name: "Ajouter une gommette à « Une idée à voter »" }).click();
    await phone.getByText("Il vous reste 0 gommette sur 2.").waitFor();
    expect(await phone.getByRole("button", { name: "Ajouter une gommette à « Une idée à voter »" }).isDisabled()).toBe(
      true,
    );
    // Totals wait for the close of the vote: the board and the projector show only who has voted.
    const projector = await openBoard(board.boardId, board.tokens.projector, "screen");
    await facilitator.getByTestId("voters-hidden").filter({ hasText: "1 participant·e a voté" }).waitFor();
    await projector.getByTestId("projector-voters").filter({ hasText: "1 participant·e a voté" }).waitFor();
    expect(await facilitator.getByTestId("note-votes").count()).toBe(0);
    expect(await projector.getByTestId("note-votes").count()).toBe(0);
    await facilitator.getByRole("button", { name: "Fermer le vote" }).click();
    await expect.poll(() => facilitator.getByTestId("note-votes").first().textContent()).toContain("2");
    await expect.poll(() => projector.getByTestId("note-votes").first().textContent()).toContain("2");
    expect(await projector.getByTestId("projector-voters").count()).toBe(0);
    await projector.close();

    await phone.getByRole("button", { name: "J'ai fini" }).click();
    await facilitator.getByText("1 participant·e a fini").waitFor();
    await facilitator.getByRole("button", { name: "Journée close" }).click();
    await phone.getByText("Étape : Journée close").waitFor();
    direct.close();
    await phone.close();
    await facilitator.close();
  });

  it("keeps the timer in step on the projector and the phones, across a reload", async () => {
    const board = await createTestBoard(e2e.relay.localUrl);
    const facilitator = await openBoard(board.boardId, board.tokens.facilitator);
    const projector = await openBoard(board.boardId, board.tokens.projector, "screen");
    const phone = await e2e.browser.newPage({ viewport: PHONE_VIEWPORT, locale: "fr-FR" });
    await phone.goto(`${e2e.relay.localUrl}/j/${board.joinCode}`);
    await phone.getByText("En ligne").waitFor();
    await facilitator.getByLabel("Durée (minutes)").fill("3");
    await facilitator.getByRole("button", { name: "Lancer" }).click();
    await projector.getByTestId("projector-timer").waitFor();
    await phone.locator("#timer").filter({ hasText: "Temps restant" }).waitFor();

    const seconds = (text: string | null) => {
      const [m, s] = /(\d\d):(\d\d)/
        .exec(text ?? "")!
        .slice(1)
        .map(Number);
      return m! * 60 + s!;
    };
    const compare = async (p: Page) => {
      const [a, b] = await Promise.all([
        projector.getByTestId("projector-timer").textContent(),
        p.locator("#timer").textContent(),
      ]);
      return Math.abs(seconds(a) - seconds(b));
    };
    expect(await compare(phone)).toBeLessThanOrEqual(1);
    expect(seconds(await projector.getByTestId("projector-timer").textContent())).toBeGreaterThan(170);
    await phone.reload();
    await phone.locator("#timer").filter({ hasText: "Temps restant" }).waitFor();
    await projector.reload();
    await projector.getByTestId("projector-timer").waitFor();
    expect(await compare(phone)).toBeLessThanOrEqual(1);
    for (const p of [facilitator, projector, phone]) await p.close();
  });
});
