/**
 * The tabs of an item in the author studio (`/dashboard/items/:itemId/:tab`), each in its own
 * module under tabs/. A tab renders from the item the page loaded; `reload()` loads it again
 * (after a change that shows in the header: status, name, icon).
 */
import type { ItemT } from "../../../../shared/catalog";
import type { Role } from "../../../../shared/roles";

export interface StudioTabContext {
  orgId: string;
  item: ItemT;
  role: Role;
  /** Admins and owners edit; members see the studio read-only. */
  canEdit: boolean;
  /** Aborted when the user navigates away: late results must not render. */
  signal: AbortSignal;
  reload(): Promise<void>;
}

export interface StudioTab {
  /** The path segment: `/dashboard/items/:itemId/<id>`. */
  id: string;
  label: string;
  render(ctx: StudioTabContext): Node | Promise<Node>;
}
