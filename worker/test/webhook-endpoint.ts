import { call } from "./http";
import { type Received, scriptedReceiver } from "./webhook-receiver";

/** An org's endpoint at a fresh receiver that answers 200: its signing secret and what it received. */
export async function endpointReceiving(
  orgId: string,
  token: string,
  label: string,
  eventTypes?: string[],
): Promise<{ secret: string; received: Received[] }> {
  const receiver = scriptedReceiver(`${label}-${Date.now().toString(36)}`, [200]);
  const res = await call("POST", `/v1/orgs/${orgId}/webhooks/endpoints`, {
    token,
    body: { url: receiver.url, ...(eventTypes ? { eventTypes } : {}) },
  });
  if (res.status !== 201) throw new Error(`creating the test endpoint answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { secret: res.body.secret as string, received: receiver.received };
}
