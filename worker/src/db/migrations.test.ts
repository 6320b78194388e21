import { env } from "cloudflare:workers";
import { expect, it } from "vitest";

it("applies every migration, including the FTS5 index and its triggers", async () => {
  const objects = await env.DB.prepare(
    "SELECT type, name FROM sqlite_master WHERE name LIKE 'items_fts%' AND type IN ('table','trigger') ORDER BY name",
  ).all<{ type: string; name: string }>();
  expect(objects.results.map((o) => o.name)).toEqual(
    expect.arrayContaining(["items_fts", "items_fts_after_delete", "items_fts_after_insert", "items_fts_after_update"]),
  );
});
