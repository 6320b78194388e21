import { env } from "cloudflare:workers";
import { type MatrixCase, OPERATOR_ONLY, succeedsWith } from "../../test/authz-matrix";
import { createUser } from "../../test/fixtures";

/** A user's verification e-mail, marked failed as if its retries had run out. */
export async function failedMail() {
  const user = await createUser("failed-mail");
  const row = await env.DB.prepare("UPDATE mail_messages SET status = 'failed', last_error = ? WHERE \"to\" = ? RETURNING id")
    .bind("mail API answered 503", user.email)
    .first<{ id: string }>();
  return row!.id;
}

export const mailMatrix: MatrixCase[] = [
  {
    route: "GET /v1/operator/mail",
    scope: "payments:read",
    build: () => ({ method: "GET", path: "/v1/operator/mail" }),
    expected: OPERATOR_ONLY,
  },
  {
    route: "POST /v1/operator/mail/:mailId/resend",
    scope: "payments:write",
    build: async () => ({ method: "POST", path: `/v1/operator/mail/${await failedMail()}/resend` }),
    expected: succeedsWith(OPERATOR_ONLY, 202),
  },
];
