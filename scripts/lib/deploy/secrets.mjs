// The secrets a deployed Plaza needs, and how an operator makes each one that is missing. Values
// come from the generators `npm start` uses for .dev.vars (scripts/dev-secrets.mjs), except the
// three that Stripe issues.
import { GENERATED_SECRETS } from "../../dev-secrets.mjs";

/** Secrets Stripe issues (the dashboard shows them), never generated here. */
const FROM_STRIPE = {
  STRIPE_SECRET_KEY: (envName) =>
    envName === "production"
      ? "Stripe dashboard → Developers → API keys: the live secret key (sk_live_…)"
      : "Stripe dashboard (test mode) → Developers → API keys: the test secret key (sk_test_…)",
  STRIPE_WEBHOOK_SECRET: () => "the signing secret (whsec_…) of the platform endpoint …/v1/stripe/webhooks (listed below)",
  STRIPE_CONNECT_WEBHOOK_SECRET: () => "the signing secret (whsec_…) of the Connect endpoint …/v1/stripe/connect-webhooks (listed below)",
};

/** Every secret the Worker must have in a deployed environment. */
export const REQUIRED_WORKER_SECRETS = [...new Set([...GENERATED_SECRETS, ...Object.keys(FROM_STRIPE)])];

/** The rooms' one secret: the same value as the Worker's, which signs the room tokens they accept. */
export const SHARED_ROOM_SECRET = "ROOM_TOKEN_SECRET";

/** `wrangler secret list --format json` → names. */
export function parseSecretList(output) {
  const start = output.indexOf("[");
  if (start < 0) return [];
  const list = JSON.parse(output.slice(start, output.lastIndexOf("]") + 1));
  return list.map((entry) => entry.name);
}

/** A command that prints a fresh value for a generated secret without showing it on screen. */
const generate = (name) => `node scripts/lib/deploy/new-secret.mjs ${name}`;

/**
 * One line per missing secret with the commands that set it. Both Workers of an environment (edge
 * and placed) run the same code, so each secret must have the same value on both: one missing on
 * both gets one value set on both; one missing on a single Worker gets the value the other has.
 * ROOM_TOKEN_SECRET is also the rooms': missing anywhere, one fresh value goes to all three (room
 * tokens live minutes, so replacing it costs nothing).
 * @param {{ envName: string, workers: { edge: string, placed: string }, missingEdge: string[], missingPlaced: string[], missingRooms: string[], roomsName: string }} missing
 */
export function secretInstructions({ envName, workers, missingEdge, missingPlaced, missingRooms, roomsName }) {
  const putEdge = (name) => `npx wrangler secret put ${name} --env ${envName}`;
  const putPlaced = (name) => `npx wrangler secret put ${name} --name ${workers.placed}`;
  const lines = [];
  for (const name of REQUIRED_WORKER_SECRETS) {
    if (name === SHARED_ROOM_SECRET) continue;
    const edge = missingEdge.includes(name);
    const placed = missingPlaced.includes(name);
    if (edge && placed) {
      if (name in FROM_STRIPE)
        lines.push(`  ${name}: ${FROM_STRIPE[name](envName)}, then on both Workers\n      ${putEdge(name)}\n      ${putPlaced(name)}`);
      else
        lines.push(
          `  ${name} (one value for both Workers):\n      v="$(${generate(name)})" && printf %s "$v" | ${putEdge(name)} && printf %s "$v" | ${putPlaced(name)}`,
        );
    } else if (edge || placed) {
      const [lacking, having, put] = edge ? [workers.edge, workers.placed, putEdge] : [workers.placed, workers.edge, putPlaced];
      lines.push(
        `  ${name} (missing on ${lacking} only): the value ${having} has (Cloudflare never shows it again: use the one you kept), so both agree:\n      ${put(name)}`,
      );
    }
  }
  const room = [
    missingEdge.includes(SHARED_ROOM_SECRET) && `the Worker ${workers.edge}`,
    missingPlaced.includes(SHARED_ROOM_SECRET) && `the Worker ${workers.placed}`,
    missingRooms.includes(SHARED_ROOM_SECRET) && `the rooms (${roomsName})`,
  ].filter(Boolean);
  if (room.length > 0) {
    lines.push(
      `  ${SHARED_ROOM_SECRET} (missing on ${room.join(" and ")}; one value for both Workers and the rooms, so set it on all three):\n` +
        `      v="$(${generate(SHARED_ROOM_SECRET)})" && printf %s "$v" | ${putEdge(SHARED_ROOM_SECRET)} && printf %s "$v" | ${putPlaced(SHARED_ROOM_SECRET)} && printf %s "$v" | npx partykit env add ${SHARED_ROOM_SECRET} --name ${roomsName}`,
    );
  }
  return lines;
}
