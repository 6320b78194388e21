import type * as Party from "partykit/server";
import { unstable_getYDoc, type YPartyKitOptions } from "y-partykit";
import * as Y from "yjs";
import type { RoomEvent, SnapshotReason } from "../shared/room-callbacks";
import { RoomCloseCode, roomCloseReason } from "../shared/room-protocol";
import { ROOM_TOKEN_SECRET_MIN_LENGTH, type RoomRole, type RoomTokenClaims } from "../shared/room-token";
import { truncateText } from "../shared/text";
import { admitToRoom, refusal, tokenFromUrl, verifiedUserFrom, withVerifiedUser } from "./auth";
import { handleControlRequest } from "./control-requests";
import { DocumentSession, type Participant } from "./document-session";
import { type RoomLimits, readRoomLimits } from "./limits";
import { type EventStore, newRoomEventId, RoomEventQueue } from "./room-events";
import { CoalescingUpdateLog } from "./update-log";
import { AccessDenied, ProjectNotFound, WorkerClient } from "./worker-client";

/** What each connection remembers about its user: `role` as the Worker admitted it, `sid` the token's session. */
export interface ConnectionState {
  user: Pick<RoomTokenClaims, "sub" | "name" | "role" | "sid">;
}

/** Debounce of the snapshots POSTed to the Worker (issue #7: 2 s, at most 10 s). */
const SNAPSHOT_DEBOUNCE_MS = 2_000;
const SNAPSHOT_MAX_WAIT_MS = 10_000;

/**
 * A project's live-editing room: one Y.js document per room id (= project id). y-partykit holds the
 * document and persists it in the room's storage; this class admits connections (each one asked of
 * the Worker), hands their frames to the DocumentSession, loads a new room from the Worker's latest
 * snapshot, posts snapshots and member events back, and answers the Worker's control requests.
 */
export default class ProjectRoom implements Party.Server {
  private readonly limits: RoomLimits;
  private readonly worker: WorkerClient | null;
  private readonly events: RoomEventQueue | null;
  /** Connections counted against the limit, from admission (before the document is open) to close. */
  private readonly admitted = new Set<Party.Connection>();
  /** Per connection, the timer that closes it when its room token expires. */
  private readonly expiries = new Map<Party.Connection, ReturnType<typeof setTimeout>>();
  private session: DocumentSession | null = null;
  private opening: Promise<DocumentSession> | null = null;
  /** The Worker's snapshot fetched for an empty room, handed to y-partykit through `load`. */
  private seed: Y.Doc | null = null;
  /** Identical for every unstable_getYDoc call: y-partykit uses the first call's options. */
  private readonly docOptions: YPartyKitOptions;
  private updateLog: CoalescingUpdateLog | null = null;
  /**
   * Set once the project is gone (the Worker tore the room down, or answered an admission with 404):
   * every connection is then refused with this reason, and the room writes and sends nothing more.
   */
  private gone: string | null = null;
  /** Tokens the Worker refused (403), until they expire: the provider's reconnects with them are refused without asking again. */
  private readonly refusedTokens = new Map<string, number>();

  constructor(readonly room: Party.Room) {
    this.limits = readRoomLimits(room.env);
    const secret = room.env.ROOM_TOKEN_SECRET;
    const apiUrl = room.env.PLAZA_API_URL;
    if (typeof apiUrl === "string" && apiUrl !== "" && typeof secret === "string") {
      this.worker = new WorkerClient(apiUrl, secret, room.id);
      const worker = this.worker;
      this.events = new RoomEventQueue((body) => worker.postEvents(body), room.storage as unknown as EventStore);
    } else {
      // Without a Worker (a bare `partykit dev`) the room still serves and persists its document.
      this.worker = null;
      this.events = null;
    }
    this.docOptions = {
      persist: { mode: "snapshot" },
      load: async () => {
        const seed = this.seed;
        this.seed = null;
        return seed;
      },
      callback: {
        handler: (doc) => this.postSnapshot(doc, "auto"),
        debounceWait: SNAPSHOT_DEBOUNCE_MS,
        debounceMaxWait: SNAPSHOT_MAX_WAIT_MS,
      },
    };
  }

