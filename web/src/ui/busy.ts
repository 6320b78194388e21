import { asApiError } from "../api/errors";
import { describeError } from "./messages";
import { toast } from "./toast";

/** Runs a button's action with the button busy; failures become an error toast. */
export async function busy(button: HTMLButtonElement, action: () => Promise<void>): Promise<void> {
  button.disabled = true;
  try {
    await action();
  } catch (err) {
    toast(describeError(asApiError(err)), "error");
  } finally {
    button.disabled = false;
  }
}
