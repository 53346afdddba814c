import type { BoardSettings } from "@atelier/shared/document/docLayout";
import type { Tally } from "@atelier/shared/derived/tally";

export interface SnapshotInfo {
  id: string;
  name: string;
  kind: "named" | "auto" | "close";
  createdAt: number;
  images?: ("png" | "svg")[];
}

export class NoBoardError extends Error {}

/** The coordinator's calls; downloads go through fetch so the token stays out of URLs. */
export function archiveApi(boardId: string, token: string) {
  const request = async (method: string, path: string, body?: unknown): Promise<Response> => {
    const res = await fetch(`/api/boards/${boardId}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 404 || res.status === 401) throw new NoBoardError(String(res.status));
    if (!res.ok)
      throw new Error(((await res.json().catch(() => ({}))) as { error?: string }).error ?? String(res.status));
    return res;
  };
  return {
    info: async () => (await (await request("GET", "")).json()) as { settings: BoardSettings },
    snapshots: async () =>
      ((await (await request("GET", "/snapshots")).json()) as { snapshots: SnapshotInfo[] }).snapshots,
    tally: async (snapshotId: string) =>
      (await (await request("GET", `/snapshots/${snapshotId}/tally.json`)).json()) as {
        settings: BoardSettings;
        tally: Tally;
      },
    file: async (snapshotId: string, format: string, sep: ";" | ",") => {
      const res = await request("GET", `/snapshots/${snapshotId}/${format}${sep === "," ? "?sep=," : ""}`);
      const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? format;
      return { blob: await res.blob(), name };
    },
    retention: (days: number | null) => request("PATCH", "/retention", { days }),
    remove: () => request("DELETE", ""),
  };
}
export type ArchiveApi = ReturnType<typeof archiveApi>;
