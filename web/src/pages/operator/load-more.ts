import { h } from "../../dom";
import { busy } from "../../ui/busy";

/** "Load more" under a keyset-paged list: busy while the next page loads. */
export function loadMoreButton(loadNext: () => Promise<void>): HTMLButtonElement {
  const button = h("button", { type: "button", class: "button load-more" }, "Load more");
  button.addEventListener("click", () => void busy(button, loadNext));
  return button;
}
