import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { CloseCode } from "@atelier/shared/wire/closeCodes";
import { isJoinCode, LIMITS, normalizeJoinCode } from "@atelier/shared/wire/limits";
import type { DocName } from "@atelier/shared/document/docLayout";
import type { RelayConfig } from "./config.ts";
import { openStorage } from "./storage/openStorage.ts";
import type { Storage } from "./storage/storage.ts";
import { OwnedElsewhereError, Rooms } from "./rooms/rooms.ts";
import { authenticate } from "./rooms/boards.ts";
import { AdminSecret } from "./rooms/adminSecret.ts";
import { defaultPublicUrl } from "./publicUrl.ts";

export { defaultPublicUrl, lanAddresses } from "./publicUrl.ts";
import { ScreenConnection } from "./sync/screenConnection.ts";
import { ParticipantConnection } from "./ingest/participantConnection.ts";
import { keepVoteTotalsInStep } from "./ingest/voting.ts";
import { deleteExpiredBoards, sweepRetentionHourly } from "./archive/retention.ts";
import { ConnectionsPerAddress, JoinGuesses } from "./guards/addressLimits.ts";
import { wsSocket } from "./transport/wsSocket.ts";
import { Liveness } from "./transport/liveness.ts";
import { dispatch } from "./http/router.ts";
import { ROUTES } from "./http/routes.ts";
import { sendJson, setSecurityHeaders } from "./http/headers.ts";
import { serveStatic } from "./http/staticFiles.ts";
import { parseRequestUrl } from "./http/requestUrl.ts";
import { clientAddress, forwardHttp, forwardUpgrade, fromRelay } from "./cluster/forwarding.ts";
import { StageTimings } from "./rooms/stageTimings.ts";

export interface Relay {
  server: Server;
  storage: Storage;
  rooms: Rooms;
  /** Base URL of the links handed out. */
  publicUrl: string;
  /** Where this process actually listens (port 0 resolved). */
  localUrl: string;
  /** Whether phones on the venue network can reach the links handed out. */
  lanReachable: boolean;
  admin: AdminSecret;
  /** The admin secret now (it may be rotated while the relay runs). */
  readonly adminSecret: string;
  close(): Promise<void>;
}

const SCREEN_PATH = /^\/ws\/board\/([a-z0-9]{1,32})\/(room|inbox)$/;
const PHONE_PATH = /^\/ws\/phone\/([A-Za-z0-9-]{1,20})$/;
/** API calls about one board: answered by the relay owning it (rule D7). */
const BOARD_API_PATH = /^\/api\/boards\/(?!import$)([a-z0-9]{1,32})(?:\/|$)/;

