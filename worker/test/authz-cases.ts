/// <reference types="vite/client" />
import type { DomainModule } from "../src/module";
import { modules } from "../src/modules";
import type { MatrixCase } from "./authz-matrix";

/** Every `*.authz.test-cases.ts` beside the modules, by path (`../src/orgs/orgs.authz.test-cases.ts`), with its exported case lists. */
export const matrixFiles = import.meta.glob<Record<string, MatrixCase[]>>("../src/*/*.authz.test-cases.ts", { eager: true });

/** The folder a module's matrix files must be in. */
export const matrixFolder = (module: Pick<DomainModule, "name">) => `../src/${module.name}/`;

/** A module's cases: every `…Matrix` export of the matrix files in its folder. */
export const casesOf = (module: Pick<DomainModule, "name">) =>
  Object.entries(matrixFiles)
    .filter(([path]) => path.startsWith(matrixFolder(module)))
    .flatMap(([, exports]) => Object.entries(exports).flatMap(([name, cases]) => (name.endsWith("Matrix") ? cases : [])));

/** The role matrix of every route, module by module. */
export const MATRIX_CASES: MatrixCase[] = modules.flatMap((module) => casesOf(module));
