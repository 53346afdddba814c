import * as Y from "yjs";
import { DOC_LAYOUT_VERSION, writeSettings } from "@atelier/shared/document/docLayout";
import type { BoardLinks, CreateBoardRequest } from "@atelier/shared/wire/boardSchemas";
import { LIMITS } from "@atelier/shared/wire/limits";
import { Origin } from "@atelier/shared/document/origins";
import { ROLES, type Role } from "@atelier/shared/wire/roles";
import type { Choice } from "@atelier/shared/wire/protocol";
import { cleanLabel } from "@atelier/shared/wire/text";
import { canvasStore, type CanvasRecord } from "@atelier/shared/document/canvas";
import { ACTION_MAP_DEFAULTS, templateRecords } from "@atelier/shared/document/templates";
import type { LinkRecord, Storage } from "../storage/storage.ts";
import type { Rooms } from "./rooms.ts";
import { hashToken, newBoardId, newJoinCode, newToken } from "./tokens.ts";

/** The page each role's link opens; the token rides in the fragment, never sent to a server log. */
export function linkFor(publicUrl: string, boardId: string, role: Role, token: string, joinCode: string): string {
  switch (role) {
    case "facilitator":
      return `${publicUrl}/board/${boardId}#key=${token}`;
    case "projector":
      return `${publicUrl}/screen/${boardId}#key=${token}`;
    case "coordinator":
      return `${publicUrl}/archive/${boardId}#key=${token}`;
    case "participant":
      return `${publicUrl}/j/${joinCode}`;
  }
}

function toChoices(labels: string[], prefix: string): Choice[] {
  return labels
    .map((label) => cleanLabel(label).slice(0, LIMITS.labelMax))
    .filter((label) => label.length > 0)
    .map((label, i) => ({ id: `${prefix}${i + 1}`, label }));
}

/**
 * What a new day takes from an earlier one ("start from an earlier day"):
 * its series, and the canvas records to start from (its themes' frames,
 * empty) instead of the template's zones.
 */
export interface EarlierDay {
  seriesId: string;
  frames: CanvasRecord[] | null;
}

export async function createBoard(
  storage: Storage,
  publicUrl: string,
  request: CreateBoardRequest,
  now = Date.now(),
  earlier?: EarlierDay,
): Promise<{ boardId: string; joinCode: string; links: BoardLinks }> {
  const boardId = newBoardId();
  let joinCode = newJoinCode();
  while (await storage.findBoardByJoinCode(joinCode)) joinCode = newJoinCode();
  const title = cleanLabel(request.title).slice(0, LIMITS.titleMax) || "Atelier";
  // The participant link is the join code itself; it still gets a revocable token row.
  const tokens = Object.fromEntries(ROLES.map((role) => [role, newToken()])) as Record<Role, string>;
  const template = request.template ?? "blank";
  const actionMap = template === "actions";
  const prompts = toChoices(
    request.prompts.length || !actionMap ? request.prompts : ACTION_MAP_DEFAULTS.actionTypes,
    "p",
  );
  const categories = toChoices(
    request.categories.length || !actionMap ? request.categories : ACTION_MAP_DEFAULTS.audiences,
    "c",
  );
  const doc = new Y.Doc();
  doc.transact(() => {
    writeSettings(doc, {
      title,
      date: request.date,
      prompts,
      categories,
      submissions: "open",
      moderation: request.moderation ?? "open",
      language: request.language ?? "fr",
      template,
      phase: "collect",
      layoutVersion: DOC_LAYOUT_VERSION,
    });
    const canvas = canvasStore(doc);
    for (const record of earlier?.frames ?? templateRecords(template, prompts, categories))
      canvas.set(record.id, record);
  }, Origin.creation);
  // The board exists only with its first state: both are stored in one transaction.
  await storage.createBoard(
    { id: boardId, joinCode, title, createdAt: now, seriesId: earlier?.seriesId ?? null },
    ROLES.map((role) => ({ role, tokenHash: hashToken(tokens[role]) })),
    { room: Y.encodeStateAsUpdate(doc) },
  );

  const links = Object.fromEntries(
    ROLES.map((role) => [role, linkFor(publicUrl, boardId, role, tokens[role], joinCode)]),
  ) as unknown as BoardLinks;
  return { boardId, joinCode, links };
}

/** The link a token opens, if it is live and belongs to this board. */
export async function authenticate(storage: Storage, boardId: string, token: string): Promise<LinkRecord | null> {
  if (token.length < 10 || token.length > 100) return null;
  const link = await storage.findLink(hashToken(token));
  if (!link || link.revoked || link.boardId !== boardId) return null;
  return link;
}

/**
 * Re-issues a role's link: the old one is refused from now on, and sockets
 * opened with it are closed at once (4401, final: the page says the link is
 * no longer valid). Null when the board is gone.
 */
export async function reissueLink(
  storage: Storage,
  rooms: Rooms,
  publicUrl: string,
  boardId: string,
  role: Role,
): Promise<string | null> {
  const link = await rotateLink(storage, publicUrl, boardId, role);
  if (link) await rooms.linkRevoked(boardId, role);
  return link;
}

/** Revokes a role's link and returns the new one; for participants, a new join code. */
export async function rotateLink(
  storage: Storage,
  publicUrl: string,
  boardId: string,
  role: Role,
): Promise<string | null> {
  const board = await storage.getBoard(boardId);
  if (!board) return null;
  if (role === "participant") {
    let joinCode = newJoinCode();
    while (await storage.findBoardByJoinCode(joinCode)) joinCode = newJoinCode();
    await storage.replaceJoinCode(boardId, joinCode);
    return linkFor(publicUrl, boardId, role, "", joinCode);
  }
  const token = newToken();
  await storage.replaceLink(boardId, role, hashToken(token));
  return linkFor(publicUrl, boardId, role, token, board.joinCode);
}
