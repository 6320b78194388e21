import { describe, expect, it } from "vitest";
import { eventually } from "../../test/eventually";
import { orgFixture } from "../../test/fixtures";
import { call } from "../../test/http";
import { reviewedItem } from "../../test/review-fixtures";

const page = (path: string) => call<string>("GET", path);

describe("reviews on the storefront's item page", () => {
  it("offers everyone the link to write a review, with the rules, and shows the author's reply as edited", async () => {
    const fx = await orgFixture();
    const { item, review } = await reviewedItem(fx.orgId, fx.outsider, 4);
    const first = await page(`/items/${item.slug}`);
    expect(first.body).toContain(`href="/review/${item.slug}"`);
    expect(first.body).toContain("a refund takes the rating out");

    const reply = `/v1/orgs/${fx.orgId}/items/${item.id}/reviews/${review.id}/reply`;
    await call("PUT", reply, { token: fx.admin.accessToken, body: { body: "Glad it helps" } });
    await eventually(async () => ((await page(`/items/${item.slug}`)).body.includes("Glad it helps") ? true : undefined), "the reply");
    expect((await page(`/items/${item.slug}`)).body).not.toContain("(edited)");

    await call("PUT", reply, { token: fx.admin.accessToken, body: { body: "Glad it helps: 1.1 is out" } });
    const edited = await eventually(async () => {
      const res = await page(`/items/${item.slug}`);
      return res.body.includes("Glad it helps: 1.1 is out") ? res.body : undefined;
    }, "the edited reply");
    expect(edited).toMatch(/Reply from [^<]* · <time[^>]*>[^<]*<\/time> \(edited\)<\/p><p>Glad it helps: 1.1 is out/);
  });
});
