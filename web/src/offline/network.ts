/** Whether a failure means "no network" (nothing to tell the person but that), and when that changes. */
import { ApiError } from "../api/errors";

/** A fetch that never got an answer: its TypeError, or the ApiError unwrap() makes of it (no status). */
export function isOffline(err: unknown): boolean {
  if (err instanceof ApiError) return err.status === 0;
  return err instanceof TypeError;
}

/** Calls `listener(online)` whenever the browser goes online or offline; returns the unsubscribe. */
export function onConnectivity(listener: (online: boolean) => void): () => void {
  const online = () => listener(true);
  const offline = () => listener(false);
  addEventListener("online", online);
  addEventListener("offline", offline);
  return () => {
    removeEventListener("online", online);
    removeEventListener("offline", offline);
  };
}
