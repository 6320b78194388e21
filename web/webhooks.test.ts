/**
 * The webhooks page in a real browser against `wrangler dev` (its queues deliver for real). A tiny
 * receiver on 127.0.0.1 records what Plaza POSTs and answers 200 (or 500 when told to). An org
 * admin adds an endpoint pointing at it, sees the signing secret once, sends a test event, and
 * the receiver verifies the delivery with the `standardwebhooks` package; the attempt shows in
 * the attempt log and the message under Messages, where Resend delivers it again. A private
 * address is refused next to the URL field; rotating shows a new secret, and both sign until the
 * old one expires. Every wait polls (`eventually`, Playwright's auto-waiting).
 */
import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { assertViteBuild, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { eventually } from "../scripts/lib/eventually";
import { logInWhenAsked } from "../scripts/lib/log-in";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { WAIT } from "../scripts/lib/wait-budgets.mjs";
import { ephemeralSecrets, startWranglerDev } from "../scripts/lib/wrangler-dev.mjs";
import type { OrgT } from "../shared/api";
import type { WebhookEndpointT } from "../shared/webhooks";

const SCREENSHOTS = "/tmp/plaza-webhooks";
const RUN = Date.now().toString(36);
const admin = { name: "Grace Hopper", email: `grace-${RUN}@example.com`, password: "compilers and nanoseconds" };
const ORG = "Hopper Systems";
const OK_BODY = "thanks from the receiver";
const DOWN_BODY = "receiver is down";

interface Received {
  headers: Record<string, string>;
  body: string;
}

/** Records every request; answers 200, or `failWith` a status. */
async function startReceiver() {
  const received: Received[] = [];
  let status = 200;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]));
      received.push({ headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? OK_BODY : DOWN_BODY);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    failWith: (code: number) => {
      status = code;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let server: Awaited<ReturnType<typeof startWranglerDev>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let browser: Browser;
const { api, signUpAndLogIn } = plazaApi(() => server.url);
const pageErrors: string[] = [];
/** Shared by the tests, in order: the endpoint made in the first, its secret(s). */
let endpointUrl: string;
let secret: string;
let adminToken: string;
let orgId: string;

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, { baseURL: server.url, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  return { context, page };
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

/** Opens `path` signed in as the admin (through the login form's `?next=`). */
async function openAsAdmin(path: string) {
  const { context, page } = await newPage();
  await page.goto(path);
  await logInWhenAsked(page, admin, path);
  return { context, page };
}

/** The delivery of event `eventId` the receiver got (the `webhook-id` header is the event's id). */
const deliveryOf = (eventId: string, after = 0) =>
  eventually(`the receiver to get ${eventId}`, () => receiver.received.slice(after).find((r) => r.headers["webhook-id"] === eventId));

/** For a step that waits on a delivery: the queue hands it over, the consumer sends it and records the attempt. */
const afterDelivery = { timeout: WAIT.backgroundWork };

/** Presses "Send test event" and reads the queued event's id from the confirmation. */
async function sendTestEvent(page: Page): Promise<string> {
  await page.getByRole("button", { name: "Send test event" }).click();
  const toast = page
    .locator(".toast")
    .filter({ hasText: /Test event evt_\w+ queued\./ })
    .last();
  const text = (await toast.textContent()) ?? "";
  return /evt_\w+/.exec(text)![0];
}

beforeAll(async () => {
  assertViteBuild();
  mkdirSync(SCREENSHOTS, { recursive: true });
  [server, receiver] = await Promise.all([startWranglerDev({ secrets: ephemeralSecrets() }), startReceiver()]);
  browser = await launchChromium();
  adminToken = await signUpAndLogIn(admin);
  // Their first org becomes the active one, which /dashboard/webhooks is about.
  const org = await api<OrgT>("POST", "/v1/orgs", { name: ORG, slug: `hopper-${RUN}` }, adminToken);
  expectStatus(org, 201, "create org");
  orgId = org.body.id;
  endpointUrl = `${receiver.url}/hooks/plaza`;
});

afterAll(async () => {
  await browser?.close();
  await receiver?.stop();
  await server?.stop();
});

describe("webhooks page", () => {
  test("an admin adds an endpoint and sees its secret once; a test event reaches the receiver, verifies, and shows in the attempt log", async () => {
    const { context, page } = await openAsAdmin("/dashboard");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" }).click();
    await page.getByRole("heading", { level: 1, name: `Webhooks · ${ORG}` }).waitFor();
    await page.getByRole("region", { name: "Endpoints" }).getByText("No endpoints yet.").waitFor();

    const form = page.getByRole("form", { name: "Add endpoint" });
    await form.getByLabel("URL").fill(endpointUrl);
    await form.getByLabel("Description").fill("The test's receiver");
    expect(await form.getByLabel("All events").isChecked()).toBe(true);
    expect(await form.getByLabel(/^order\.created/).isDisabled()).toBe(true);
    await form.getByLabel("Rate limit (deliveries per second)").fill("5");
    await form.getByRole("button", { name: "Add endpoint" }).click();

    const panel = page.locator(".secret-panel");
    await panel.getByText("Copy it now: you will not be able to see it again.").waitFor();
    secret = await page.getByTestId("webhook-secret").inputValue();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    await panel.getByRole("button", { name: "Copy" }).waitFor();
    const listed = page.getByRole("region", { name: "Endpoints" }).getByRole("row").filter({ hasText: endpointUrl });
    await listed.getByText("All events").waitFor();
    await listed.getByText("Enabled").waitFor();
    await listed.getByText("5/s").waitFor();
    await shot(page, "1-secret-once");
    await panel.getByRole("button", { name: "Done" }).click();
    expect(await page.getByTestId("webhook-secret").count()).toBe(0);
    // Not shown again: not after a reload, not on the endpoint's page.
    await page.reload();
    await page.getByRole("region", { name: "Endpoints" }).getByRole("link", { name: endpointUrl }).click();
    await page.getByRole("heading", { level: 1, name: endpointUrl }).waitFor();
    expect(await page.getByTestId("webhook-secret").count()).toBe(0);
    expect(await page.getByText(secret).count()).toBe(0);

    const eventId = await sendTestEvent(page);
    const delivery = await deliveryOf(eventId);
    const verified = new Webhook(secret).verify(delivery.body, delivery.headers) as { type: string; data: { endpointId: string } };
    expect(verified.type).toBe("webhook.test");
    expect(() =>
      new Webhook(`whsec_${Buffer.from("not the secret, 32 bytes long!!!").toString("base64")}`).verify(delivery.body, delivery.headers),
    ).toThrow();

    // The page refreshes its log until the attempt is in.
    const attempt = page.getByRole("region", { name: "Attempt log" }).getByRole("row").filter({ hasText: eventId });
    await attempt.locator('[data-status-code="200"]').waitFor(afterDelivery);
    await attempt.getByText("#1", { exact: true }).waitFor();
    await attempt.getByText(/^\d+ ms$/).waitFor();
    await attempt.getByText("Response", { exact: true }).click();
    await attempt.getByText(OK_BODY).waitFor();
    await shot(page, "2-attempt-log");
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  test("Messages lists the test event with its delivery, payload and attempts; Resend delivers it again", async () => {
    const { context, page } = await openAsAdmin("/dashboard/webhooks");
    const message = page.getByRole("region", { name: "Messages" }).locator("tbody.message").filter({ hasText: "webhook.test" }).first();
    const eventId = (await message.getAttribute("data-event-id"))!;
    expect(eventId).toMatch(/^evt_/);
    const delivery = message.locator("li.delivery");
    await delivery.getByRole("link", { name: endpointUrl }).waitFor();
    await delivery.getByText("Delivered").waitFor();
    await message.getByRole("button", { name: "Payload and attempts" }).click();
    expect(await message.getByRole("button", { name: "Payload and attempts" }).getAttribute("aria-expanded")).toBe("true");
    expect(JSON.parse((await message.getByTestId("message-payload").textContent())!)).toMatchObject({ type: "webhook.test" });
    await message.getByRole("row").filter({ hasText: eventId }).locator('[data-status-code="200"]').first().waitFor();
    await shot(page, "3-messages");

    const before = receiver.received.length;
    await delivery.getByRole("button", { name: `Resend ${eventId} to ${endpointUrl}` }).click();
    await page.getByText(`webhook.test queued again for ${endpointUrl}.`).waitFor();
    const again = await deliveryOf(eventId, before);
    expect((new Webhook(secret).verify(again.body, again.headers) as { type: string }).type).toBe("webhook.test");
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  test("a failing receiver's 500 and answer show in the attempt log; recovering finds nothing failed for good", async () => {
    const { context, page } = await openAsAdmin("/dashboard/webhooks");
    await page.getByRole("region", { name: "Endpoints" }).getByRole("link", { name: endpointUrl }).click();
    await page.getByRole("heading", { level: 1, name: endpointUrl }).waitFor();
    receiver.failWith(500);
    try {
      const eventId = await sendTestEvent(page);
      await deliveryOf(eventId);
      const failed = page
        .getByRole("region", { name: "Attempt log" })
        .getByRole("row")
        .filter({ hasText: eventId })
        .filter({ has: page.locator('[data-status-code="500"]') });
      await failed.first().waitFor(afterDelivery);
      await failed.first().getByText("Response", { exact: true }).click();
      await failed.first().getByText(DOWN_BODY).waitFor();
      await shot(page, "4-failed-attempt");
    } finally {
      receiver.failWith(200);
    }
    // Retries are still pending (1 s, 5 s, …): nothing has failed for good yet.
    const recover = page.getByRole("form", { name: "Recover failed messages" });
    expect(await recover.getByLabel("Failed since").inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    await recover.getByRole("button", { name: "Recover failed messages" }).click();
    await page.getByText("No failed messages since then.").waitFor();
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  test("a private address is refused next to the URL field; no event type at all is refused too", async () => {
    const { context, page } = await openAsAdmin("/dashboard/webhooks");
    const form = page.getByRole("form", { name: "Add endpoint" });
    await form.getByLabel("URL").fill("http://10.0.0.1/x");
    await form.getByRole("button", { name: "Add endpoint" }).click();
    await form
      .locator('[data-error-for="url"]')
      .getByText("Must not point at a private, loopback, link-local or reserved address")
      .waitFor();
    expect(await form.getByLabel("URL").getAttribute("aria-invalid")).toBe("true");
    await form.getByText("Please correct the fields marked below.").waitFor();
    await shot(page, "5-private-url");

    await form.getByLabel("URL").fill(endpointUrl);
    await form.getByLabel("All events").uncheck();
    await form.getByRole("button", { name: "Add endpoint" }).click();
    await form.locator('[data-error-for="eventTypes"]').getByText("Choose at least 1").waitFor();
    expect(await page.getByTestId("webhook-secret").count()).toBe(0);
    const listed = await api<{ data: WebhookEndpointT[] }>("GET", `/v1/orgs/${orgId}/webhooks/endpoints`, undefined, adminToken);
    expect(listed.body.data.map((e: { url: string }) => e.url)).toEqual([endpointUrl]);
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  test("rotating shows a new secret once; until the old one expires both sign deliveries", async () => {
    const { context, page } = await openAsAdmin("/dashboard/webhooks");
    await page.getByRole("region", { name: "Endpoints" }).getByRole("link", { name: endpointUrl }).click();
    await page.getByRole("heading", { level: 1, name: endpointUrl }).waitFor();
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Rotate secret" }).click();
    const panel = page.locator(".secret-panel");
    await panel.getByText("Copy it now: you will not be able to see it again.").waitFor();
    await panel.getByText(/The previous secret also signs deliveries until/).waitFor();
    const rotated = await page.getByTestId("webhook-secret").inputValue();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    await page.getByText(/also signs until/).waitFor();
    await shot(page, "6-rotated");

    const eventId = await sendTestEvent(page);
    const delivery = await deliveryOf(eventId);
    expect((new Webhook(rotated).verify(delivery.body, delivery.headers) as { type: string }).type).toBe("webhook.test");
    expect((new Webhook(secret).verify(delivery.body, delivery.headers) as { type: string }).type).toBe("webhook.test");
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  test("a 410 makes Plaza disable the endpoint, shown with its reason; the admin enables it again, pauses it, and deletes it", async () => {
    const { context, page } = await openAsAdmin("/dashboard/webhooks");
    await page.getByRole("region", { name: "Endpoints" }).getByRole("link", { name: endpointUrl }).click();
    await page.getByRole("heading", { level: 1, name: endpointUrl }).waitFor();
    receiver.failWith(410);
    try {
      await deliveryOf(await sendTestEvent(page));
      await eventually(
        "Plaza to disable the endpoint",
        async () => {
          await page.reload();
          await page.getByRole("heading", { level: 1, name: endpointUrl }).waitFor();
          return (await page.getByText("Plaza disabled this endpoint:").count()) > 0;
        },
        { intervalMs: 500 },
      );
    } finally {
      receiver.failWith(200);
    }
    await page.getByRole("alert").filter({ hasText: "Fix the receiver, enable the endpoint below" }).waitFor();
    await shot(page, "7-disabled-by-plaza");
    await page.getByRole("link", { name: "All endpoints" }).click();
    const listed = page.getByRole("region", { name: "Endpoints" }).getByRole("row").filter({ hasText: endpointUrl });
    await listed.getByText("Disabled", { exact: true }).waitFor();
    await listed.locator(".disabled-reason").filter({ hasText: "410 Gone" }).waitFor();

    await listed.getByRole("link", { name: endpointUrl }).click();
    const edit = page.getByRole("form", { name: "Edit endpoint" });
    await edit.getByLabel(/^Enabled/).check();
    await edit.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Endpoint enabled. Recover the messages it missed below.").waitFor();
    expect(await page.getByText("Plaza disabled this endpoint:").count()).toBe(0);

    await edit.getByLabel(/^Enabled/).uncheck();
    await edit.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("This endpoint is disabled: no events are delivered to it until you enable it.").waitFor();

    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Delete endpoint" }).click();
    await page.waitForURL("**/dashboard/webhooks");
    await page.getByRole("region", { name: "Endpoints" }).getByText("No endpoints yet.").waitFor();
    await context.close();
    expect(pageErrors).toEqual([]);
  });
});
