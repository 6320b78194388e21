import type { FormObject } from "./form";
import type { ObjectStore } from "./store";

/** Hono env for every route: the store comes from the Durable Object, params from the request. */
export type AppEnv = {
  Bindings: { store: ObjectStore };
  Variables: { params: FormObject };
};
