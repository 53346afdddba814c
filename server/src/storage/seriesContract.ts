import { afterEach, describe, expect, it } from "vitest";
import type { Storage } from "./storage.ts";
import type { StorageHarness } from "./storageContract.ts";

/** The series part of the `Storage` contract: a network's days, their link and merged theme titles. */
export function describeSeriesContract(name: string, harness: StorageHarness): void {
  describe(`Storage contract (series): ${name}`, () => {
    let handles: Storage[] = [];
    afterEach(async () => {
      for (const s of handles) await s.close().catch(() => undefined);
      handles = [];
    });
    const open = async () => {
      const s = await harness.open();
      handles.push(s);
      return s;
    };
    const reopen = async (s: Storage) => {
      const again = await harness.reopen(s);
      handles.push(again);
      return again;
    };
    async function withBoard(s: Storage): Promise<{ board: { id: string } }> {
      const id = `board-s-${Math.random().toString(36).slice(2, 10)}`;
      const board = {
        id,
        joinCode: `S${Math.random().toString(36).slice(2, 7).toUpperCase()}`,
        title: id,
        createdAt: 1,
      };
      await s.createBoard(board, [{ role: "coordinator", tokenHash: `${id}-coordinator-hash` }], {});
      return { board };
    }

    const series = (id: string) => ({ id, title: `Réseau ${id}`, createdAt: 1_700_000_000_000 });

    it("stores a series with its link; boards join and leave it; links are revocable", async () => {
      const s = await open();
      const { board } = await withBoard(s);
      const id = `series-${Math.random().toString(36).slice(2, 8)}`;
      await s.createSeries(series(id), `${id}-hash`);
      await s.setBoardSeries(board.id, id);
      const t = await reopen(s);
      expect(await t.getSeries(id)).toEqual(series(id));
      expect((await t.listSeries()).map((x) => x.id)).toContain(id);
      expect((await t.getBoard(board.id))?.seriesId).toBe(id);
      expect(await t.findSeriesLink(`${id}-hash`)).toEqual({ seriesId: id, revoked: false });
      await t.replaceSeriesLink(id, `${id}-hash-2`);
      expect(await t.findSeriesLink(`${id}-hash`)).toEqual({ seriesId: id, revoked: true });
      expect(await t.findSeriesLink(`${id}-hash-2`)).toEqual({ seriesId: id, revoked: false });
      await t.setBoardSeries(board.id, null);
      expect((await t.getBoard(board.id))?.seriesId).toBeNull();
    });

    it("keeps merges of theme titles, undone with null", async () => {
      const s = await open();
      const id = `series-${Math.random().toString(36).slice(2, 8)}`;
      await s.createSeries(series(id), `${id}-hash`);
      await s.setSeriesMerge(id, "reperage", "prevention");
      await s.setSeriesMerge(id, "reseau", "partenaires");
      await s.setSeriesMerge(id, "reseau", "coordination");
      const t = await reopen(s);
      expect(await t.seriesMerges(id)).toEqual(
        new Map([
          ["reperage", "prevention"],
          ["reseau", "coordination"],
        ]),
      );
      await t.setSeriesMerge(id, "reperage", null);
      expect(await t.seriesMerges(id)).toEqual(new Map([["reseau", "coordination"]]));
    });

    it("deleting a series removes it, its link and merges, and detaches its boards without deleting them", async () => {
      const s = await open();
      const { board } = await withBoard(s);
      const id = `series-${Math.random().toString(36).slice(2, 8)}`;
      await s.createSeries(series(id), `${id}-hash`);
      await s.setBoardSeries(board.id, id);
      await s.setSeriesMerge(id, "a", "b");
      await s.deleteSeries(id);
      expect(await s.getSeries(id)).toBeNull();
      expect(await s.findSeriesLink(`${id}-hash`)).toBeNull();
      expect(await s.seriesMerges(id)).toEqual(new Map());
      expect((await s.getBoard(board.id))?.seriesId).toBeNull();
    });
  });
}
