/**
 * The app's routes as src/routes.ts spells them, constants of pages/paths.ts filled in: for tests
 * that run outside a browser (routes.ts itself imports every page, which needs a DOM).
 */
import { readFileSync } from "node:fs";
import * as paths from "./src/pages/paths";

export interface RouteSpec {
  pattern: string;
  access: string;
}

export function appRoutes(): RouteSpec[] {
  const source = readFileSync(new URL("./src/routes.ts", import.meta.url), "utf8");
  const constants = paths as unknown as Record<string, string>;
  return [...source.matchAll(/pattern: ([^,]+),[^}]*?access: "(\w+)"/g)].map(([, expr, access]) => ({
    pattern: expr!
      .replace(/^[`"]|[`"]$/g, "")
      .replace(/\$\{(\w+)\}/g, (_, name: string) => constants[name]!)
      .replace(/^(\w+)$/, (name) => constants[name] ?? name),
    access: access!,
  }));
}
