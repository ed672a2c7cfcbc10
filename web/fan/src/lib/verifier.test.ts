import { readFileSync } from "node:fs";
import { resolve } from "node:path";

import { describe, expect, it } from "vitest";

import type { Schemas } from "@oshi/shared";

import { verify } from "./verifier";

/** The history page's Verify button, on the shared vectors that tools/verify_draws.py is tested against. */
const vectors = JSON.parse(readFileSync(resolve(__dirname, "../../../../tests/vectors/draws.json"), "utf8")) as {
  vectors: { name: string; server_seed: string; order: unknown; expect: { verified: boolean } }[];
};

function input(order: unknown, serverSeed: string | null) {
  return {
    order: { gacha_id: "g", results: { proof: order, items: [] } } as unknown as Schemas["OrderOut"],
    fairness: { server_seed: serverSeed, sale_ends_at: "2026-12-31T00:00:00Z" } as unknown as Schemas["FairnessOut"],
  };
}

describe("the Verify button's verdicts", () => {
  const safe = vectors.vectors.filter((v) => !v.name.includes("2^63"));
  it.each(safe.map((v) => [v.name, v] as const))("%s", async (_name, vector) => {
    const verdict = await verify(input(vector.order, vector.server_seed));
    expect(verdict.kind).toBe(vector.expect.verified ? "ok" : "mismatch");
  });

  it("says the seed is not revealed yet instead of guessing", async () => {
    const verdict = await verify(input(vectors.vectors[0].order, null));
    expect(verdict).toEqual({ kind: "seed-not-revealed", revealsAfter: "2026-12-31T00:00:00Z" });
  });
});
