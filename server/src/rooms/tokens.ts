import { createHash, randomInt } from "node:crypto";
import { customAlphabet, nanoid } from "nanoid";
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH } from "@atelier/shared/wire/limits";

/** 24 nanoid characters: 144 bits, unguessable. Only the hash is stored. */
export function newToken(): string {
  return nanoid(24);
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

export const newBoardId = customAlphabet("abcdefghijkmnpqrstuvwxyz23456789", 12);

export function newJoinCode(): string {
  let code = "";
  for (let i = 0; i < JOIN_CODE_LENGTH; i++) code += JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)];
  return code;
}

// Letters and digits only: an id starting with "-" would read as an option on a command line.
export const newSnapshotId = customAlphabet("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 12);
