/** Outgoing e-mail: the outbox, templates, the queue consumer and transports. */
import { defineModule } from "../module";
import { consumeMail, consumeMailDeadLetters } from "./consumer";
import { resealMail } from "./reseal";
import { mailRoutes } from "./routes";

export const mailModule = defineModule({
  name: "mail",
  routes: mailRoutes,
  queues: { "plaza-mail": consumeMail, "plaza-mail-dlq": consumeMailDeadLetters },
  jobs: { "reseal-mail": resealMail },
});
