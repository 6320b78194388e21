// A TCP relay in front of a server, for tests of network failures: it counts the bytes clients send
// through it and, once `cutAfter(n)` more have passed, drops every connection (the network failing
// in the middle of a request body) and calls `onCut`.
import { connect, createServer } from "node:net";

/**
 * @param {URL} target the server's origin
 * @returns {Promise<{ origin: string, sent: () => number, reset: () => void, cutAfter: (bytes: number, onCut?: () => void) => void, close: () => Promise<void> }>}
 */
export async function startRelay(target) {
  const sockets = new Set();
  let budget = Number.POSITIVE_INFINITY;
  let sent = 0;
  let onCut = () => {};
  const listener = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    const drop = () => {
      for (const socket of [client, upstream]) {
        socket.destroy();
        sockets.delete(socket);
      }
    };
    sockets.add(client).add(upstream);
    client.on("data", (chunk) => {
      budget -= chunk.length;
      if (budget < 0) {
        for (const socket of sockets) socket.destroy();
        const cut = onCut;
        onCut = () => {};
        cut();
        return;
      }
      sent += chunk.length;
      upstream.write(chunk);
    });
    upstream.pipe(client);
    for (const socket of [client, upstream]) socket.on("close", drop).on("error", drop);
  });
  await new Promise((resolve) => listener.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${listener.address().port}`,
    /** Client bytes passed on to the server since the start or the last `reset`. */
    sent: () => sent,
    /** Counts from zero again and lets everything through. */
    reset() {
      sent = 0;
      budget = Number.POSITIVE_INFINITY;
      onCut = () => {};
    },
    cutAfter(bytes, then = () => {}) {
      budget = bytes;
      onCut = then;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        listener.close(() => resolve());
      }),
  };
}
