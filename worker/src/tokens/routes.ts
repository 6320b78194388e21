import { createRoute, z } from "@hono/zod-openapi";
import { ApiToken, CreatedApiToken, CreateTokenBody, TokenId } from "../../../shared/api";
import { requireSession } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, conflictError, json, jsonBody, noContent, notFoundError } from "../http/openapi-helpers";
import * as tokens from "./service";

const tag = ["API tokens"];

/** Personal API tokens. Managing them needs a logged-in session: a token cannot mint tokens. */
export const tokenRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/me/tokens",
      tags: tag,
      summary: "Your active API tokens (secrets are never shown again)",
      security: bearer,
      responses: { 200: json(z.object({ data: z.array(ApiToken) }), "Tokens"), ...authErrors },
    }),
    async (c) => {
      const p = requireSession(c.get("principal"));
      return c.json({ data: await tokens.listTokens(c.var.ctx, { userId: p.userId }) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/me/tokens",
      tags: tag,
      summary: "Create a scoped API token; the secret is in this response only",
      security: bearer,
      request: jsonBody(CreateTokenBody),
      responses: { 201: json(CreatedApiToken, "Created"), ...authErrors, ...conflictError },
    }),
    async (c) => {
      const p = requireSession(c.get("principal"));
      return c.json(await tokens.createToken(c.var.ctx, { ...c.req.valid("json"), userId: p.userId }), 201);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/v1/me/tokens/{tokenId}",
      tags: tag,
      summary: "Revoke an API token",
      security: bearer,
      request: { params: z.object({ tokenId: TokenId }) },
      responses: { ...noContent, ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const p = requireSession(c.get("principal"));
      await tokens.revokeToken(c.var.ctx, { userId: p.userId, tokenId: c.req.valid("param").tokenId });
      return c.body(null, 204);
    },
  );
