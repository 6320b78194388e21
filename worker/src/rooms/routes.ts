/**
 * Callbacks the PartyKit rooms make (signed per shared/room-callbacks.ts; no user auth). The room
 * id is the project id.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { UserId } from "../../../shared/api";
import {
  DEFAULT_MAX_DOCUMENT_BYTES,
  RoomAdmissionRequestSchema,
  RoomAdmissionSchema,
  RoomEventsBodySchema,
  SNAPSHOT_REASON_HEADER,
  SnapshotReasonSchema,
} from "../../../shared/room-callbacks";
import { RoomIdSchema } from "../../../shared/room-token";
import { validationError } from "../http/error-handler";
import { AppError } from "../http/errors";
import { createRouter } from "../http/openapi";
import { ErrorSchema, json } from "../http/openapi-helpers";
import { isYjsUpdate } from "../projects";
import { admit } from "./admissions";
import { recordRoomEvents, roomLatestSnapshot, saveRoomSnapshot } from "./callbacks";
import { signedRoomBody, signedRoomJson } from "./signed-body";

const tags = ["Rooms (callbacks)"];
const params = z.object({ roomId: RoomIdSchema });
const error = (description: string) => json(ErrorSchema, description);
const signedErrors = { 401: error("Missing, stale or wrong room signature (`invalid_signature`)"), 404: error("Unknown room") };
const binary = { "application/octet-stream": { schema: z.string().meta({ format: "binary" }) } };
const SIGNED =
  "Signed by the room: `x-plaza-room-timestamp` and `x-plaza-room-signature` over timestamp, method, path and body (shared/room-callbacks.ts).";

const documentTooLarge = () => new AppError("document_too_large", `Documents are limited to ${DEFAULT_MAX_DOCUMENT_BYTES} bytes`);
// User ids must also be well-formed Plaza ids: they go into webhook payloads.
const RoomEventsBody = RoomEventsBodySchema.extend({
  events: z
    .array(RoomEventsBodySchema.shape.events.element.extend({ userId: UserId }))
    .min(1)
    .max(100),
});

export const roomCallbackRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/rooms/{roomId}/snapshots",
      tags,
      summary: "Store a snapshot of a room's document (`Y.encodeStateAsUpdate`); byte-identical to the latest: nothing new",
      description: `${SIGNED} Header \`x-plaza-snapshot-reason\`: auto (default), manual or restore.`,
      request: { params, body: { content: binary, required: true, description: "The Y.js update" } },
      responses: {
        201: json(z.object({ id: z.string() }), "Stored"),
        200: json(z.object({ id: z.string() }), "Same bytes as the latest snapshot: its id"),
        400: error("Not a Y.js update, or an unknown snapshot reason"),
        ...signedErrors,
        413: error("Over the document cap (`document_too_large`)"),
      },
    }),
    async (c) => {
      const bytes = await signedRoomBody(c, DEFAULT_MAX_DOCUMENT_BYTES, documentTooLarge);
      // Signed is not the same as well-formed: bytes that are not an update are never stored.
      if (!isYjsUpdate(bytes)) throw new AppError("invalid_request", "The body is not a Y.js update");
      const reason = SnapshotReasonSchema.safeParse(c.req.header(SNAPSHOT_REASON_HEADER) ?? "auto");
      if (!reason.success) throw validationError(reason.error, `header.${SNAPSHOT_REASON_HEADER}`);
      const stored = await saveRoomSnapshot(c.var.ctx, { roomId: c.req.valid("param").roomId, bytes, reason: reason.data });
      return c.json({ id: stored.id }, stored.created ? 201 : 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/rooms/{roomId}/snapshots/latest",
      tags,
      summary: "The newest snapshot's bytes (what a room with empty storage loads), or 204",
      description: SIGNED,
      request: { params },
      responses: {
        200: { description: "The Y.js update", content: binary },
        204: { description: "The project has no snapshot" },
        ...signedErrors,
      },
    }),
    async (c) => {
      await signedRoomBody(c, 0, documentTooLarge);
      const latest = await roomLatestSnapshot(c.var.ctx, c.req.valid("param").roomId);
      if (!latest) return c.body(null, 204);
      return new Response(latest.body as ReadableStream | BufferSource, {
        headers: { "content-type": "application/octet-stream", "content-length": String(latest.size) },
      });
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/rooms/{roomId}/events",
      tags,
      summary: "Record room events (member joined/left) for the audit log and webhooks; idempotent per event id",
      description: `${SIGNED} Body: \`RoomEventsBody\` (JSON) from shared/room-callbacks.ts.`,
      request: { params },
      responses: {
        202: json(z.object({ recorded: z.number().int() }), "Recorded (0 for a retried POST)"),
        400: error("Not a RoomEventsBody"),
        ...signedErrors,
      },
    }),
    async (c) => {
      const body = await signedRoomJson(c, RoomEventsBody);
      return c.json({ recorded: await recordRoomEvents(c.var.ctx, { roomId: c.req.valid("param").roomId, events: body.events }) }, 202);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/rooms/{roomId}/admissions",
      tags,
      summary: "May a verified room token's holder join now, and with which role? Asked on every connect; a yes is recorded",
      description: `${SIGNED} Body: \`RoomAdmissionRequest\` (JSON) from shared/room-callbacks.ts. Answered from the current state, not the token: the user is a member of the project's org, the token's session is live, and the role is the lower of the token's and the user's project role now. The room closes a refused socket with 4003 (403) or 4404 (404).`,
      request: { params },
      responses: {
        200: json(RoomAdmissionSchema, "Admitted with this role"),
        400: error("Not a RoomAdmissionRequest"),
        403: error("No access now: not a member of the project's org, or the session has ended (`forbidden`)"),
        ...signedErrors,
      },
    }),
    async (c) => {
      const body = await signedRoomJson(c, RoomAdmissionRequestSchema);
      return c.json(await admit(c.var.ctx, { roomId: c.req.valid("param").roomId, request: body }), 200);
    },
  );
