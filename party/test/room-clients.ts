// Helpers for the room e2e tests: real y-partykit clients, raw upgrade probes, and the shared deadline polling.
import { randomBytes } from "node:crypto";
import { request } from "node:http";
import YPartyKitProvider from "y-partykit/provider";
import * as Y from "yjs";
import { eventually } from "../../scripts/lib/eventually";
import { WAIT } from "../../scripts/lib/wait-budgets.mjs";

export const uniqueRoomId = () => `prj_${randomBytes(8).toString("hex")}`;

export interface RoomClient {
  doc: Y.Doc;
  text: Y.Text;
  provider: YPartyKitProvider;
  destroy(): void;
}

/** A real collaborator: a Y.Doc (a new one, or `doc` with what it already holds) synced through `YPartyKitProvider` with a room token. */
export function connectClient(host: string, roomId: string, token: string, doc = new Y.Doc()): RoomClient {
  const provider = new YPartyKitProvider(host, roomId, doc, {
    params: { token },
    // Node 22 has a global WebSocket. BroadcastChannel would let same-process clients sync without
    // the server and hide what the room enforces, so keep it off (the default outside browsers).
    disableBc: true,
  });
  return {
    doc,
    text: doc.getText("body"),
    provider,
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}

export async function connectSynced(host: string, roomId: string, token: string): Promise<RoomClient> {
  const client = connectClient(host, roomId, token);
  await eventually(`client in ${roomId} to sync`, () => client.provider.synced);
  return client;
}

/**
 * Sends a raw WebSocket upgrade and reports the HTTP status: 101 when the room accepts, otherwise
 * the refusal PartyKit returned before any socket opened.
 */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: {
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": randomBytes(16).toString("base64"),
        ...headers,
      },
      timeout: WAIT.step,
    });
    req.on("upgrade", (_res, socket) => {
      socket.destroy();
      resolve({ status: 101, body: "" });
    });
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`upgrade to ${url} timed out`)));
    req.on("error", reject);
    req.end();
  });
}

/**
 * Opens a plain WebSocket and reports whether it opened. A refused handshake surfaces as an `error`
 * event; Node 22's WebSocket never follows it with `close`, so either event settles the outcome.
 */
export function websocketOutcome(url: string): Promise<{ opened: boolean }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.addEventListener("open", () => {
      socket.close();
      resolve({ opened: true });
    });
    socket.addEventListener("error", () => resolve({ opened: false }));
    socket.addEventListener("close", () => resolve({ opened: false }));
  });
}

export interface RawSocket {
  socket: WebSocket;
  /** Every frame the room sent, in order. */
  frames: (ArrayBuffer | string)[];
  /** Set once the socket closed. */
  closed: { code: number; reason: string } | null;
  send(data: string | Uint8Array): void;
}

/**
 * A bare WebSocket to a room, for frames no real provider would send. Resolves once it is open,
 * recording what the room sends and how it closes.
 */
export function openRawSocket(url: string): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.binaryType = "arraybuffer";
    const raw: RawSocket = {
      socket,
      frames: [],
      closed: null,
      send: (data) => socket.send(data),
    };
    socket.addEventListener("message", (event) => raw.frames.push(event.data as ArrayBuffer | string));
    socket.addEventListener("close", (event) => {
      raw.closed = { code: event.code, reason: event.reason };
      resolve(raw);
    });
    socket.addEventListener("open", () => resolve(raw));
    socket.addEventListener("error", () => reject(new Error(`raw socket to ${url} failed`)));
  });
}

/** The close the room sent, once it has. */
export const closedWith = (raw: RawSocket) => eventually("the room to close the socket", () => raw.closed);
