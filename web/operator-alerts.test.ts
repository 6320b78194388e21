/**
 * Health and alerts (issue #21) on a real `wrangler dev`: /readyz answers an operator and an uptime
 * monitor's READYZ_TOKEN (its local D1 has every migration applied) and nobody else; a dead letter
 * shows on the operator console's Jobs page, and running operator-alerts there marks it mailed.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { assertViteBuild, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { logInWhenAsked } from "../scripts/lib/log-in";
import { makeOperator } from "../scripts/lib/operators.mjs";
import { plazaApi } from "../scripts/lib/plaza-api";
import { secret } from "../scripts/lib/processes.mjs";
import { ephemeralSecrets, executeLocalD1, startWranglerDev } from "../scripts/lib/wrangler-dev.mjs";
import { Readyz } from "../shared/health";

const RUN = Date.now().toString(36);
const READYZ_TOKEN = secret(32);
const operator = { name: "Olive Operator", email: `olive-alerts-${RUN}@example.com`, password: "keeps the plaza tidy" };
const MESSAGE_ID = `dlq-e2e-${RUN}`;

let server: Awaited<ReturnType<typeof startWranglerDev>>;
const { signUpAndLogIn } = plazaApi(() => server.url);
let browser: Browser;
let operatorToken: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  assertViteBuild();
  server = await startWranglerDev({ secrets: { ...ephemeralSecrets(), READYZ_TOKEN } });
  browser = await launchChromium();
  operatorToken = await signUpAndLogIn(operator);
  await makeOperator(server.persistTo, operator.email);
  // As the mail DLQ's consumer records a message whose retries ran out (no queue here can be made to fail).
  await executeLocalD1(
    server.persistTo,
    `INSERT INTO dead_letters (queue, message_id, about, attempts, recorded_at) VALUES ('plaza-mail-dlq', '${MESSAGE_ID}', '{"messageId":"msg_e2e"}', 1, ${Date.now() - 60_000})`,
  );
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const readyz = (bearer?: string) => fetch(`${server.url}/readyz`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });

test("/readyz answers the operator and the monitor's token 200 with every check ok, and anyone else 404", async () => {
  for (const bearer of [operatorToken, READYZ_TOKEN]) {
    const res = await readyz(bearer);
    expect(res.status).toBe(200);
    const body = Readyz.parse(await res.json());
    expect(body).toMatchObject({ ok: true, checks: { d1: { ok: true }, r2: { ok: true }, queues: { ok: true } } });
  }
  expect((await readyz()).status).toBe(404);
  expect((await readyz(`${READYZ_TOKEN}x`)).status).toBe(404);
});

test("the Jobs page lists the dead letter; running operator-alerts there marks it mailed", async () => {
  const context = await newContext(browser, { baseURL: server.url, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  await page.goto(`/login?next=${encodeURIComponent("/operator/jobs")}`);
  await logInWhenAsked(page, operator, "/operator/jobs");

  const letter = page.getByRole("table", { name: "Dead letters" }).locator(`tr[data-message-id="${MESSAGE_ID}"]`);
  await letter.waitFor();
  expect(await letter.getAttribute("data-queue")).toBe("plaza-mail-dlq");
  await letter.getByText("Not yet").waitFor();

  await page.getByRole("table", { name: "Maintenance jobs" }).getByRole("button", { name: "Run operator-alerts now" }).click();
  await letter.getByText("Not yet").waitFor({ state: "detached" });
  await context.close();
  expect(pageErrors).toEqual([]);
});
