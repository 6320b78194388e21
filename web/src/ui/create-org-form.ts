import type { OrgT } from "../../../shared/api";
import { CreateOrgBody } from "../../../shared/api";
import { api } from "../api/client";
import { unwrap } from "../api/unwrap";
import { h } from "../dom";
import { formAlert, formValue, handleSubmit, submitButton, textField } from "./form";

/** "Acme Tools GmbH" → "acme-tools-gmbh": a suggestion the user may edit. */
export function slugify(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 39)
    .replace(/-+$/, "");
}

export function createOrgForm(onCreated: (org: OrgT) => Promise<void> | void, ...extraButtons: HTMLElement[]): HTMLFormElement {
  const form = h(
    "form",
    { class: "stack", "aria-label": "Create org" },
    textField({ name: "name", label: "Org name", required: true, maxlength: 100, autocomplete: "organization" }),
    textField({ name: "slug", label: "Slug", required: true, maxlength: 39, hint: "Used in URLs: lowercase letters, digits and hyphens." }),
    formAlert(),
    submitButton("Create org", ...extraButtons),
  );
  const name = form.elements.namedItem("name") as HTMLInputElement;
  const slug = form.elements.namedItem("slug") as HTMLInputElement;
  // Suggest the slug from the name until the user types their own.
  let slugEdited = false;
  slug.addEventListener("input", () => (slugEdited = slug.value !== ""));
  name.addEventListener("input", () => {
    if (!slugEdited) slug.value = slugify(name.value);
  });
  handleSubmit(form, {
    schema: CreateOrgBody,
    read: (f) => ({ name: formValue(f, "name"), slug: formValue(f, "slug") }),
    submit: async (body) => {
      const org = await unwrap(api.v1.orgs.$post({ json: body }));
      form.reset();
      slugEdited = false;
      await onCreated(org);
    },
  });
  return form;
}