  /** Runs at the edge before the upgrade: refused clients never get a socket. */
  static async onBeforeConnect(request: Party.Request, lobby: Party.Lobby): Promise<Party.Request | Response> {
    const secret = lobby.env.ROOM_TOKEN_SECRET;
    // A misconfigured room answers 500, not 401, so it is not mistaken for a client's bad token.
    if (!isUsableSecret(secret)) {
      console.error("ROOM_TOKEN_SECRET is missing or too short; refusing every connection");
      return refusal(500, "room authentication is not configured");
    }
    const url = new URL(request.url);
    const admission = await admitToRoom(tokenFromUrl(url), lobby.id, secret);
    if (!admission.admitted) return refusal(admission.status, admission.reason);
    return asPartyRequest(withVerifiedUser(asStandardRequest(request), admission.claims));
  }

  /** Runs before the room's first connection or request: events a previous run left unsent go first. */
  async onStart(): Promise<void> {
    await this.events
      ?.resume()
      .catch((err) =>
        console.error(
          JSON.stringify({ level: "error", message: "stored room events could not be read", room: this.room.id, error: String(err) }),
        ),
      );
  }

  async onConnect(connection: Party.Connection<ConnectionState>, context: Party.ConnectionContext): Promise<void> {
    connection.addEventListener("close", (event) => answerClose(connection, event));
    // Defence in depth: only onBeforeConnect sets this header, but never serve a socket without it.
    const user = verifiedUserFrom(asStandardRequest(context.request).headers);
    if (!user || user.room !== this.room.id) {
      connection.close(RoomCloseCode.unauthorized, roomCloseReason.unauthorized);
      return;
    }
    if (this.gone) {
      connection.close(RoomCloseCode.projectNotFound, this.gone);
      return;
    }
    if (this.admitted.size >= this.limits.maxConnections) {
      connection.close(RoomCloseCode.tryAgainLater, roomCloseReason.roomFull(this.limits.maxConnections));
      return;
    }
    this.admitted.add(connection);
    // Set before the Worker is asked, so an access change that lands meanwhile closes this socket too.
    connection.setState({ user: { sub: user.sub, name: user.name, role: user.role, sid: user.sid } });
    const role = await this.admissionRole(connection, user);
    if (!role) return;
    const member = { sub: user.sub, name: user.name, role, sid: user.sid };
    connection.setState({ user: member });
    let session: DocumentSession;
    try {
      session = await this.openDocument();
    } catch (err) {
      this.admitted.delete(connection);
      // A project the Worker does not know is refused for good; anything else is worth a retry.
      if (err instanceof ProjectNotFound) {
        connection.close(RoomCloseCode.projectNotFound, roomCloseReason.projectNotFound);
        return;
      }
      console.error(
        JSON.stringify({ level: "error", message: "room document could not be opened", room: this.room.id, error: String(err) }),
      );
      connection.close(RoomCloseCode.internalError, roomCloseReason.documentUnavailable);
      return;
    }
    // The socket may have closed (or the room been torn down) while the document loaded.
    if (!this.admitted.has(connection)) return;
    session.join(connection, member);
    this.closeAtExpiry(connection, user.exp);
    this.recordMember("member_joined", connection, member);
  }

  onMessage(message: string | ArrayBuffer | ArrayBufferView, connection: Party.Connection): void {
    const participant = this.session?.participant(connection);
    if (participant) this.session?.receive(participant, message);
  }

  onClose(connection: Party.Connection): void {
    this.disconnect(connection);
  }

  onError(connection: Party.Connection): void {
    this.disconnect(connection);
  }

  async onRequest(request: Party.Request): Promise<Response> {
    const secret = this.room.env.ROOM_TOKEN_SECRET;
    if (!isUsableSecret(secret))
      return Response.json({ error: { code: "not_configured", message: "room authentication is not configured" } }, { status: 500 });
    return handleControlRequest(asStandardRequest(request), {
      roomId: this.room.id,
      secret,
      openDocument: () => this.openDocument(),
      restored: (session) => void this.postSnapshot(session.doc, "restore"),
      disconnect: (whom) =>
        this.closeWhere(
          (user) => whom.userIds.has(user.sub) || whom.sessionIds.has(user.sid),
          RoomCloseCode.accessChanged,
          roomCloseReason.accessChanged,
        ),
      tearDown: () => this.tearDown(),
    });
  }

