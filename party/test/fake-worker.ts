// A stand-in for the Worker's room callback routes, in Node: it verifies every request's signature
// with the shared verifyRoomRequest, as the real Worker must, and records what the rooms sent.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import * as Y from "yjs";
import {
  type RoomAdmissionRequest,
  RoomAdmissionRequestSchema,
  type RoomEvent,
  RoomEventsBodySchema,
  SNAPSHOT_REASON_HEADER,
  verifyRoomRequest,
} from "../../shared/room-callbacks";
import type { RoomRole } from "../../shared/room-token";

export interface ReceivedSnapshot {
  bytes: Uint8Array;
  reason: string | null;
}

export interface FakeWorker {
  url: string;
  /** Snapshots POSTed per room, oldest first. */
  snapshots: Map<string, ReceivedSnapshot[]>;
  /** What GET latest answers per room before any POST (the real Worker's newest snapshot row). */
  latest: Map<string, Uint8Array>;
  /** Rooms whose GET latest answers 503, as if the database were down. */
  unavailable: Set<string>;
  /** Rooms whose GET latest and admissions answer 404, as for a deleted or unknown project. */
  missing: Set<string>;
  /** Every admission the rooms asked for, oldest first. */
  admissions: (RoomAdmissionRequest & { roomId: string })[];
  /** User or session ids whose admission answers 403 (no access now). */
  refused: Set<string>;
  /** User ids admitted with this role at most (a lowered role). */
  roles: Map<string, RoomRole>;
  /** While set, admissions answer 503, as if the database were down. */
  admissionsDown: boolean;
  events: RoomEvent[];
  /** Rooms whose event POSTs answer 503; each refused POST is counted in `refusedEventPosts`. */
  eventsDown: Set<string>;
  refusedEventPosts: Map<string, number>;
  /** Requests refused for their signature. */
  refusedSignatures: number;
  stop(): Promise<void>;
}

const route = /^\/v1\/rooms\/([A-Za-z0-9_-]+)\/(snapshots\/latest|snapshots|events|admissions)$/;

export async function startFakeWorker(secret: string): Promise<FakeWorker> {
  const worker: Omit<FakeWorker, "url" | "stop"> = {
    snapshots: new Map(),
    latest: new Map(),
    unavailable: new Set(),
    missing: new Set(),
    admissions: [],
    refused: new Set(),
    roles: new Map(),
    admissionsDown: false,
    events: [],
    eventsDown: new Set(),
    refusedEventPosts: new Map(),
    refusedSignatures: 0,
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", "http://worker.test");
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
    const check = await verifyRoomRequest(secret, headers, req.method ?? "GET", url.pathname, body);
    if (!check.valid) {
      worker.refusedSignatures++;
      return res.writeHead(401).end(JSON.stringify({ error: { code: "invalid_signature", message: check.reason } }));
    }
    const match = route.exec(url.pathname);
    if (!match) return res.writeHead(404).end();
    const [, roomId, kind] = match as unknown as [string, string, string];
    if (kind === "snapshots/latest" && req.method === "GET") {
      if (worker.unavailable.has(roomId)) return res.writeHead(503).end();
      if (worker.missing.has(roomId)) return res.writeHead(404).end();
      const posted = worker.snapshots.get(roomId);
      const latest = posted?.at(-1)?.bytes ?? worker.latest.get(roomId);
      if (!latest) return res.writeHead(204).end();
      return res.writeHead(200, { "content-type": "application/octet-stream" }).end(latest);
    }
    if (kind === "snapshots" && req.method === "POST") {
      Y.decodeUpdate(body);
      const list = worker.snapshots.get(roomId) ?? [];
      list.push({ bytes: body, reason: headers.get(SNAPSHOT_REASON_HEADER) });
      worker.snapshots.set(roomId, list);
      return res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ id: `snp_${list.length}` }));
    }
    if (kind === "admissions" && req.method === "POST") {
      if (worker.admissionsDown) return res.writeHead(503).end();
      const parsed = RoomAdmissionRequestSchema.safeParse(JSON.parse(Buffer.from(body).toString("utf8")));
      if (!parsed.success) return res.writeHead(400).end(parsed.error.message);
      const request = parsed.data;
      worker.admissions.push({ ...request, roomId });
      if (worker.missing.has(roomId)) return res.writeHead(404).end();
      if (worker.refused.has(request.userId) || worker.refused.has(request.sessionId)) return res.writeHead(403).end();
      const role = worker.roles.get(request.userId) === "read" ? "read" : request.role;
      return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ role }));
    }
    if (kind === "events" && req.method === "POST") {
      if (worker.eventsDown.has(roomId)) {
        worker.refusedEventPosts.set(roomId, (worker.refusedEventPosts.get(roomId) ?? 0) + 1);
        return res.writeHead(503).end();
      }
      const parsed = RoomEventsBodySchema.safeParse(JSON.parse(Buffer.from(body).toString("utf8")));
      if (!parsed.success) return res.writeHead(400).end(parsed.error.message);
      worker.events.push(...parsed.data.events);
      return res.writeHead(202).end();
    }
    res.writeHead(405).end();
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => res.writeHead(500).end(String(err)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(worker, {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}

function readBody(req: IncomingMessage): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(new Uint8Array(Buffer.concat(chunks))));
    req.on("error", reject);
  });
}

/** The text of a Y.Text root in a snapshot. */
export function textIn(snapshot: Uint8Array, root = "body"): string {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, snapshot);
  return doc.getText(root).toString();
}
