import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { orgFixture } from "../../test/fixtures";
import { call } from "../../test/http";
import { jobContext } from "../../test/jobs";
import { open } from "../crypto/secret-box";
import type { Env } from "../env";
import { resealConnectAccounts } from "./reseal";

it("re-seals account ids under the newest key after a rotation, and they still open to the same id", async () => {
  const fx = await orgFixture();
  expect((await call("POST", `/v1/orgs/${fx.orgId}/connect/onboarding`, { token: fx.owner.accessToken })).status).toBe(201);
  const testEnv = env as unknown as Env;
  const oldKeys = testEnv.ENCRYPTION_KEYS;
  const row = () =>
    env.DB.prepare("SELECT account_id_encrypted AS sealed FROM connect_accounts WHERE org_id = ?")
      .bind(fx.orgId)
      .first<{ sealed: string }>();
  const before = (await row())!.sealed;
  const accountId = await open(oldKeys, before);

  const newKey = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
  const rotated = { ...testEnv, ENCRYPTION_KEYS: `k9:${newKey},${oldKeys}` };
  const job = (e: Env) => resealConnectAccounts(jobContext(e, Date.now(), 100));
  expect(await job(rotated)).toBeGreaterThanOrEqual(1);
  const after = (await row())!.sealed;
  expect(after.startsWith("k9:")).toBe(true);
  expect(await open(`k9:${newKey}`, after)).toBe(accountId);
  // Nothing left under the old key: a second run does nothing.
  expect(await job(rotated)).toBe(0);
});
