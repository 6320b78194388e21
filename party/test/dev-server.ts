// Typed entry to the plain-JS dev-server helper for the room tests.
// @ts-ignore TS7016: scripts/lib/*.mjs ship no declarations and tsconfig has no allowJs.
import { startPartykitDev as startUntyped } from "../../scripts/lib/partykit-dev.mjs";

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
