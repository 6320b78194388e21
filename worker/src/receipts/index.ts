/** The buyer's receipt e-mail: written with the license it carries, rendered when it is sent. */
import { defineModule } from "../module";

export { receiptMailId, receiptStatement, renderReceipt } from "./receipt-mail";

export const receiptsModule = defineModule({
  name: "receipts",
});
