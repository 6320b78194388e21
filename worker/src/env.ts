import type { Principal } from "./auth/principal";
import type { Db } from "./db/client";

/** Bindings, vars and secrets of the API Worker (wrangler.toml, .dev.vars / `wrangler secret put`). */
export interface Env {
  DB: D1Database;
  BUCKET: R2Bucket;
  MAIL_QUEUE: Queue<MailQueueMessage>;
  ASSETS?: Fetcher;

  ENVIRONMENT: "development" | "test" | "production";
  APP_URL: string;
  ROOMS_URL: string;
  ACCESS_TOKEN_TTL_SECONDS: string;
  REFRESH_TOKEN_TTL_DAYS: string;
  /** Largest bundle accepted, in bytes (default 50 MB). */
  BUNDLE_MAX_BYTES?: string;
  /** Least severe log level written: debug, info (default: one line per request), warn, error. */
  LOG_LEVEL?: string;
  /** "1" enables /__bench/bare, the benchmarks' baseline route. */
  BENCH?: string;

  /** HMAC key for access tokens (≥ 32 random bytes, base64). */
  JWT_SECRET: string;
  /** HMAC key for room tokens, shared with the PartyKit server. */
  ROOM_TOKEN_SECRET: string;

  /** Production e-mail API (optional in development, where mail goes to /dev/mailbox). */
  MAIL_HTTP_URL?: string;
  MAIL_HTTP_TOKEN?: string;
  MAIL_FROM?: string;
}

export interface MailQueueMessage {
  messageId: string;
}

export interface Variables {
  requestId: string;
  db: Db;
  /** Set by `authenticate()`; absent on anonymous requests. */
  principal?: Principal;
}

export type AppEnv = { Bindings: Env; Variables: Variables };
