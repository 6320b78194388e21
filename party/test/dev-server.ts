// Typed entry to the plain-JS dev-server helpers for the room tests.
// @ts-expect-error TS7016: scripts/lib/*.mjs ship no declarations and tsconfig has no allowJs.
import { startPartykitDev as startUntyped } from "../../scripts/lib/partykit-dev.mjs";
// @ts-expect-error TS7016: as above.
import { startPlazaWithRooms as startWiredUntyped } from "../../scripts/lib/plaza-with-rooms.mjs";
// @ts-expect-error TS7016: as above.
import { freePort as freePortUntyped, secret as secretUntyped } from "../../scripts/lib/processes.mjs";
// @ts-expect-error TS7016: as above.
import { ephemeralSecrets as ephemeralUntyped, startWranglerDev as startWranglerUntyped } from "../../scripts/lib/wrangler-dev.mjs";

export interface PartykitDev {
  /** http://127.0.0.1:<port> */
  url: string;
  /** 127.0.0.1:<port>, what `YPartyKitProvider` takes as its host. */
  host: string;
  port: number;
  persistTo: string;
  stop(): Promise<void>;
  output(): string;
  exited: Promise<number | null>;
}

export interface PartykitDevOptions {
  persistTo?: string;
  port?: number;
  vars?: Record<string, string>;
  env?: Record<string, string>;
  onOutput?: (chunk: string) => void;
}

export const startPartykitDev: (options?: PartykitDevOptions) => Promise<PartykitDev> = startUntyped;

export interface WranglerDev {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  stop(): Promise<void>;
  output(): string;
}

export interface WranglerDevOptions {
  port?: number;
  vars?: Record<string, string>;
  secrets?: Record<string, string>;
}

/** The API Worker under `wrangler dev`, with its own local state and migrations applied. */
export const startWranglerDev: (options?: WranglerDevOptions) => Promise<WranglerDev> = startWranglerUntyped;
/** Throwaway secrets for a test's Worker. */
export const ephemeralSecrets: () => Record<string, string> = ephemeralUntyped;
export const freePort: () => Promise<number> = freePortUntyped;
/** A random secret, base64url. */
export const secret: (bytes?: number) => string = secretUntyped;
/** `wrangler dev` and `partykit dev` wired both ways (scripts/lib/plaza-with-rooms.mjs). */
export const startPlazaWithRooms: (options?: {
  roomsPersistTo?: string;
}) => Promise<{ api: WranglerDev; rooms: PartykitDev; roomsOptions: PartykitDevOptions }> = startWiredUntyped;
