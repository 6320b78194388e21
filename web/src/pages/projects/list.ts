/** `/dashboard/projects`: the active org's projects, and "New project" (name, what members may do). */
import { z } from "zod";
import type { ProjectSummary } from "../../../../shared/projects";
import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import { h, replace } from "../../dom";
import { formatDateTime } from "../../format";
import { navigate, type PageContext } from "../../router";
import { activeMembership } from "../../state/me";
import { errorAlert } from "../../ui/alert";
import { busy } from "../../ui/busy";
import { formAlert, formValue, handleSubmit, submitButton, textField } from "../../ui/form";
import { noOrgContent } from "../../ui/no-org";
import { pageHeader, section } from "../../ui/page";
import { dataTable, row } from "../../ui/table";
import { toast } from "../../ui/toast";
import { projectPath } from "../paths";
import { type MemberRole, memberRoleField, memberRoleLabel } from "./member-role";

export const ProjectNameSchema = z.string().trim().min(1, "is required").max(100, "must be at most 100 characters");
const NewProjectSchema = z.object({ name: ProjectNameSchema, memberRole: z.enum(["write", "read"]) });

type ProjectSummaryT = z.infer<typeof ProjectSummary>;

/** A page of the org's projects, newest first; `cursor` is the previous page's `nextCursor`. */
const listProjects = (orgId: string, cursor?: string) =>
  unwrap(api.v1.orgs[":orgId"].projects.$get({ param: { orgId }, query: { cursor } }));

function projectsTable(projects: ProjectSummaryT[]): HTMLElement {
  return dataTable({
    caption: "Projects",
    headers: ["Name", "Members may", "Updated"],
    rows: projects.map((p) =>
      row(
        { "data-project-id": p.id },
        h("a", { href: projectPath(p.id) }, p.name),
        memberRoleLabel(p.memberRole),
        h("span", { class: "nowrap" }, formatDateTime(p.updatedAt)),
      ),
    ),
    empty: "No projects yet. Create one below.",
  });
}

export async function projectsPage({ signal }: PageContext): Promise<Node> {
  const org = activeMembership();
  if (!org) return noOrgContent("Projects", "Projects belong to an org. Create one to start a project.");
  const { orgId, name } = org;

  const listBody = h("div");
  let projects: ProjectSummaryT[] = [];
  let nextCursor: string | null = null;
  const render = () =>
    replace(
      listBody,
      projectsTable(projects),
      nextCursor &&
        h(
          "button",
          { type: "button", class: "button small", onclick: (e: Event) => void busy(e.currentTarget as HTMLButtonElement, loadMore) },
          "Load more",
        ),
    );
  const load = async () => {
    try {
      const page = await listProjects(orgId);
      if (signal.aborted) return;
      ({ projects, nextCursor } = page);
      render();
    } catch (err) {
      replace(listBody, errorAlert(err));
    }
  };
  async function loadMore() {
    if (!nextCursor) return;
    const page = await listProjects(orgId, nextCursor);
    projects = [...projects, ...page.projects];
    nextCursor = page.nextCursor;
    render();
  }

  const form = h(
    "form",
    { class: "stack", "aria-label": "New project" },
    textField({ name: "name", label: "Name", required: true, maxlength: 100 }),
    memberRoleField("write"),
    formAlert(),
    submitButton("Create project"),
  );
  handleSubmit(form, {
    schema: NewProjectSchema,
    read: (f) => ({ name: formValue(f, "name"), memberRole: formValue(f, "memberRole") as MemberRole }),
    submit: async (body) => {
      const project = await unwrap(api.v1.orgs[":orgId"].projects.$post({ param: { orgId }, json: body }));
      toast(`Created ${project.name}.`);
      navigate(projectPath(project.id));
    },
  });

  await load();
  return h(
    "div",
    { class: "stack" },
    pageHeader(
      `Projects · ${name}`,
      "Edit a project live with your team: everyone sees each other's cursors, and snapshots keep its history.",
    ),
    section("Projects", listBody),
    section("New project", form),
  );
}
