/**
 * The live connection to a project's room: a YPartyKitProvider whose every (re)connect carries a
 * fresh room token from the Worker (tokens live at most 5 minutes), and a status the page shows.
 *
 * The provider's own reconnect loop would reuse the URL of its first connect, with a token that
 * soon expires, so this module stops it on every close and reconnects itself: new token, then
 * `provider.connect()`, which reads `params` again.
 *
 * Offline, the page still opens: the document comes from this device (local-doc.ts), the
 * provider waits unconnected, and the first token is asked for when the network returns. The
 * browser's `offline` event closes the socket at once: it may otherwise stay open, unused, for
 * minutes, and edits would seem sent while nothing arrives.
 */
import YPartyKitProvider from "y-partykit/provider";
import type * as Y from "yjs";
import type { z } from "zod";
import type { RoomTokenResponse } from "../../../shared/projects";
import { describeRoomClose, RoomCloseCode, RoomErrorMessageSchema } from "../../../shared/room-protocol";
import { api } from "../api/client";
import { ApiError } from "../api/errors";
import { unwrap } from "../api/unwrap";
import { isOffline } from "../offline/network";

type RoomTokenT = z.infer<typeof RoomTokenResponse>;

const mintRoomToken = (orgId: string, projectId: string): Promise<RoomTokenT> =>
  unwrap(api.v1.orgs[":orgId"].projects[":projectId"]["room-token"].$post({ param: { orgId, projectId } }));

export type RoomStatus =
  | { state: "connecting" }
  /** The browser says it has no network: nothing is tried until it says it is back. */
  | { state: "offline" }
  | { state: "connected" }
  | { state: "reconnecting"; reason: string | null; inSeconds: number }
  | { state: "refused"; reason: string; retrying: boolean };

export interface RoomConnection {
  provider: YPartyKitProvider;
  /** The role of the first token; the room enforces it, the page shows it. */
  role: RoomTokenT["role"];
  status(): RoomStatus;
  destroy(): void;
}

/** The rooms server's host of the last token, for opening a project offline (not a secret). */
const ROOMS_HOST_KEY = "plaza:rooms-host";

/** A token this close to its expiry is not worth opening a socket with. */
const TOKEN_MARGIN_MS = 30_000;
const MAX_BACKOFF_MS = 10_000;
/** "unauthorized" this often in a row, without a sync in between, ends the retries. */
const MAX_REPEATED_REFUSALS = 3;

/** Close codes after which connecting again would only repeat the refusal (the edit is resent, the project is gone). An expired token (4001) just reconnects with a fresh one. */
const FINAL_CLOSE_CODES = new Set<number>([
  RoomCloseCode.unsupportedData,
  RoomCloseCode.invalidPayload,
  RoomCloseCode.tooBig,
  RoomCloseCode.projectNotFound,
]);

/** What the room says when it closes: its error message, its close reason, or the code explained. */
function closeReason(event: CloseEvent, roomMessage: string | null): string {
  return roomMessage ?? (event.reason || describeRoomClose(event.code) || "");
}

/** The `{"type":"error",…}` text frame the room sends before it closes. */
function roomErrorMessage(data: unknown): string | null {
  if (typeof data !== "string") return null;
  try {
    const parsed = RoomErrorMessageSchema.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data.message : null;
  } catch {
    return null;
  }
}

/**
 * The first token, or offline (and a rooms host known from an earlier visit) none yet: the
 * role is then the one the project's cached copy says. Any other failure is thrown to the page.
 */
async function firstToken(o: { orgId: string; projectId: string; offlineRole: RoomTokenT["role"] }) {
  try {
    const token = await mintRoomToken(o.orgId, o.projectId);
    localStorage.setItem(ROOMS_HOST_KEY, token.host);
    return { token, host: token.host, role: token.role };
  } catch (err) {
    const host = localStorage.getItem(ROOMS_HOST_KEY);
    if (!isOffline(err) || !host) throw err;
    return { token: null, host, role: o.offlineRole };
  }
}

