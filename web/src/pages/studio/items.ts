import { h } from "../../dom";
import type { PageContext } from "../../router";

// PLACEHOLDER: replaced by the studio's items list (issue #16); never lands as is.
export async function studioItemsPage(_ctx: PageContext): Promise<Node> {
  return h("div");
}
