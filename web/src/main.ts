import "./zod-jitless";
import "./styles.css";
import { startApp } from "./app";
import { routes } from "./routes";
import { registerServiceWorker } from "./ui/update-prompt";

void startApp(document.getElementById("app")!, routes);
registerServiceWorker();
