import type {
  ModerationRequest,
  NoteFlagsResponse,
  SettingsPatch,
  SuggestionsResponse,
} from "@atelier/shared/wire/boardSchemas";
import type { BoardSettings } from "@atelier/shared/document/docLayout";

export interface BoardInfo {
  boardId: string;
  role: string;
  joinCode: string;
  participantUrl: string;
  settings: BoardSettings;
  tldrawLicenseKey: string;
  serverTime: number;
  /** Relay clock minus this screen's clock, measured when the page loaded. */
  clockOffset: number;
}

/** The JSON API as a board page uses it, with the page's link token. */
export function boardApi(boardId: string, token: string) {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`/api/boards/${boardId}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body instanceof Blob ? body : body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok)
      throw new Error(((await res.json().catch(() => ({}))) as { error?: string }).error ?? String(res.status));
    return (await res.json()) as T;
  };
  return {
    info: async () => {
      const sent = Date.now();
      const info = await call<BoardInfo>("GET", "");
      // Half the round trip: the relay read its clock about then.
      return { ...info, clockOffset: info.serverTime - (sent + Date.now()) / 2 };
    },
    settings: (patch: SettingsPatch) => call("PATCH", "/settings", patch),
    moderate: (noteId: string, request: ModerationRequest) => call("POST", `/notes/${noteId}`, request),
    flags: () => call<NoteFlagsResponse>("GET", "/flags"),
    suggestions: (themes?: number) =>
      call<SuggestionsResponse>("GET", `/suggestions${themes === undefined ? "" : `?themes=${themes}`}`),
    snapshot: (body: ArchiveBody) => call("POST", "/snapshots", imagesJson(body)),
    closeDay: (body: ArchiveBody) => call("POST", "/close", imagesJson(body)),
  };
}

interface ArchiveBody {
  name: string;
  /** The board PNG, base64. */
  png?: string;
  svg?: string;
}

/**
 * The archive body (megabytes of images) as JSON in a Blob built from parts: handed one
 * string that size, fetch encoded and copied it on the main thread and froze the board
 * for about 150 ms; the parts are copied once into the Blob, which fetch then streams.
 */
function imagesJson(body: ArchiveBody): Blob {
  const parts = [`{"name":${JSON.stringify(body.name)}`];
  // Base64 holds no character JSON escapes.
  if (body.png !== undefined) parts.push(`,"png":"`, body.png, `"`);
  if (body.svg !== undefined) parts.push(`,"svg":`, JSON.stringify(body.svg));
  parts.push("}");
  return new Blob(parts, { type: "application/json" });
}
export type BoardApi = ReturnType<typeof boardApi>;
