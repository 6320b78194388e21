import { createRoute, z } from "@hono/zod-openapi";
import { DeadLetter, DeadLettersQuery } from "../../../shared/health";
import { requireOperator } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, json } from "../http/openapi-helpers";
import { newestDeadLetters } from "./dead-letters";

/** The newest dead letters of every queue, for the operator console's Jobs page. */
export const alertsRoutes = createRouter().openapi(
  createRoute({
    method: "get",
    path: "/v1/operator/dead-letters",
    tags: ["Operator"],
    summary: "Messages whose retries ran out on any queue (kept 30 days), newest first",
    security: bearer,
    request: { query: DeadLettersQuery },
    responses: { 200: json(z.object({ data: z.array(DeadLetter) }), "Up to `limit` dead letters"), ...authErrors },
  }),
  async (c) => {
    requireOperator(c.get("principal"), "payments:read");
    return c.json({ data: await newestDeadLetters(c.var.ctx.db, c.req.valid("query").limit) }, 200);
  },
);
