/** Outgoing e-mail: the outbox, templates, the queue consumer and transports. */
import { defineModule } from "../module";
import { consumeMail, consumeMailDeadLetters } from "./consumer";
import { purgeSentMail, requeueStaleMail } from "./jobs";
import { resealMail } from "./reseal";
import { mailRoutes } from "./routes";

export { enqueueMail, mailInsert, mailInsertIf, openBody, renderedOnSendMailInsert } from "./outbox";
export { deadMailCount } from "./platform-counts";
export { newestMail } from "./service";
export {
  checkoutPaymentFailedMail,
  type DisputeOpenedMail,
  disputeOpenedMail,
  formatLongDate,
  inviteMail,
  licenseExpiryMail,
  magicLinkMail,
  notificationMail,
  passwordChangedMail,
  paymentFailedMail,
  payoutFailedMail,
  type ReceiptMail,
  type RefundMail,
  type RenderedMail,
  receiptMail,
  refundMail,
  verifyEmailMail,
  webhookDisabledMail,
} from "./templates";

export const mailModule = defineModule({
  name: "mail",
  routes: mailRoutes,
  queues: { "plaza-mail": consumeMail, "plaza-mail-dlq": consumeMailDeadLetters },
  jobs: { "requeue-stale-mail": requeueStaleMail, "purge-sent-mail": purgeSentMail, "reseal-mail": resealMail },
});
