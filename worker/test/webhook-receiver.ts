/**
 * Scripted webhook receivers at `http://receiver.test/<name>` (routed by network.ts). Each one
 * answers its script in order (the last answer repeats) and keeps every request it got. A
 * `"hang"` answer never comes: the request waits until Plaza's timeout aborts it.
 */
export type Answer = number | { status: number; headers?: Record<string, string>; body?: string } | "hang";

export interface Received {
  headers: Record<string, string>;
  body: string;
}

interface Receiver {
  script: Answer[];
  received: Received[];
}

export const RECEIVER_ORIGIN = "http://receiver.test";
const receivers = new Map<string, Receiver>();

export function scriptedReceiver(name: string, script: Answer[]) {
  const receiver: Receiver = { script, received: [] };
  receivers.set(`/${name}`, receiver);
  return { url: `${RECEIVER_ORIGIN}/${name}`, received: receiver.received };
}

export async function receiverFetch(request: Request): Promise<Response> {
  const receiver = receivers.get(new URL(request.url).pathname);
  if (!receiver) return new Response("no such receiver", { status: 404 });
  receiver.received.push({ headers: Object.fromEntries(request.headers), body: await request.text() });
  const answer = receiver.script[Math.min(receiver.received.length, receiver.script.length) - 1]!;
  if (answer === "hang") {
    return new Promise((_, reject) => request.signal.addEventListener("abort", () => reject(request.signal.reason)));
  }
  const { status, headers, body } = typeof answer === "number" ? { status: answer, headers: {}, body: `answer ${answer}` } : answer;
  return new Response(body ?? "", { status, headers });
}
