// Types of wait-budgets.mjs (plain JavaScript, so `npm start` can load it): what each budget covers is documented there.
export declare const WAIT: Readonly<{
  serverStart: number;
  webBuild: number;
  browserLaunch: number;
  step: number;
  backgroundWork: number;
  processStop: number;
}>;

export declare const E2E_LIMITS: Readonly<{ testTimeout: number; hookTimeout: number; cleanupTimeout: number }>;
