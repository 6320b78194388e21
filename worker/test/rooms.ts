/** Helpers for project and room tests: Y.js documents, signed room callbacks. */
import { env, exports } from "cloudflare:workers";
import { decodeJwt } from "jose";
import * as Y from "yjs";
import { type RoomAdmissionRequest, roomCallbackPaths, signRoomRequest } from "../../shared/room-callbacks";
import type { RoomTokenClaims } from "../../shared/room-token";
import type { TestUser } from "./fixtures";
import { type CallResult, call } from "./http";

const worker = (exports as unknown as { default: Fetcher }).default;

/** A Tiptap-shaped document: paragraphs in the `content` XmlFragment. */
export function documentWith(...paragraphs: string[]): Uint8Array {
  const doc = new Y.Doc();
  const fragment = doc.getXmlFragment("content");
  fragment.insert(
    0,
    paragraphs.map((text) => {
      const p = new Y.XmlElement("paragraph");
      p.insert(0, [new Y.XmlText(text)]);
      return p;
    }),
  );
  return Y.encodeStateAsUpdate(doc);
}

export interface RoomCallOptions {
  secret?: string;
  now?: number;
  headers?: Record<string, string>;
  /** Sign this path instead of the one called. */
  signedPath?: string;
  /** Sign these bytes instead of the body sent. */
  signedBody?: Uint8Array;
  unsigned?: boolean;
}

/** A request as a room makes it: signed over timestamp, method, path and body. */
export async function roomCall(method: string, path: string, body?: Uint8Array | object, options: RoomCallOptions = {}): Promise<Response> {
  const bytes = body === undefined ? new Uint8Array() : body instanceof Uint8Array ? body : new TextEncoder().encode(JSON.stringify(body));
  const signed = options.unsigned
    ? {}
    : await signRoomRequest(
        options.secret ?? env.ROOM_TOKEN_SECRET,
        method,
        options.signedPath ?? path,
        options.signedBody ?? bytes,
        options.now,
      );
  const type = body instanceof Uint8Array ? "application/octet-stream" : "application/json";
  return worker.fetch(`http://plaza.test${path}`, {
    method,
    headers: { ...signed, ...(body !== undefined && { "content-type": type }), ...options.headers },
    body: method === "GET" ? undefined : (bytes as BufferSource),
  });
}

/** A binary request through the Worker (call() sends strings only). */
export async function rawCall(method: string, path: string, token: string, body?: Uint8Array, contentType = "application/octet-stream") {
  return worker.fetch(`http://plaza.test${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body && { "content-type": contentType }) },
    body: body as BufferSource | undefined,
  });
}

export async function createProject(user: TestUser, orgId: string, body: Record<string, unknown> = {}): Promise<CallResult> {
  const res = await call("POST", `/v1/orgs/${orgId}/projects`, { token: user.accessToken, body: { name: "Launch plan", ...body } });
  if (res.status !== 201) throw new Error(`create project failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

/** A room token minted through the API for `user`, with its claims. */
export async function roomTokenFor(user: TestUser, orgId: string, projectId: string) {
  const res = await call("POST", `/v1/orgs/${orgId}/projects/${projectId}/room-token`, { token: user.accessToken });
  if (res.status !== 200) throw new Error(`room token failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { token: res.body.token as string, claims: decodeJwt(res.body.token) as RoomTokenClaims };
}

/** What a room sends to the admissions callback for a socket with this token. */
export const admissionOf = (claims: RoomTokenClaims, connectionId = `conn-${crypto.randomUUID()}`): RoomAdmissionRequest => ({
  userId: claims.sub,
  sessionId: claims.sid,
  role: claims.role,
  connectionId,
  tokenExpiresAt: claims.exp * 1000,
});

/** The room's admission request for these claims, as the room makes it. */
export const askAdmission = (claims: RoomTokenClaims, connectionId?: string) =>
  roomCall("POST", roomCallbackPaths.admissions(claims.room), admissionOf(claims, connectionId));