export async function openRoom(o: {
  orgId: string;
  projectId: string;
  doc: Y.Doc;
  /** The role to edit with when the page opens offline (the room still checks it on connect). */
  offlineRole: RoomTokenT["role"];
  onStatus: (status: RoomStatus) => void;
  /** The project is gone or no longer this person's: what the device kept of it should go. */
  onAccessLost: () => void;
}): Promise<RoomConnection> {
  const first = await firstToken(o);
  let token: RoomTokenT | null = first.token;
  let current: RoomStatus = { state: "connecting" };
  let destroyed = false;
  let attempts = 0;
  let lastRefusal: { code: number; count: number } | null = null;
  let roomMessage: string | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const setStatus = (status: RoomStatus) => {
    current = status;
    if (!destroyed) o.onStatus(status);
  };

  // The room of a project is named by its id (the token's roomId).
  const provider = new YPartyKitProvider(first.host, o.projectId, o.doc, {
    connect: false,
    // Tabs of one browser must not sync around the room: a reader's edits would skip its checks.
    disableBc: true,
    // Its own retry timer then fires at once and finds `shouldConnect` off (see connection-close).
    maxBackoffTime: 0,
    params: async () => ({ token: token?.token }),
  });

  const freshToken = async (): Promise<RoomTokenT> => {
    if (token && token.expiresAt - Date.now() > TOKEN_MARGIN_MS) {
      const unused = token;
      token = null; // used once; the next connect asks again
      return unused;
    }
    return mintRoomToken(o.orgId, o.projectId);
  };

  const connect = async () => {
    if (destroyed) return;
    setStatus({ state: "connecting" });
    try {
      token = await freshToken();
    } catch (err) {
      // Removed from the org, project deleted…: the Worker's answer is final. Network trouble is not.
      if (!navigator.onLine) {
        setStatus({ state: "offline" });
        return;
      }
      if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 429) {
        if (err.status === 403 || err.status === 404) o.onAccessLost();
        setStatus({ state: "refused", reason: err.message, retrying: false });
        return;
      }
      scheduleRetry(null);
      return;
    }
    if (destroyed) return;
    roomMessage = null;
    provider.connect();
    token = null;
  };

  const scheduleRetry = (reason: string | null, minimumMs = 0) => {
    attempts++;
    const delay = Math.max(minimumMs, Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(attempts, 6)));
    if (current.state !== "refused") setStatus({ state: "reconnecting", reason, inSeconds: Math.ceil(delay / 1000) });
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => void connect(), delay);
  };

  provider.on("status", ({ status }: { status: string }) => {
    if (status === "connecting") {
      provider.ws?.addEventListener("message", (event) => (roomMessage = roomErrorMessage(event.data) ?? roomMessage));
    } else if (status === "connected") {
      attempts = 0;
      setStatus({ state: "connected" });
    }
  });
  provider.on("sync", (synced: boolean) => {
    if (synced) lastRefusal = null;
  });
  provider.on("connection-close", (event: CloseEvent) => {
    if (destroyed) return;
    // Stop the provider's own retry (it would reuse the old token); ours fetches a new one.
    provider.shouldConnect = false;
    const reason = closeReason(event, roomMessage);
    const repeated = lastRefusal?.code === event.code ? lastRefusal.count + 1 : 1;
    lastRefusal = { code: event.code, count: repeated };
    if (event.code === RoomCloseCode.projectNotFound) o.onAccessLost();
    if (FINAL_CLOSE_CODES.has(event.code) || (event.code === RoomCloseCode.unauthorized && repeated >= MAX_REPEATED_REFUSALS)) {
      setStatus({ state: "refused", reason: reason || `closed with code ${event.code}`, retrying: false });
      return;
    }
    if (!navigator.onLine) {
      setStatus({ state: "offline" });
      return;
    }
    if (event.code === RoomCloseCode.tryAgainLater) {
      setStatus({ state: "refused", reason, retrying: true });
      scheduleRetry(reason, 5_000);
      return;
    }
    scheduleRetry(reason || null);
  });

  const onOnline = () => {
    if (current.state === "reconnecting" || current.state === "offline") {
      clearTimeout(retryTimer);
      void connect();
    }
  };
  const onOffline = () => {
    clearTimeout(retryTimer);
    // The socket's closing handshake may not finish while offline, so the state is set here, not on its close.
    if (provider.wsconnected || provider.wsconnecting) provider.disconnect();
    setStatus({ state: "offline" });
  };
  addEventListener("online", onOnline);
  addEventListener("offline", onOffline);

  void connect();
  return {
    provider,
    role: first.role,
    status: () => current,
    destroy() {
      destroyed = true;
      clearTimeout(retryTimer);
      removeEventListener("online", onOnline);
      removeEventListener("offline", onOffline);
      provider.destroy();
    },
  };
}
