import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

import { canonicalJson, parseOrderJson, verifyDocument, verifyOrder } from "./verify";

// One set of vectors for both verifiers: tests/unit/test_draw_vectors.py checks tools/verify_draws.py
// against the same file (regenerate it with tests/vectors/make_draws.py).
interface Vector {
  name: string;
  server_seed: string;
  order: Record<string, never>;
  expect: {
    problems: number;
    verified: boolean;
    draws: { slot: number; table: string; total_weight: number; r: number; attempts: number; prize_id: string; ok: boolean }[];
  };
}

const text = readFileSync(new URL("../../../tests/vectors/draws.json", import.meta.url), "utf-8");
const { vectors } = parseOrderJson(text) as { vectors: Vector[] };

describe("the browser verifier agrees with tools/verify_draws.py", () => {
  it("has the vectors", () => {
    expect(vectors.length).toBeGreaterThanOrEqual(10);
  });

  for (const vector of vectors) {
    it(vector.name, async () => {
      const check = await verifyOrder(vector.order, vector.server_seed);
      expect(check.problemCount, check.problems.join("\n")).toBe(vector.expect.problems);
      expect(check.verified).toBe(vector.expect.verified);
      expect(
        check.draws.map((d) => ({
          slot: d.slot,
          table: d.table,
          total_weight: d.totalWeight,
          r: d.r,
          attempts: d.attempts,
          prize_id: d.prizeId,
          ok: d.ok,
        })),
      ).toEqual(vector.expect.draws);
    });
  }
});

describe("reading orders", () => {
  it("keeps a nonce beyond 2^53 exact", () => {
    const parsed = parseOrderJson('{"nonce": 9223372036854775807, "n": 5}') as { nonce: bigint; n: number };
    expect(parsed.nonce).toBe(9223372036854775807n);
    expect(parsed.n).toBe(5);
  });

  it("refuses an inexact nonce instead of deriving wrong draws", async () => {
    const big = vectors.find((v) => typeof v.order.nonce === "bigint");
    expect(big).toBeDefined();
    const lossy = JSON.parse(JSON.stringify({ ...big!.order, nonce: Number(big!.order.nonce) }));
    const check = await verifyOrder(lossy, big!.server_seed);
    expect(check.verified).toBe(false);
    expect(check.problems[0]).toMatch(/nonce/);
  });

  it("serialises like Python's json.dumps(sort_keys=True, separators=(',', ':'), ensure_ascii=False)", () => {
    expect(canonicalJson({ b: 1, a: ["推し", 'q"\n'], c: null })).toBe('{"a":["推し","q\\"\\n"],"b":1,"c":null}');
  });

  it("finds orders anywhere in a document", async () => {
    const valid = vectors.filter((v) => v.expect.verified && v.server_seed === vectors[0].server_seed);
    const result = await verifyDocument({ orders: valid.map((v) => v.order) }, vectors[0].server_seed);
    expect(result.orders.length).toBe(valid.length);
    expect(result.verified).toBe(true);
  });
});
