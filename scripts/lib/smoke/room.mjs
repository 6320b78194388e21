// The smoke test's room check: a real Y.js sync with a project's room, as the editor does it
// (y-partykit's provider with a room token the Worker minted), then a clean close. It edits nothing.
import YPartyKitProvider from "y-partykit/provider";
import * as Y from "yjs";
import { Failed } from "./checks.mjs";

/**
 * Where to open the socket: `roomsUrl` (http(s) or ws(s)) when the operator gave one, else the
 * host the Worker put in the token (its ROOMS_URL), with the provider's own ws/wss choice.
 * @param {string} tokenHost
 * @param {string | undefined} roomsUrl
 */
export function roomEndpoint(tokenHost, roomsUrl) {
  if (!roomsUrl) return { host: tokenHost, protocol: undefined };
  const url = new URL(roomsUrl);
  const secure = url.protocol === "https:" || url.protocol === "wss:";
  return { host: url.host, protocol: secure ? "wss" : "ws" };
}

/**
 * Connects to `roomId` with `token` and resolves once the provider has synced (both sides sent
 * their state); fails on the first close or error before that (a refused token, a wrong rooms
 * URL) or after `timeoutMs`. Always destroys the provider.
 * @param {{ host: string, protocol?: string, roomId: string, token: string, timeoutMs: number }} options
 * @returns {Promise<{ url: string, bytes: number }>}
 */
export async function syncWithRoom({ host, protocol, roomId, token, timeoutMs }) {
  if (typeof globalThis.WebSocket !== "function")
    throw new Failed("this Node has no WebSocket: run the smoke with Node 22 (npm run smoke)");
  const doc = new Y.Doc();
  const provider = new YPartyKitProvider(host, roomId, doc, {
    ...(protocol && { protocol }),
    params: { token },
    // Nothing to share with other tabs; the sync must go through the server.
    disableBc: true,
    connect: false,
  });
  // Without a local state the room's presence shows nobody joining: the smoke is not a collaborator.
  provider.awareness.setLocalState(null);
  const url = provider.url.replace(/([?&]token=)[^&]+/, "$1…");
  let timer;
  try {
    await new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Failed(`no sync with ${url} within ${timeoutMs} ms`)), timeoutMs);
      provider.on("synced", (/** @type {boolean} */ synced) => synced && resolve(undefined));
      provider.on("connection-close", (/** @type {CloseEvent} */ event) =>
        reject(new Failed(`${url} closed before sync: ${event?.code ?? "?"}${event?.reason ? ` ${event.reason}` : ""}`)),
      );
      provider.on("connection-error", () => reject(new Failed(`could not connect to ${url}`)));
      provider.connect();
    });
    return { url, bytes: Y.encodeStateAsUpdate(doc).byteLength };
  } finally {
    clearTimeout(timer);
    provider.destroy();
    doc.destroy();
  }
}
