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
 * One line per missing secret with the command that sets it. ROOM_TOKEN_SECRET goes to both the
 * Worker and the rooms from one generated value, whichever side lacks it: the two must be equal.
 * @param {{ envName: string, missingWorker: string[], missingRooms: string[], roomsName: string }} missing
 */
export function secretInstructions({ envName, missingWorker, missingRooms, roomsName }) {
  const put = (name) => `npx wrangler secret put ${name} --env ${envName}`;
  const lines = [];
  for (const name of missingWorker) {
    if (name === SHARED_ROOM_SECRET) continue;
    if (name in FROM_STRIPE) lines.push(`  ${name}: ${FROM_STRIPE[name](envName)}, then\n      ${put(name)}`);
    else lines.push(`  ${name}:\n      ${generate(name)} | ${put(name)}`);
  }
  if (missingWorker.includes(SHARED_ROOM_SECRET) || missingRooms.includes(SHARED_ROOM_SECRET)) {
    const where = [
      missingWorker.includes(SHARED_ROOM_SECRET) && "the Worker",
      missingRooms.includes(SHARED_ROOM_SECRET) && `the rooms (${roomsName})`,
    ]
      .filter(Boolean)
      .join(" and ");
    lines.push(
      `  ${SHARED_ROOM_SECRET} (missing on ${where}; one value for both, so set it on both):\n` +
        `      v="$(${generate(SHARED_ROOM_SECRET)})" && printf %s "$v" | ${put(SHARED_ROOM_SECRET)} && printf %s "$v" | npx partykit env add ${SHARED_ROOM_SECRET} --name ${roomsName}`,
    );
  }
  return lines;
}
