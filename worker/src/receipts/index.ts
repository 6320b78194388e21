/** The buyer's receipt e-mail: written with the license it carries, rendered when it is sent. */
import { defineModule } from "../module";
import { renderReceipt } from "./receipt-mail";

export { receiptMailId, receiptStatement } from "./receipt-mail";

export const receiptsModule = defineModule({
  name: "receipts",
  mailRenderers: { receipt: (ctx, data) => renderReceipt(ctx, data) },
});
