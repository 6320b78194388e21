/**
 * Installed versions: installing records the version a project uses (the newest installable one on
 * its channel, or the one asked for), the project API answers it, and installing again moves it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { Project } from "../../../shared/projects";
import { publishedItem, publishVersion } from "../../test/catalog-api";
import { insertItem } from "../../test/catalog-fixtures";
import { getFreeItem } from "../../test/entitlement-fixtures";
import { type OrgFixture, orgFixture } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { createProject } from "../../test/rooms";

let fx: OrgFixture;
let slug: string;
let itemId: string;
beforeAll(async () => {
  fx = await orgFixture();
  // The outsider's org publishes the item; the member gets it and installs it into projects of fx's org.
  slug = `versioned-${Date.now().toString(36)}`;
  itemId = (await publishedItem(fx.outsider, fx.outsiderOrgId, { slug, name: "Versioned" }, "1.0.0")).id;
  await publishVersion(fx.outsider, slug, "1.1.0");
  await publishVersion(fx.outsider, slug, "2.0.0-beta.1", { channel: "beta" });
  await getFreeItem(fx.member, slug);
});

const base = (projectId: string) => `/v1/orgs/${fx.orgId}/projects/${projectId}`;
const install = (projectId: string, body?: { version?: string }) =>
  call("PUT", `${base(projectId)}/items/${slug}`, { token: fx.member.accessToken, body });
const installedVersion = async (projectId: string) => {
  const project = Project.parse((await call("GET", base(projectId), { token: fx.member.accessToken })).body);
  return project.items.find((i) => i.itemId === itemId)?.version;
};

describe("installed versions", () => {
  it("install the newest stable version on a stable project, and the project answers it", async () => {
    const { body: project } = await createProject(fx.owner, fx.orgId);
    expect(project.channel).toBe("stable");
    const installed = await install(project.id);
    expect([installed.status, installed.body.version]).toEqual([200, "1.1.0"]);
    expect(await installedVersion(project.id)).toBe("1.1.0");
  });

  it("install the version asked for, and installing again moves the project to another", async () => {
    const { body: project } = await createProject(fx.owner, fx.orgId);
    expect((await install(project.id, { version: "1.0.0" })).body.version).toBe("1.0.0");
    expect(await installedVersion(project.id)).toBe("1.0.0");
    expect((await install(project.id, { version: "1.1.0" })).body.version).toBe("1.1.0");
    expect(await installedVersion(project.id)).toBe("1.1.0");
  });

  it("respect the project's channel: beta versions only on a beta project", async () => {
    const { body: project } = await createProject(fx.owner, fx.orgId);
    const refused = await install(project.id, { version: "2.0.0-beta.1" });
    expect([refused.status, errorCode(refused)]).toEqual([400, "invalid_request"]);
    expect(Object.keys(refused.body.error.fields)).toEqual(["body.version"]);
    expect(await installedVersion(project.id)).toBeUndefined();

    const beta = await call("PATCH", base(project.id), { token: fx.member.accessToken, body: { channel: "beta" } });
    expect([beta.status, beta.body.channel]).toEqual([200, "beta"]);
    expect((await install(project.id)).body.version).toBe("2.0.0-beta.1");
    const { body: created } = await createProject(fx.owner, fx.orgId, { channel: "beta" });
    expect((await install(created.id, { version: "2.0.0-beta.1" })).body.version).toBe("2.0.0-beta.1");
  });

  it("refuse a yanked or unknown version, and record none for an item without versions", async () => {
    const { body: project } = await createProject(fx.owner, fx.orgId);
    const yankable = `yankable-${Date.now().toString(36)}`;
    const item = await publishedItem(fx.outsider, fx.outsiderOrgId, { slug: yankable, name: "Yankable" }, "1.0.0");
    await publishVersion(fx.outsider, yankable, "1.0.1");
    await call("POST", `/v1/orgs/${fx.outsiderOrgId}/items/${item.id}/versions/1.0.1/yank`, { token: fx.outsider.accessToken });
    await getFreeItem(fx.member, yankable);
    const path = `${base(project.id)}/items/${yankable}`;
    for (const version of ["1.0.1", "9.9.9"]) {
      const refused = await call("PUT", path, { token: fx.member.accessToken, body: { version } });
      expect([refused.status, errorCode(refused)], version).toEqual([400, "invalid_request"]);
    }
    expect((await call("PUT", path, { token: fx.member.accessToken })).body.version).toBe("1.0.0");
    const notSemver = await call("PUT", path, { token: fx.member.accessToken, body: { version: "latest" } });
    expect([notSemver.status, errorCode(notSemver)]).toEqual([400, "invalid_request"]);

    const bare = await insertItem(fx.outsiderOrgId);
    await getFreeItem(fx.member, bare.slug);
    const none = await call("PUT", `${base(project.id)}/items/${bare.slug}`, { token: fx.member.accessToken });
    expect([none.status, none.body.version]).toEqual([200, null]);
  });
});
