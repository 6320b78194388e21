import type { MeT } from "../../../shared/api";
import type { Role } from "../../../shared/roles";
import { api } from "../api/client";
import { setActiveOrg } from "../api/no-content";
import { unwrap } from "../api/unwrap";

/** GET /v1/me, cached: the header and role-dependent pages read it on every navigation. */
let me: MeT | null = null;

export async function loadMe(): Promise<MeT> {
  me = await unwrap(api.v1.me.$get());
  return me;
}

export const cachedMe = () => me;

export function clearMe(): void {
  me = null;
}

export function myRoleIn(orgId: string): Role | undefined {
  return me?.orgs.find((org) => org.orgId === orgId)?.role;
}

export async function switchActiveOrg(orgId: string): Promise<MeT> {
  await setActiveOrg({ orgId });
  return loadMe();
}

/** The org the dashboard pages without an org in their path (earnings, payouts) are about. */
export function activeMembership(): MeT["orgs"][number] | undefined {
  return me?.activeOrgId ? me.orgs.find((org) => org.orgId === me!.activeOrgId) : undefined;
}
