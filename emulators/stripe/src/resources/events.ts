import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { parseParams } from "../params";
import { listSchema, respond, respondList } from "./common";

const listParams = listSchema({
  type: z.string().optional(),
  types: z.array(z.string()).optional(),
});

export const events = new Hono<AppEnv>()
  .get("/", (c) => {
    const params = parseParams(listParams, c.var.params);
    const wanted = params.types ?? (params.type ? [params.type] : undefined);
    // `type` may end in `*` (e.g. `charge.*`), as Stripe allows.
    const matches = (type: string) => !wanted || wanted.some((w) => (w.endsWith("*") ? type.startsWith(w.slice(0, -1)) : type === w));
    const all = c.var.store.all("event");
    return respondList(
      c,
      all.filter((event) => matches(String(event.type))),
      params,
    );
  })
  .get("/:id", (c) => respond(c, c.var.store.get("event", c.req.param("id"))));
