// Lets the bench import worker/ and shared/ TypeScript that uses extensionless relative imports
// (as bundlers and vitest resolve them): Node's type stripping needs the `.ts`, so add it.
import { registerHooks } from "node:module";

const RELATIVE_WITHOUT_EXTENSION = /^\.\.?\/(?:.*\/)?[^./][^/]*$/;

let registered = false;

export function allowExtensionlessTsImports() {
  if (registered) return;
  registered = true;
  registerHooks({
    resolve(specifier, context, next) {
      try {
        return next(specifier, context);
      } catch (err) {
        if (err?.code !== "ERR_MODULE_NOT_FOUND" || !RELATIVE_WITHOUT_EXTENSION.test(specifier)) throw err;
        return next(`${specifier}.ts`, context);
      }
    },
  });
}
