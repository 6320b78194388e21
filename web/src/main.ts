import "./zod-jitless";
import "./styles.css";
import { startApp } from "./app";
import { routes } from "./routes";

void startApp(document.getElementById("app")!, routes);