export async function startRelay(config: RelayConfig, log: (m: string) => void = console.log): Promise<Relay> {
  const storage = await openStorage(config, log);
  const secret = storage.relaySecret();
  const admin = new AdminSecret(config.dataDir);
  const timings = config.stageTimings ? new StageTimings(log) : null;
  const rooms = new Rooms(storage, {
    compactAfter: config.compactAfter,
    idleUnloadMs: config.idleUnloadMs,
    autoSnapshotMs: config.autoSnapshotMs,
    log,
    timings,
    // Vote totals follow the vote's settings however they change (API or a screen's update).
    onLoad: keepVoteTotalsInStep,
  });
  let publicUrl = config.publicUrl ?? "";
  const connections = new ConnectionsPerAddress(LIMITS.connectionsPerAddress);
  const joinGuesses = new JoinGuesses();
  const liveness = new Liveness();

  /** The owner's address when another live relay owns the board and this request may go there. */
  async function ownerElsewhere(req: IncomingMessage, boardId: string | undefined): Promise<string | null> {
    if (!secret || !boardId || fromRelay(req, secret)) return null;
    return storage.ownerElsewhere(boardId);
  }

  const server = createServer((req, res) => {
    setSecurityHeaders(res);
    const requestUrl = parseRequestUrl(req.url);
    if (!requestUrl) return sendJson(res, 400, { error: "bad_request_target" });
    (async () => {
      const owner = await ownerElsewhere(req, BOARD_API_PATH.exec(requestUrl.pathname)?.[1]);
      if (owner) return forwardHttp(req, res, owner, secret!);
      if (
        await dispatch(
          ROUTES,
          {
            storage,
            rooms,
            publicUrl,
            boardCreation: config.boardCreation,
            admin,
            tldrawLicenseKey: config.tldrawLicenseKey,
            joinGuesses,
          },
          req,
          res,
        )
      ) {
        return;
      }
      if (config.clientDir && serveStatic(config.clientDir, req, res)) return;
      sendJson(res, 404, { error: "not_found" });
    })().catch((error: unknown) => {
      log(`http error: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) sendJson(res, 503, { error: "storage_unavailable" });
      else res.destroy();
    });
  });

  // Separate servers only to give phones a much smaller frame limit than screens.
  const screenWss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.screenFrameBytes });
  const phoneWss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.phoneFrameBytes });

  async function attachScreen(ws: WebSocket, boardId: string, docName: DocName, token: string): Promise<void> {
    if (!(await storage.getBoard(boardId))) return ws.close(CloseCode.UnknownBoard, "no such board");
    const link = await authenticate(storage, boardId, token);
    if (!link || link.role === "participant") return ws.close(CloseCode.Unauthorized, "invalid link");
    if (docName === "inbox" && link.role !== "facilitator") {
      return ws.close(CloseCode.Forbidden, "the inbox is for facilitators");
    }
    const room = await rooms.open(boardId);
    // Loading may take a while: a link re-issued meanwhile found no room to close, so ask again.
    if (!(await authenticate(storage, boardId, token))) return ws.close(CloseCode.Unauthorized, "invalid link");
    const connection = new ScreenConnection(wsSocket(ws), room, docName, link.role, log);
    liveness.setKeepAlive(ws, () => connection.keepAlive());
  }

  async function attachPhone(ws: WebSocket, rawCode: string, address: string): Promise<void> {
    if (joinGuesses.blocked(address)) return ws.close(CloseCode.RateLimited, "too many unknown codes");
    const code = normalizeJoinCode(rawCode);
    const board = isJoinCode(code) ? await storage.findBoardByJoinCode(code) : null;
    if (!board) {
      joinGuesses.failed(address);
      return ws.close(CloseCode.UnknownBoard, "no such board");
    }
    const room = await rooms.open(board.id);
    new ParticipantConnection(wsSocket(ws), room);
  }

  /** The board an upgrade is for: in the path for screens, behind the join code for phones. */
  async function upgradeBoard(
    screen: RegExpExecArray | null,
    phone: RegExpExecArray | null,
  ): Promise<string | undefined> {
    if (screen) return screen[1];
    const code = normalizeJoinCode(phone![1]!);
    return isJoinCode(code) ? (await storage.findBoardByJoinCode(code))?.id : undefined;
  }

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => undefined);
    const url = parseRequestUrl(req.url);
    if (!url) {
      socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
      return;
    }
    const screen = SCREEN_PATH.exec(url.pathname);
    const phone = PHONE_PATH.exec(url.pathname);
    const wss = screen ? screenWss : phone ? phoneWss : null;
    if (!wss) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
      return;
    }
    const address = clientAddress(req, secret);
    if (!secret || fromRelay(req, secret)) return upgrade(wss, req, socket, head, screen, phone, url, address);
    // Several relays: the board's owner takes the socket; this one only passes bytes on.
    upgradeBoard(screen, phone)
      .then((boardId) => ownerElsewhere(req, boardId))
      .then(
        (owner) => {
          if (owner) forwardUpgrade(req, socket, head, owner, secret);
          else upgrade(wss, req, socket, head, screen, phone, url, address);
        },
        // The store is away: the socket is accepted and closed with the transient code, so stock
        // clients back off and come again (the attach below fails the same way).
        () => upgrade(wss, req, socket, head, screen, phone, url, address),
      );
  });

  function upgrade(
    wss: WebSocketServer,
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    screen: RegExpExecArray | null,
    phone: RegExpExecArray | null,
    url: URL,
    address: string,
  ): void {
    wss.handleUpgrade(req, socket, head, (ws) => {
      // Refused sockets too: an invalid frame on a closing socket must not become an uncaught error.
      ws.on("error", () => undefined);
      if (!connections.open(address)) return ws.close(CloseCode.RateLimited, "too many connections from this address");
      ws.once("close", () => connections.closed(address));
      // From the handshake on: a client that upgrades and then stays silent is dropped too.
      liveness.watch(ws);
      // Hold incoming frames until the connection is authenticated and attached.
      ws.pause();
      const attached = screen
        ? attachScreen(ws, screen[1]!, screen[2] as DocName, url.searchParams.get("token") ?? "")
        : attachPhone(ws, phone![1]!, address);
      attached.then(
        () => ws.resume(),
        (error: unknown) => {
          // Reading again, so that the close handshake completes now rather than after ws's 30 s.
          ws.resume();
          // Taken by another relay since the check above: reconnecting reaches it.
          if (error instanceof OwnedElsewhereError) return ws.close(CloseCode.StorageUnavailable, "board moved");
          // Never the URL: it carries the token.
          log(`upgrade failed: ${error instanceof Error ? error.message : String(error)}`);
          ws.close(CloseCode.StorageUnavailable, "relay busy or storage unavailable");
        },
      );
    });
  }

  await deleteExpiredBoards(storage, rooms, log);
  const stopSweeping = sweepRetentionHourly(storage, rooms, log);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const localUrl = `http://127.0.0.1:${port}`;
  let lanReachable = true;
  if (!publicUrl) ({ url: publicUrl, lanReachable } = defaultPublicUrl(config.host, port));
  await storage.advertise(config.relayInternalUrl ?? defaultPublicUrl(config.host, port).url);

  return {
    server,
    storage,
    rooms,
    publicUrl,
    localUrl,
    lanReachable,
    admin,
    get adminSecret() {
      return admin.current();
    },
    async close() {
      stopSweeping();
      liveness.stop();
      await rooms.closeAll(CloseCode.GoingAway, "relay stopping");
      for (const ws of [...screenWss.clients, ...phoneWss.clients]) ws.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await storage.close();
      timings?.stop();
    },
  };
}