  /**
   * The role the Worker admits this socket with now (the token alone, without a Worker). A token
   * proves only what held when it was minted: the Worker answers from the current state, so a
   * client reconnecting with a token minted before an access change is refused (4003, or 4404 for
   * a deleted project) or admitted with the lower role. Fails closed: when the Worker cannot be
   * reached nobody is admitted (1011, the client retries). Closes a refused socket; null then.
   */
  private async admissionRole(connection: Party.Connection, claims: RoomTokenClaims): Promise<RoomRole | null> {
    if (!this.worker) return claims.role;
    const token = `${claims.sub}:${claims.sid}:${claims.iat}:${claims.exp}`;
    if (this.refusedTokens.has(token)) {
      this.shut(connection, RoomCloseCode.accessChanged, roomCloseReason.accessChanged);
      return null;
    }
    let role: RoomRole;
    try {
      role = await this.worker.admit({
        userId: claims.sub,
        sessionId: claims.sid,
        role: claims.role,
        connectionId: truncateText(connection.id, 128),
        tokenExpiresAt: claims.exp * 1000,
      });
    } catch (err) {
      if (err instanceof AccessDenied) {
        this.rememberRefusal(token, claims.exp * 1000);
        this.shut(connection, RoomCloseCode.accessChanged, roomCloseReason.accessChanged);
      } else if (err instanceof ProjectNotFound) {
        this.gone = roomCloseReason.projectNotFound;
        this.shut(connection, RoomCloseCode.projectNotFound, roomCloseReason.projectNotFound);
      } else {
        console.error(
          JSON.stringify({ level: "error", message: "room admission could not be checked", room: this.room.id, error: String(err) }),
        );
        this.shut(connection, RoomCloseCode.internalError, roomCloseReason.accessUnchecked);
      }
      return null;
    }
    // Closed while the Worker answered (by the client, a disconnect or a teardown).
    return this.admitted.has(connection) ? role : null;
  }

  /**
   * y-partykit's provider reconnects on its own with the same token, within 100 ms of each close
   * (its socket opened, so its backoff starts over): answered from memory until the token expires.
   */
  private rememberRefusal(token: string, expiresAt: number): void {
    const now = Date.now();
    for (const [key, until] of this.refusedTokens) if (until <= now) this.refusedTokens.delete(key);
    this.refusedTokens.set(token, expiresAt);
  }

  /** Closes the admitted sockets whose user matches, with `code`; answers how many. */
  private closeWhere(matches: (user: ConnectionState["user"]) => boolean, code: number, reason: string): number {
    let closed = 0;
    for (const connection of [...this.admitted]) {
      const { user } = (connection.state ?? {}) as Partial<ConnectionState>;
      if (!user || !matches(user)) continue;
      this.shut(connection, code, reason);
      closed++;
    }
    return closed;
  }

  /**
   * The project was deleted: every socket closes (4404), those still waiting for admission too,
   * nothing more is written, and the room's storage (document, update log, unsent events) is
   * deleted. The Worker counts the teardown done only once this resolves, and asks until it does.
   */
  private async tearDown(): Promise<number> {
    this.gone = roomCloseReason.projectDeleted;
    const sockets = [...this.admitted];
    for (const connection of sockets) this.shut(connection, RoomCloseCode.projectNotFound, roomCloseReason.projectDeleted);
    await this.opening?.catch(() => undefined);
    // Writes already under way land before the delete, not after it.
    await this.updateLog?.flush().catch(() => undefined);
    // y-partykit keeps the document in its module-level map; `gone` keeps this room from opening it again.
    this.session?.doc.destroy();
    this.session = null;
    this.updateLog = null;
    await this.room.storage.deleteAll();
    return sockets.length;
  }

