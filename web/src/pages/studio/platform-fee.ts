import type { PlatformFee } from "../../../../shared/fees";
import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";

let fee: Promise<PlatformFee | null> | undefined;

/** The platform fee, fetched once per page load; null when it could not be read (the forms then say nothing about it). */
export function loadPlatformFee(): Promise<PlatformFee | null> {
  fee ??= unwrap(api.v1["platform-fee"].$get()).catch(() => {
    fee = undefined; // try again next time
    return null;
  });
  return fee;
}
