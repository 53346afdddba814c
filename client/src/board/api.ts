import type { ModerationRequest } from "@atelier/shared/boardSchemas";
import type { BoardSettings } from "@atelier/shared/docLayout";

export interface BoardInfo {
  boardId: string;
  role: string;
  joinCode: string;
  participantUrl: string;
  settings: BoardSettings;
  tldrawLicenseKey: string;
}

/** The JSON API as a board page uses it, with the page's link token. */
export function boardApi(boardId: string, token: string) {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`/api/boards/${boardId}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok)
      throw new Error(((await res.json().catch(() => ({}))) as { error?: string }).error ?? String(res.status));
    return (await res.json()) as T;
  };
  return {
    info: () => call<BoardInfo>("GET", ""),
    settings: (patch: { submissions?: "open" | "locked"; moderation?: "open" | "controlled" }) =>
      call("PATCH", "/settings", patch),
    moderate: (noteId: string, request: ModerationRequest) => call("POST", `/notes/${noteId}`, request),
    snapshot: (body: { name: string; png?: string; svg?: string }) => call("POST", "/snapshots", body),
    closeDay: (body: { name: string; png?: string; svg?: string }) => call("POST", "/close", body),
  };
}
export type BoardApi = ReturnType<typeof boardApi>;