  /** The live document, opened once even when several connections arrive while it loads. */
  private openDocument(): Promise<DocumentSession> {
    if (this.gone) return Promise.reject(new ProjectNotFound(`room ${this.room.id}: ${this.gone}`));
    if (this.session && !this.session.destroyed) return Promise.resolve(this.session);
    this.opening ??= this.createSession().finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  private async createSession(): Promise<DocumentSession> {
    // Fetched before y-partykit builds the document, so a Worker that cannot be reached fails the
    // open (the clients retry) instead of starting an empty room. An empty start would be saved to
    // storage and POSTed as the newest snapshot, and the project's real content never loaded again.
    const seeded = await this.fetchSeedIfStorageEmpty();
    const doc = await unstable_getYDoc(this.room, this.docOptions);
    // One storage write per batch of updates, not per update (see update-log.ts).
    this.updateLog = CoalescingUpdateLog.install(doc);
    // y-partykit stores only updates after `load`; store the seed so a restart finds it.
    if (seeded) await doc.writeState();
    this.session = new DocumentSession(doc, this.limits, (participant, remaining) => this.participantLeft(participant, remaining));
    return this.session;
  }

  private async fetchSeedIfStorageEmpty(): Promise<boolean> {
    if (!this.worker) return false;
    // y-partykit's update log keys start with `"v1"#` (y-partykit/storage keyEncoding).
    const stored = await this.room.storage.list({ prefix: `"v1"#`, limit: 1 });
    if (stored.size > 0) return false;
    const snapshot = await this.worker.latestSnapshot();
    if (!snapshot) return false;
    const seed = new Y.Doc({ gc: false });
    Y.applyUpdate(seed, snapshot);
    this.seed = seed;
    return true;
  }

  /**
   * A token admits for its lifetime only: at `exp` the socket closes with 4001 and the client
   * reconnects with a fresh token, so a member removed from the org is out within 5 minutes.
   */
  private closeAtExpiry(connection: Party.Connection, exp: number): void {
    const timer = setTimeout(
      () => {
        this.expiries.delete(connection);
        this.shut(connection, RoomCloseCode.tokenExpired, roomCloseReason.tokenExpired);
      },
      Math.max(0, exp * 1000 - Date.now()),
    );
    this.expiries.set(connection, timer);
  }

  /** Takes the socket out of the room and closes it with `code`. */
  private shut(connection: Party.Connection, code: number, reason: string): void {
    this.disconnect(connection);
    try {
      connection.close(code, reason);
    } catch (err) {
      console.warn("closing a connection failed", err);
    }
  }

  private disconnect(connection: Party.Connection): void {
    const expiry = this.expiries.get(connection);
    if (expiry) clearTimeout(expiry);
    this.expiries.delete(connection);
    this.admitted.delete(connection);
    this.session?.leave(connection);
  }

  private participantLeft(participant: Participant, remaining: number): void {
    this.admitted.delete(participant.connection);
    // The project is gone: nothing more is written (a teardown is deleting the storage) or sent.
    if (this.gone) return;
    this.recordMember("member_left", participant.connection, participant.user);
    const session = this.session;
    if (remaining > 0 || !session) return;
    // The last one out: fold the update log into one snapshot and tell the Worker now rather than
    // leave it to the debounce of a room that may be evicted first.
    // Queued updates are written first, so the compacted log holds everything the clients saw.
    const log = this.updateLog;
    (log ? log.flush() : Promise.resolve())
      .then(() => session.doc.compactUpdateLog())
      .catch((err) => console.error("compacting the room's update log failed", err));
    void this.postSnapshot(session.doc, "auto");
  }

  private recordMember(type: RoomEvent["type"], connection: Party.Connection, user: Participant["user"]): void {
    this.events?.push({
      id: newRoomEventId(),
      type,
      userId: user.sub,
      name: user.name,
      role: user.role,
      connectionId: truncateText(connection.id, 128),
      at: Date.now(),
    });
  }

  private async postSnapshot(doc: Y.Doc, reason: SnapshotReason): Promise<void> {
    if (!this.worker || this.gone) return;
    try {
      await this.worker.postSnapshot(Y.encodeStateAsUpdate(doc), reason);
    } catch (err) {
      console.error(JSON.stringify({ level: "error", message: "snapshot POST failed", room: this.room.id, reason, error: String(err) }));
    }
  }
}

ProjectRoom satisfies Party.Worker;

/**
 * Completes the closing handshake a client started. The workerd of partykit (compatibility date
 * 2024-07-18) does not answer a peer's close frame by itself (the `web_socket_auto_reply_to_close`
 * flag arrives with 2026-04-07): unanswered, a client closing cleanly waits out its own timeout and
 * ends with 1006. The reply echoes the client's code when that code may be sent.
 */
function answerClose(connection: Party.Connection, event: { code: number; reason: string }): void {
  try {
    if (isSendableCloseCode(event.code)) connection.close(event.code, event.reason);
    else connection.close();
  } catch {
    // Already closed: the room closed it first, or a runtime that answers on its own did.
  }
}

/** RFC 6455 §7.4: 1004-1006 and 1015 are reserved and never sent in a frame. */
function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

function isUsableSecret(secret: unknown): secret is string {
  return typeof secret === "string" && secret.length >= ROOM_TOKEN_SECRET_MIN_LENGTH;
}

// partykit's types pin an older @cloudflare/workers-types than Plaza's; at runtime both are
// workerd's own Request, so these casts only bridge the two declaration sets.
function asStandardRequest(request: Party.Request | Party.ConnectionContext["request"]): Request {
  return request as unknown as Request;
}
function asPartyRequest(request: Request): Party.Request {
  return request as unknown as Party.Request;
}
