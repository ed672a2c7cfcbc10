/**
 * The draw verifier behind one small adapter, so the history page does not depend on its shape.
 *
 * The real verifier is `web/shared/src/verify.ts` (WebCrypto, re-derives each draw exactly as
 * tools/verify_draws.py does). Until it is merged this adapter says "unavailable"; point `load` at it:
 *   const mod = await import("@oshi/shared/verify"); return (order, seed) => mod.verifyOrder(...)
 */
import type { Schemas } from "@oshi/shared";

export type Verdict =
  | { kind: "ok"; draws: number }
  | { kind: "mismatch"; detail: string }
  | { kind: "seed-not-revealed"; revealsAfter: string }
  | { kind: "unavailable" };

export interface VerifyInput {
  order: Schemas["OrderOut"];
  fairness: Schemas["FairnessOut"];
}

export async function verify({ order, fairness }: VerifyInput): Promise<Verdict> {
  if (!fairness.server_seed) return { kind: "seed-not-revealed", revealsAfter: fairness.sale_ends_at };
  if (!order.results) return { kind: "mismatch", detail: "no results" };
  const verifier = await load();
  if (!verifier) return { kind: "unavailable" };
  return verifier(order.results.proof, fairness.server_seed);
}

type Verifier = (proof: Schemas["OrderProof"], serverSeed: string) => Promise<Verdict>;

async function load(): Promise<Verifier | null> {
  return null;
}
