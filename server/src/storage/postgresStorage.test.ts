import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import * as Y from "yjs";
import { startPostgres, type PostgresCluster } from "../testing/postgresCluster.ts";
import { PostgresStorage } from "./postgresStorage.ts";
import { PG_MIGRATIONS } from "./postgresSchema.ts";
import type { Storage } from "./storage.ts";
import { describeStorageContract } from "./storageContract.ts";

let cluster: PostgresCluster;
const urls = new WeakMap<Storage, string>();
let relays = 0;

beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);

afterAll(() => cluster?.stop());

async function openAt(url: string, leaseMs = 5_000): Promise<PostgresStorage> {
  const s = await PostgresStorage.open({ url, relayId: `relay-${++relays}`, leaseMs });
  await s.advertise(`http://127.0.0.1:${10_000 + relays}`);
  urls.set(s, url);
  return s;
}

function pgStorage(s: Storage): PostgresStorage {
  if (!(s instanceof PostgresStorage)) throw new Error("not a PostgresStorage");
  return s;
}

/** A constraint no new row can meet: every write of the next commits fails in PostgreSQL itself. */
async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describeStorageContract("PostgresStorage", {
  open: async () => openAt(await cluster.createDatabase()),
  reopen: async (s) => {
    const url = urls.get(s);
    if (!url) throw new Error("unknown handle");
    await s.close();
    return openAt(url);
  },
  fault: (s) =>
    admin(urls.get(pgStorage(s))!, "ALTER TABLE updates ADD CONSTRAINT atelier_fault CHECK (false) NOT VALID"),
  heal: (s) => admin(urls.get(pgStorage(s))!, "ALTER TABLE updates DROP CONSTRAINT IF EXISTS atelier_fault"),
});

function mapUpdate(key: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getMap("m").set(key, key);
  return Y.encodeStateAsUpdate(doc);
}

async function board(s: PostgresStorage, id: string): Promise<void> {
  await s.createBoard({ id, joinCode: id.slice(-6).toUpperCase(), title: id, createdAt: 1 }, [], {});
}

describe("PostgresStorage specifics", () => {
  it("migrates a new database to the last schema, and opening again changes nothing", async () => {
    const url = await cluster.createDatabase();
    await (await openAt(url)).close();
    const s = await openAt(url);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query("SELECT version, name FROM atelier_migrations ORDER BY version");
    await client.end();
    expect(rows).toEqual(PG_MIGRATIONS.map((m, i) => ({ version: i + 1, name: m.name })));
    expect(s.relaySecret()).toMatch(/^[0-9a-f]{64}$/);
    await s.close();
  });

  it("002_relays_owners_and_fenced_commit upgrades a database left at 001, keeping its boards", async () => {
    const url = await cluster.createDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    // A database as the first release of this schema left it.
    await client.query(
      "CREATE TABLE atelier_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    );
    await client.query(PG_MIGRATIONS[0]!.sql);
    await client.query("INSERT INTO atelier_migrations (version, name) VALUES (1, $1)", [PG_MIGRATIONS[0]!.name]);
    await client.query(
      "INSERT INTO boards (id, join_code, title, created_at) VALUES ('b-old00001', 'OLD001', 'Avant', 1)",
    );
    await client.end();
    const s = await openAt(url);
    expect(await s.getBoard("b-old00001")).toMatchObject({ title: "Avant", joinCode: "OLD001" });
    expect(await s.claim("b-old00001")).toEqual({ owner: "self" });
    await s.enqueue({ type: "update", boardId: "b-old00001", doc: "room", update: mapUpdate("x") });
    expect(await s.loadDoc("b-old00001", "room")).toHaveLength(1);
    await s.close();
  });

  it("refuses a database written by a newer Atelier", async () => {
    const url = await cluster.createDatabase();
    await (await openAt(url)).close();
    await admin(url, `INSERT INTO atelier_migrations (version, name) VALUES (${PG_MIGRATIONS.length + 1}, 'future')`);
    await expect(openAt(url)).rejects.toThrow(/newer Atelier/);
  });

  it("[D2] group commit: ops enqueued in one turn make one commit, in one round trip", async () => {
    const s = await openAt(await cluster.createDatabase());
    await board(s, "b-group1");
    await s.claim("b-group1");
    const before = s.stats.commits;
    await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        s.enqueue({ type: "owner", boardId: "b-group1", noteId: `note-${i}`, participantHash: "p" }),
      ),
    );
    expect(s.stats.commits).toBe(before + 1);
    expect((await s.loadOwners("b-group1")).size).toBe(5);
    await s.close();
  });

  it("[D7] a board claimed by one relay is owned elsewhere for another, until released", async () => {
    const url = await cluster.createDatabase();
    const a = await openAt(url);
    const b = await openAt(url);
    await board(a, "b-owner01");
    expect(await a.claim("b-owner01")).toEqual({ owner: "self" });
    const aUrl = `http://127.0.0.1:${10_000 + relays - 1}`;
    expect(await b.claim("b-owner01")).toEqual({ owner: "other", url: aUrl });
    expect(await b.ownerElsewhere("b-owner01")).toBe(aUrl);
    // b has not claimed it: its ops are refused before they reach PostgreSQL.
    await expect(
      b.enqueue({ type: "update", boardId: "b-owner01", doc: "room", update: mapUpdate("b") }),
    ).rejects.toThrow(/ownership/);
    await a.release("b-owner01");
    expect(await b.claim("b-owner01")).toEqual({ owner: "self" });
    await b.enqueue({ type: "update", boardId: "b-owner01", doc: "room", update: mapUpdate("b") });
    expect(await a.ownerElsewhere("b-owner01")).not.toBeNull();
    await a.close();
    await b.close();
  });

  it("[D7] fencing: a silent owner is cut off by the relay taking over; it commits nothing more", async () => {
    const url = await cluster.createDatabase();
    // The old owner's heartbeat is far apart; the new one treats 300 ms of silence as gone.
    const old = await openAt(url, 600_000);
    const taker = await openAt(url, 300);
    const lost: string[][] = [];
    old.onOwnershipLost((ids) => lost.push(ids));
    await board(old, "b-fence01");
    await old.claim("b-fence01");
    await old.enqueue({ type: "update", boardId: "b-fence01", doc: "room", update: mapUpdate("before") });
    await new Promise((r) => setTimeout(r, 400));
    expect(await taker.claim("b-fence01")).toEqual({ owner: "self" });
    await expect(
      old.enqueue({ type: "update", boardId: "b-fence01", doc: "room", update: mapUpdate("after") }),
    ).rejects.toBeDefined();
    await expect.poll(() => lost).toEqual([["b-fence01"]]);
    // Claiming again from the old relay finds the new owner alive.
    expect((await old.claim("b-fence01")).owner).toBe("other");
    const doc = new Y.Doc();
    for (const u of await taker.loadDoc("b-fence01", "room")) Y.applyUpdate(doc, u);
    expect(doc.getMap("m").toJSON()).toEqual({ before: "before" });
    await old.close();
    await taker.close();
  });

  it("control events reach the other relays", async () => {
    const url = await cluster.createDatabase();
    const a = await openAt(url);
    const b = await openAt(url);
    const heard: unknown[] = [];
    b.onControl((e) => heard.push(e));
    await a.announce({ type: "link-revoked", boardId: "x", role: "projector" });
    await expect.poll(() => heard).toEqual([{ type: "link-revoked", boardId: "x", role: "projector" }]);
    await a.close();
    await b.close();
  });
});
