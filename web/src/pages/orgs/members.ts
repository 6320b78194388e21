import type { InviteT, MemberT } from "../../../../shared/api";
import { CreateInviteBody } from "../../../../shared/api";
import { ROLES, type Role, roleAtLeast } from "../../../../shared/roles";
import { api } from "../../api/client";
import { asApiError } from "../../api/errors";
import { removeMember, revokeInvite } from "../../api/no-content";
import { unwrap } from "../../api/unwrap";
import { DEV_MAILBOX_URL, isLocalDev } from "../../dev";
import { h, replace } from "../../dom";
import { formatDateTime, formatRelative } from "../../format";
import { DASHBOARD_PATH, navigate, type PageContext } from "../../router";
import { cachedMe, loadMe, myRoleIn } from "../../state/me";
import { errorAlert } from "../../ui/alert";
import { formAlert, formValue, handleSubmit, selectField, submitButton, textField } from "../../ui/form";
import { describeError } from "../../ui/messages";
import { pageHeader, section } from "../../ui/page";
import { dataTable, row } from "../../ui/table";
import { toast } from "../../ui/toast";
import { notFoundContent } from "../not-found";

/** Roles `myRole` may hand out: only owners make owners. */
const assignableRoles = (myRole: Role) => ROLES.filter((r) => r !== "owner" || myRole === "owner");

interface OrgView {
  orgId: string;
  orgName: string;
  myUserId: string;
  myRole: Role;
}

/** A per-row message slot, so an error like `last_owner` shows next to the member it concerns. */
function rowMessage(): HTMLParagraphElement {
  return h("p", { class: "row-error", role: "alert", hidden: true });
}

function showRowError(slot: HTMLElement, err: unknown) {
  slot.textContent = describeError(asApiError(err));
  slot.hidden = false;
}

function memberRow(view: OrgView, member: MemberT, reload: () => Promise<void>): HTMLTableRowElement {
  const isMe = member.userId === view.myUserId;
  const canManage = roleAtLeast(view.myRole, "admin") && (member.role !== "owner" || view.myRole === "owner");
  const message = rowMessage();

  const roleCell = canManage
    ? h(
        "select",
        {
          "aria-label": `Role of ${member.name}`,
          onchange: async (event: Event) => {
            const select = event.currentTarget as HTMLSelectElement;
            const role = select.value as Role;
            message.hidden = true;
            select.disabled = true;
            try {
              await unwrap(
                api.v1.orgs[":orgId"].members[":userId"].$patch({ param: { orgId: view.orgId, userId: member.userId }, json: { role } }),
              );
              toast(`${member.name} is now ${role}.`);
              if (isMe) {
                await loadMe(); // our own rights changed: re-render with them
                navigate(location.pathname, { replace: true });
              } else await reload();
            } catch (err) {
              select.value = member.role;
              showRowError(message, err);
            } finally {
              select.disabled = false;
            }
          },
        },
        assignableRoles(view.myRole).map((r) => h("option", { value: r, selected: r === member.role }, r)),
      )
    : h("span", { class: `badge role-${member.role}` }, member.role);

  const remove = async (button: HTMLButtonElement) => {
    const question = isMe ? `Leave ${view.orgName}?` : `Remove ${member.name} from ${view.orgName}?`;
    if (!confirm(question)) return;
    message.hidden = true;
    button.disabled = true;
    try {
      await removeMember(view.orgId, member.userId);
      if (isMe) {
        await loadMe();
        toast(`You left ${view.orgName}.`);
        navigate(DASHBOARD_PATH);
      } else {
        toast(`${member.name} was removed.`);
        await reload();
      }
    } catch (err) {
      showRowError(message, err);
      button.disabled = false;
    }
  };
  const action =
    isMe || canManage
      ? h(
          "button",
          { type: "button", class: "button small danger", onclick: (e: Event) => remove(e.currentTarget as HTMLButtonElement) },
          isMe ? "Leave" : "Remove",
        )
      : null;

  return row(
    { "data-user-id": member.userId },
    h("span", {}, member.name, isMe && h("span", { class: "muted" }, " (you)")),
    member.email,
    roleCell,
    formatDateTime(member.joinedAt),
    h("div", { class: "row-actions" }, action, message),
  );
}

