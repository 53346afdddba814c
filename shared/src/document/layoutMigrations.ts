import type * as Y from "yjs";
import { DOC_LAYOUT_VERSION, readSettings, settingsMap } from "./docLayout.ts";

/**
 * Upgrades of a stored `room` document, one per layout version, run by the
 * relay when it loads a board (in one commit, origin `migration`). A board
 * stored by every earlier version is kept under tests/fixtures and must keep
 * loading.
 */
export interface LayoutMigration {
  /** The version the document has once this migration ran. */
  to: number;
  name: string;
  migrate(room: Y.Doc): void;
}

export const LAYOUT_MIGRATIONS: readonly LayoutMigration[] = [
  {
    to: 2,
    // Version 2 declares which top-level types only the relay writes (notes,
    // votes, signals: rule R7). The data stays as it was; the stamp tells a
    // newer relay that this board was checked under that rule.
    name: "relay-owned types declared",
    migrate: () => undefined,
  },
];

export class NewerLayoutError extends Error {
  constructor(readonly version: number) {
    super(`board saved by a newer Atelier (document layout ${version}, this relay knows ${DOC_LAYOUT_VERSION})`);
  }
}

/** The migrations a document of `version` still needs, oldest first; a newer document is refused. */
export function migrationsFor(room: Y.Doc): LayoutMigration[] {
  const version = readSettings(room).layoutVersion;
  if (version > DOC_LAYOUT_VERSION) throw new NewerLayoutError(version);
  return LAYOUT_MIGRATIONS.filter((m) => m.to > version);
}

/** Runs them and stamps the version reached; call inside the room's commit. */
export function migrateLayout(room: Y.Doc, migrations: readonly LayoutMigration[]): void {
  for (const migration of migrations) {
    migration.migrate(room);
    settingsMap(room).set("layoutVersion", migration.to);
  }
}
