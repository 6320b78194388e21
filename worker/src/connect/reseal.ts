import { resealColumnJob } from "../crypto/reseal";
import { connectAccounts } from "./tables";

/**
 * Key rotation's second half: account ids still sealed under an older key are opened and sealed
 * again under the current one, so the old key can leave ENCRYPTION_KEYS once this reports 0 (and
 * so do `reseal-mail`, `reseal-webhook-secrets` and `reseal-license-reveals`). Each update only
 * applies if the row still holds the value that was read.
 */
export const resealConnectAccounts = resealColumnJob(connectAccounts, "orgId", "accountIdEncrypted");