function inviteRow(view: OrgView, invite: InviteT, reload: () => Promise<void>): HTMLTableRowElement {
  const message = rowMessage();
  const revoke = h(
    "button",
    {
      type: "button",
      class: "button small danger",
      onclick: async () => {
        revoke.disabled = true;
        try {
          await revokeInvite(view.orgId, invite.id);
          toast(`Invitation for ${invite.email} revoked.`);
          await reload();
        } catch (err) {
          showRowError(message, err);
          revoke.disabled = false;
        }
      },
    },
    "Revoke",
  );
  return row(
    {},
    invite.email,
    invite.role,
    formatDateTime(invite.createdAt),
    formatRelative(invite.expiresAt),
    h("div", { class: "row-actions" }, revoke, message),
  );
}

function inviteForm(view: OrgView, onInvited: () => Promise<void>): HTMLFormElement {
  const form = h(
    "form",
    { class: "inline-form", "aria-label": "Invite someone" },
    textField({ name: "email", label: "E-mail", type: "email", required: true, autocomplete: "off" }),
    selectField({ name: "role", label: "Role", options: assignableRoles(view.myRole), value: "member" }),
    submitButton("Send invitation"),
    formAlert(),
  );
  handleSubmit(form, {
    schema: CreateInviteBody,
    read: (f) => ({ email: formValue(f, "email"), role: formValue(f, "role") }),
    submit: async (body) => {
      const invite = await unwrap(api.v1.orgs[":orgId"].invites.$post({ param: { orgId: view.orgId }, json: body }));
      (form.elements.namedItem("email") as HTMLInputElement).value = "";
      toast(`Invitation sent to ${invite.email}.`);
      await onInvited();
    },
  });
  return form;
}

export async function membersPage({ params, signal }: PageContext): Promise<Node> {
  const orgId = params.orgId ?? "";
  const me = cachedMe();
  const membership = me?.orgs.find((o) => o.orgId === orgId);
  const myRole = myRoleIn(orgId);
  if (!me || !membership || !myRole) return notFoundContent("Org not found", "You are not a member of this org, or it does not exist.");
  const view: OrgView = { orgId, orgName: membership.name, myUserId: me.user.id, myRole };
  const isAdmin = roleAtLeast(myRole, "admin");

  const membersBody = h("div");
  const invitesBody = h("div");

  const loadMembers = async () => {
    try {
      const { data } = await unwrap(api.v1.orgs[":orgId"].members.$get({ param: { orgId } }));
      if (signal.aborted) return;
      replace(
        membersBody,
        dataTable({
          caption: `Members of ${view.orgName}`,
          headers: ["Name", "E-mail", "Role", "Joined", ""],
          rows: data.map((m) => memberRow(view, m, loadMembers)),
          empty: "No members.",
        }),
      );
    } catch (err) {
      replace(membersBody, errorAlert(err));
    }
  };
  const loadInvites = async () => {
    try {
      const { data } = await unwrap(api.v1.orgs[":orgId"].invites.$get({ param: { orgId } }));
      if (signal.aborted) return;
      replace(
        invitesBody,
        dataTable({
          caption: "Pending invitations",
          headers: ["E-mail", "Role", "Sent", "Expires", ""],
          rows: data.map((i) => inviteRow(view, i, loadInvites)),
          empty: "No pending invitations.",
        }),
      );
    } catch (err) {
      replace(invitesBody, errorAlert(err));
    }
  };

  await Promise.all([loadMembers(), isAdmin ? loadInvites() : null]);
  return h(
    "div",
    { class: "stack" },
    pageHeader(view.orgName, `Your role: ${myRole}. `, membership.slug && h("span", { class: "muted" }, `Slug: ${membership.slug}`)),
    section("Members", membersBody),
    isAdmin &&
      section(
        "Invite someone",
        h(
          "p",
          { class: "muted" },
          "They get an e-mail with a link that is valid for 7 days.",
          isLocalDev && [" Locally it lands in the ", h("a", { href: DEV_MAILBOX_URL }, "dev mailbox"), "."],
        ),
        inviteForm(view, loadInvites),
      ),
    isAdmin && section("Pending invitations", invitesBody),
  );
}
