/** Content-Security-Policy violation reports from browsers. */
import { defineModule } from "../module";
import { cspReportRoutes } from "./routes";

export const cspReportsModule = defineModule({
  name: "csp-reports",
  routes: cspReportRoutes,
});
