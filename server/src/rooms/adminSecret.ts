import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { timingSafeEqual } from "node:crypto";
import { dirname, join } from "node:path";
import { newToken } from "./tokens.ts";

/**
 * The organiser's secret: it creates boards from another machine and opens
 * every board's archive and links. Kept in `DATA_DIR/admin-secret`, readable
 * by its owner only, and read at every check (a few bytes), so that
 * `pnpm atelier admin-secret --rotate` takes effect on a running relay.
 */
export class AdminSecret {
  readonly file: string;
  /** Whether this process made the secret (the data folder was new). */
  readonly created: boolean;

  constructor(dataDir: string) {
    this.file = join(dataDir, "admin-secret");
    this.created = !existsSync(this.file);
    if (this.created) this.write(newToken());
    else chmodSync(this.file, 0o600);
  }

  current(): string {
    try {
      return readFileSync(this.file, "utf8").trim();
    } catch {
      return "";
    }
  }

  /** Compares in constant time; an empty secret (file removed) opens nothing. */
  matches(candidate: string): boolean {
    const secret = Buffer.from(this.current());
    const given = Buffer.from(candidate);
    return secret.length > 0 && secret.length === given.length && timingSafeEqual(secret, given);
  }

  rotate(): string {
    const secret = newToken();
    this.write(secret);
    return secret;
  }

  /** Written beside and renamed over: a reader never sees a half-written secret. */
  private write(secret: string): void {
    const next = `${this.file}.${process.pid}.tmp`;
    // With DATABASE_URL nothing else creates the data folder: it holds only this file.
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(next, secret + "\n", { mode: 0o600 });
    chmodSync(next, 0o600);
    renameSync(next, this.file);
  }
}
