import { env } from "cloudflare:workers";
import { beforeAll, expect, it } from "vitest";
import { createOrg, createUser, type TestUser } from "../../test/fixtures";
import { type CallResult, call, errorCode } from "../../test/http";
import { createDb } from "../db/client";
import { ledgerEntries } from "../db/schema";

type EntryRow = typeof ledgerEntries.$inferInsert;

let owner: TestUser;
let other: TestUser;
let orgId: string;
let otherOrgId: string;
const mine: EntryRow[] = [];
const theirs: EntryRow[] = [];

const entryId = () => `led_${crypto.randomUUID().replaceAll("-", "")}`;
const T0 = Date.UTC(2026, 0, 1);

beforeAll(async () => {
  [owner, other] = await Promise.all([createUser("ledger-owner"), createUser("ledger-other")]);
  [orgId, otherOrgId] = await Promise.all([createOrg(owner).then((o) => o.id), createOrg(other).then((o) => o.id)]);
  // 120 entries, three per millisecond, so pages end inside a run of equal created_at.
  for (let i = 0; i < 120; i++) {
    mine.push({
      id: entryId(),
      account: orgId,
      type: "sale",
      amount: 1000 + i,
      currency: "usd",
      orderId: `ord_${i}`,
      reference: `sale:ord_${i}`,
      createdAt: T0 + Math.floor(i / 3),
    });
  }
  for (let i = 0; i < 5; i++) {
    theirs.push({
      id: entryId(),
      account: otherOrgId,
      type: "sale",
      amount: 7,
      currency: "usd",
      orderId: `ord_other${i}`,
      reference: `sale:ord_other${i}`,
      createdAt: T0 + i,
    });
  }
  await insertEntries([...mine, ...theirs]);
});

/** D1 binds at most 100 variables per statement: 8 columns, 12 rows each. */
async function insertEntries(rows: EntryRow[]) {
  const db = createDb(env.DB);
  const chunks = Array.from({ length: Math.ceil(rows.length / 12) }, (_, i) => rows.slice(i * 12, i * 12 + 12));
  const [first, ...rest] = chunks.map((chunk) => db.insert(ledgerEntries).values(chunk));
  if (first) await db.batch([first, ...rest]);
}

const newestFirst = (rows: EntryRow[]) => [...rows].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1)).map((r) => r.id);

it("pages through every entry past the first 50, newest first, each once, and no other org's", async () => {
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: CallResult = await call("GET", `/v1/orgs/${orgId}/ledger${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`, {
      token: owner.accessToken,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    seen.push(...res.body.data.map((e: { id: string }) => e.id));
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor);
  expect(pages).toBe(3);
  expect(seen).toEqual(newestFirst(mine));

  const first = await call("GET", `/v1/orgs/${orgId}/ledger?limit=1`, { token: owner.accessToken });
  const { account: _, reference: __, ...newest } = mine.find((e) => e.id === seen[0])!;
  expect(first.body.data).toEqual([newest]);
});

it("another org's owner gets 404 for the list and the CSV; a forged cursor is a 400", async () => {
  for (const path of [`/v1/orgs/${orgId}/ledger`, `/v1/orgs/${orgId}/ledger/csv`]) {
    const res = await call("GET", path, { token: other.accessToken });
    expect(res.status).toBe(404);
    expect(errorCode(res)).toBe("not_found");
  }
  const forged = await call("GET", `/v1/orgs/${orgId}/ledger?cursor=${encodeURIComponent(btoa("1:led_x' OR 1=1"))}`, {
    token: owner.accessToken,
  });
  expect(forged.status).toBe(400);
  expect(errorCode(forged)).toBe("invalid_request");
});

it("exports every entry as CSV (past one CSV page of 500), quoting what needs it and defusing formulas", async () => {
  const exportOrg = (await createOrg(other)).id;
  const many: EntryRow[] = Array.from({ length: 520 }, (_, i) => ({
    id: entryId(),
    account: exportOrg,
    type: "payout",
    amount: -i,
    currency: "usd",
    orderId: null,
    reference: `payout:po_${i}`,
    createdAt: T0 + 1000 + i,
  }));
  const odd: EntryRow[] = [
    {
      id: entryId(),
      account: exportOrg,
      type: "refund",
      amount: -150,
      currency: "usd",
      orderId: "ord_a",
      reference: 'refund:re_1,"quoted"',
      createdAt: T0 + 5000,
    },
    {
      id: entryId(),
      account: exportOrg,
      type: "sale",
      amount: 500,
      currency: "jpy",
      orderId: "ord_b",
      reference: '=HYPERLINK("http://evil")',
      createdAt: T0 + 5001,
    },
    {
      id: entryId(),
      account: exportOrg,
      type: "dispute",
      amount: -2500,
      currency: "eur",
      orderId: "ord_c",
      reference: "line\nbreak",
      createdAt: T0 + 5002,
    },
  ];
  await insertEntries([...many, ...odd]);

  const res = await call("GET", `/v1/orgs/${exportOrg}/ledger/csv`, { token: other.accessToken });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  expect(res.headers.get("content-disposition")).toMatch(
    new RegExp(`^attachment; filename="plaza-ledger-${exportOrg}-\\d{4}-\\d{2}-\\d{2}\\.csv"$`),
  );
  const text: string = res.body;
  expect(text.endsWith("\r\n")).toBe(true);
  const lines = text.split("\r\n");
  expect(lines[0]).toBe("date,type,amount,currency,order_id,reference");
  expect(lines.slice(1, 4)).toEqual([
    `${new Date(T0 + 5002).toISOString()},dispute,-25.00,EUR,ord_c,"line\nbreak"`,
    `${new Date(T0 + 5001).toISOString()},sale,500,JPY,ord_b,"'=HYPERLINK(""http://evil"")"`,
    `${new Date(T0 + 5000).toISOString()},refund,-1.50,USD,ord_a,"refund:re_1,""quoted"""`,
  ]);
  // 1 header + 523 entries + the empty string after the last CRLF.
  expect(lines).toHaveLength(525);
  expect(lines[4]).toBe(`${new Date(T0 + 1519).toISOString()},payout,-5.19,USD,,payout:po_519`);
  expect(lines[523]).toBe(`${new Date(T0 + 1000).toISOString()},payout,0.00,USD,,payout:po_0`);
  expect(text).not.toContain("ord_1,");
});
