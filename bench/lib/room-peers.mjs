// Real Y.js collaborators for the rooms bench: a Y.Doc each, synced through y-partykit's provider,
// with arrival tracking (when a peer's doc has applied a writer's edit) and a deterministic trace.
import { performance } from "node:perf_hooks";
import YPartyKitProvider from "y-partykit/provider";
import * as Y from "yjs";
import { mulberry32 } from "./prng.mjs";

const SYNC_TIMEOUT_MS = 30_000;
const TEXT = "body";

/**
 * One client. `reached(writerId, clock)` resolves with performance.now() at the moment this doc
 * has applied the writer's update up to `clock`, read from the doc's own state vector, so it
 * works whatever the server batches or reorders.
 */
export function connectPeer(server, room, token) {
  const doc = new Y.Doc();
  const provider = new YPartyKitProvider(server.host, room, doc, {
    ...server.providerOptions(room),
    params: { token },
    // Same-process clients would otherwise sync over BroadcastChannel and bypass the server.
    disableBc: true,
  });
  const waiters = [];
  doc.on("update", (_update, origin) => {
    if (origin !== provider || waiters.length === 0) return;
    const at = performance.now();
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i];
      if (Y.getState(doc.store, w.writerId) >= w.clock) {
        waiters.splice(i, 1);
        w.resolve(at);
      }
    }
  });
  return {
    doc,
    text: doc.getText(TEXT),
    provider,
    synced: () => waitFor(provider, "synced", () => provider.synced),
    reached(writerId, clock) {
      if (Y.getState(doc.store, writerId) >= clock) return Promise.resolve(performance.now());
      return new Promise((resolve) => waiters.push({ writerId, clock, resolve }));
    },
    pending: () => waiters.length,
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}

/** Connects `tokens.length` peers to a fresh room and resolves once every one has synced. */
export async function connectRoom(server, room, tokens) {
  // Each provider adds a process "exit" listener; 50 in one process are expected, not a leak.
  process.setMaxListeners(Math.max(process.getMaxListeners(), tokens.length + 10));
  const peers = tokens.map((token) => connectPeer(server, room, token));
  try {
    await withTimeout(Promise.all(peers.map((p) => p.synced())), SYNC_TIMEOUT_MS, `${peers.length} clients syncing with ${server.name}`);
  } catch (err) {
    for (const p of peers) p.destroy();
    throw err;
  }
  return peers;
}

/** The writer's own clock after its latest edit: what a peer must reach to have applied it. */
export const clockOf = (peer) => Y.getState(peer.doc.store, peer.doc.clientID);

/**
 * A typing-like trace from a seeded PRNG: mostly short inserts, some replacements (delete 1–4
 * characters and type one), at positions given as fractions of the current length, so it applies
 * to any document and is the same every run. Every edit inserts, so each one advances its
 * writer's clock and its arrival can be seen in a peer's state vector.
 */
export function editTrace(length, seed = 0x5eed) {
  const random = mulberry32(seed);
  const words = ["room", "cursor", "plugin", "shared", "edit", "plaza", " ", "\n", "sync", "y"];
  return Array.from({ length }, () => ({
    at: random(),
    text: words[Math.floor(random() * words.length)],
    remove: random() < 0.15 ? 1 + Math.floor(random() * 4) : 0,
  }));
}

/** One edit = one transaction = one sync update on the wire. */
export function applyEdit({ doc, text }, op) {
  doc.transact(() => {
    const index = Math.floor(op.at * (text.length + 1));
    const removed = Math.min(op.remove, text.length - index);
    if (removed > 0) text.delete(index, removed);
    text.insert(index, op.remove ? op.text[0] : op.text);
  });
}

export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function waitFor(observable, event, done) {
  if (done()) return Promise.resolve();
  return new Promise((resolve) => {
    const handler = () => {
      if (!done()) return;
      observable.off(event, handler);
      resolve();
    };
    observable.on(event, handler);
  });
}
