import { z } from "zod";

// Zod compiles object parsers with `new Function` where eval is allowed. The CSP allows no eval,
// and even Zod's probe for it is reported as a violation. main.ts imports this module first:
// schemas decide at construction whether to compile.
z.config({ jitless: true });
