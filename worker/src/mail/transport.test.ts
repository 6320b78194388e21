import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parseSender, transportFor } from "./transport";

const mail = { id: "msg_transporttest00000001", to: "buyer@example.test", subject: "Hello", text: "Hi", html: "<p>Hi</p>" };

describe("mail transports", () => {
  it("sends through the Cloudflare send_email binding when chosen", async () => {
    const transport = transportFor({ ...env, MAIL_TRANSPORT: "cloudflare", MAIL_FROM: "Plaza <no-reply@plaza.dev>" });
    expect(transport.name).toBe("cloudflare");
    await expect(transport.send(mail)).resolves.toBeUndefined();
  });

  it("picks the binding in production, the HTTP API when there is none, and never the mailbox", () => {
    expect(transportFor({ ...env, ENVIRONMENT: "production" }).name).toBe("cloudflare");
    const http = {
      ...env,
      ENVIRONMENT: "production" as const,
      EMAIL: undefined,
      MAIL_HTTP_URL: "http://plaza.test/mail",
      MAIL_HTTP_TOKEN: "t",
    };
    expect(transportFor(http).name).toBe("http");
    expect(() => transportFor({ ...http, MAIL_HTTP_URL: undefined })).toThrow(/MAIL_HTTP_URL/);
    expect(() => transportFor({ ...env, ENVIRONMENT: "production", MAIL_TRANSPORT: "mailbox" })).toThrow(
      /not a mail transport in production/,
    );
    expect(transportFor(env).name).toBe("mailbox");
  });

  it("an HTTP API that refuses makes the send fail with its answer", async () => {
    const transport = transportFor({
      ...env,
      MAIL_TRANSPORT: "http",
      MAIL_HTTP_URL: "http://plaza.test/v1/no-such-mail-api",
      MAIL_HTTP_TOKEN: "t",
    });
    await expect(transport.send(mail)).rejects.toThrow(/mail API answered 401/);
  });

  it("parses the sender the binding wants", () => {
    expect(parseSender('"Plaza Shop" <shop@plaza.dev>')).toEqual({ name: "Plaza Shop", email: "shop@plaza.dev" });
    expect(parseSender("no-reply@plaza.dev")).toBe("no-reply@plaza.dev");
  });
});
