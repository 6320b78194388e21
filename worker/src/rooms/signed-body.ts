import type { Context } from "hono";
import type { z } from "zod";
import { ROOM_SIGNATURE_HEADER, ROOM_TIMESTAMP_HEADER, verifyRoomRequest } from "../../../shared/room-callbacks";
import type { AppEnv } from "../env";
import { MAX_JSON_BODY_BYTES } from "../http/body-limit";
import { validationError } from "../http/error-handler";
import { AppError } from "../http/errors";
import { readCapped } from "./bytes";

const invalid = (why: string) => new AppError("invalid_signature", `Room request refused: ${why}`);

/**
 * The raw body of a room callback, read up to `max` bytes and verified against the request's
 * room signature (timestamp, method, path, body). Unsigned requests are refused before reading.
 */
export async function signedRoomBody(c: Context<AppEnv>, max: number, tooLarge: () => AppError): Promise<Uint8Array> {
  if (!c.req.header(ROOM_SIGNATURE_HEADER) || !c.req.header(ROOM_TIMESTAMP_HEADER)) throw invalid("missing room signature");
  const body = c.req.method === "GET" ? new Uint8Array() : await readCapped(c.req.raw.body, max, c.req.header("content-length"), tooLarge);
  const check = await verifyRoomRequest(c.env.ROOM_TOKEN_SECRET, c.req.raw.headers, c.req.method, new URL(c.req.url).pathname, body);
  if (!check.valid) throw invalid(check.reason);
  return body;
}

const jsonTooLarge = () => new AppError("payload_too_large", `JSON bodies are limited to ${MAX_JSON_BODY_BYTES} bytes`);

/** A signed room callback's JSON body, parsed with `schema`: 400 `invalid_request` when it is not JSON or does not match. */
export async function signedRoomJson<T extends z.ZodType>(c: Context<AppEnv>, schema: T): Promise<z.infer<T>> {
  const raw = await signedRoomBody(c, MAX_JSON_BODY_BYTES, jsonTooLarge);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    throw new AppError("invalid_request", "The body is not JSON");
  }
  const body = schema.safeParse(parsed);
  if (!body.success) throw validationError(body.error, "json");
  return body.data;
}
