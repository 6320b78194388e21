import { expect, it } from "vitest";
import { EMULATOR_ORIGIN, emulator } from "./sdk";

const advance = (seconds: unknown) =>
  emulator.fetch(`${EMULATOR_ORIGIN}/_emulator/clock/advance`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ seconds }),
  });

it("a clock advance past ten years, or past any date, is a 400 that moves nothing", async () => {
  const before = await (await emulator.fetch(`${EMULATOR_ORIGIN}/_emulator/clock`)).json<{ offset_seconds: number }>();
  for (const seconds of [9_007_199_254_740_991, 1e12, 10 * 366 * 86_400 + 1]) {
    const res = await advance(seconds);
    expect(res.status, `${seconds}: ${await res.clone().text()}`).toBe(400);
  }
  const after = await (await emulator.fetch(`${EMULATOR_ORIGIN}/_emulator/clock`)).json<{ offset_seconds: number }>();
  expect(after.offset_seconds).toBe(before.offset_seconds);
  expect((await advance(86_400)).status).toBe(200);
});
