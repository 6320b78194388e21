import * as Y from "yjs";
import {
  type RoomAdmissionRequest,
  RoomAdmissionSchema,
  type RoomEventsBody,
  roomCallbackPaths,
  SNAPSHOT_REASON_HEADER,
  type SnapshotReason,
  signRoomRequest,
} from "../shared/room-callbacks";
import type { RoomRole } from "../shared/room-token";
import { EventsRefused } from "./room-events";

/** How a failed callback is retried: network errors, 429 and 5xx; other answers are final. */
export interface RetryPolicy {
  attempts: number;
  /** Delay before the second attempt; doubled for each one after. */
  firstDelayMs: number;
}
export const CALLBACK_RETRY: RetryPolicy = { attempts: 4, firstDelayMs: 250 };
/** A socket's handshake waits on its admission, and a refused client retries on its own: one retry only. */
export const ADMISSION_RETRY: RetryPolicy = { attempts: 2, firstDelayMs: 250 };
const CALLBACK_TIMEOUT_MS = 5_000;

export class WorkerUnavailable extends Error {}
/** The Worker answered 404 for the project: deleted or never existed. */
export class ProjectNotFound extends Error {}
/** The Worker refused an admission (403): the token's holder has no access now. */
export class AccessDenied extends Error {}

/**
 * The room's side of the callback contract (shared/room-callbacks.ts): signed requests to the
 * Worker at PLAZA_API_URL for admissions, the latest snapshot, new snapshots and room events.
 */
export class WorkerClient {
  constructor(
    private readonly apiUrl: string,
    private readonly secret: string,
    private readonly roomId: string,
    private readonly retry: RetryPolicy = CALLBACK_RETRY,
  ) {}

  /**
   * The role the Worker admits a verified token's holder with now. Throws AccessDenied (no access
   * now), ProjectNotFound, or WorkerUnavailable: then nobody is admitted (the client retries).
   */
  async admit(request: RoomAdmissionRequest): Promise<RoomRole> {
    const bytes = new TextEncoder().encode(JSON.stringify(request));
    const response = await this.send(
      "POST",
      roomCallbackPaths.admissions(this.roomId),
      bytes,
      { "content-type": "application/json" },
      ADMISSION_RETRY,
    );
    if (response.status === 403) throw new AccessDenied(`admission: the Worker refused ${request.userId}`);
    if (response.status === 404) throw new ProjectNotFound(`admission: the Worker has no project ${this.roomId}`);
    if (response.status !== 200) throw new WorkerUnavailable(`admission: Worker answered ${response.status} ${await response.text()}`);
    const admission = RoomAdmissionSchema.safeParse(await response.json().catch(() => null));
    if (!admission.success) throw new WorkerUnavailable("admission: the Worker's answer is not a RoomAdmission");
    return admission.data.role;
  }

  /** The project's latest snapshot, or null when it has none. Throws WorkerUnavailable otherwise. */
  async latestSnapshot(): Promise<Uint8Array | null> {
    const response = await this.send("GET", roomCallbackPaths.latestSnapshot(this.roomId));
    if (response.status === 204) return null;
    if (response.status === 404) throw new ProjectNotFound(`latest snapshot: the Worker has no project ${this.roomId}`);
    if (response.status !== 200) throw new WorkerUnavailable(`latest snapshot: Worker answered ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    try {
      Y.decodeUpdate(bytes);
    } catch {
      throw new WorkerUnavailable("latest snapshot: the Worker's bytes are not a Y.js update");
    }
    return bytes;
  }

  async postSnapshot(state: Uint8Array, reason: SnapshotReason): Promise<void> {
    const response = await this.send("POST", roomCallbackPaths.snapshots(this.roomId), state, {
      "content-type": "application/octet-stream",
      [SNAPSHOT_REASON_HEADER]: reason,
    });
    if (!response.ok) throw new WorkerUnavailable(`snapshot (${reason}): Worker answered ${response.status} ${await response.text()}`);
  }

  async postEvents(body: RoomEventsBody): Promise<void> {
    const bytes = new TextEncoder().encode(JSON.stringify(body));
    const response = await this.send("POST", roomCallbackPaths.events(this.roomId), bytes, { "content-type": "application/json" });
    // `send` returns only final answers: a 4xx here will not change on a retry.
    if (!response.ok) throw new EventsRefused(`events: Worker answered ${response.status} ${await response.text()}`);
  }

  /** Signs and sends, retrying transient failures with exponential backoff; returns the final answer. */
  private async send(
    method: string,
    path: string,
    body?: Uint8Array,
    headers: Record<string, string> = {},
    retry = this.retry,
  ): Promise<Response> {
    const url = new URL(path, this.apiUrl);
    let lastError: unknown;
    for (let attempt = 1; attempt <= retry.attempts; attempt++) {
      if (attempt > 1) await delay(retry.firstDelayMs * 2 ** (attempt - 2));
      try {
        // Signed per attempt: the timestamp must be fresh.
        const signature = await signRoomRequest(this.secret, method, url.pathname, body);
        const response = await fetch(url, {
          method,
          headers: { ...headers, ...signature },
          body: body as BodyInit | undefined,
          signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
        });
        if (response.status !== 429 && response.status < 500) return response;
        lastError = new Error(`${method} ${url.pathname}: ${response.status}`);
        await response.body?.cancel();
      } catch (err) {
        lastError = err;
      }
    }
    throw new WorkerUnavailable(`${method} ${url.pathname} failed after ${retry.attempts} attempts: ${String(lastError)}`);
  }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
