/**
 * The draw verifier behind one small adapter, so the history page does not depend on its shape.
 *
 * The verifier is `web/shared/src/verify.ts` (WebCrypto, re-derives each draw exactly as
 * tools/verify_draws.py does; tests/vectors/draws.json proves the two agree). It is loaded on the first
 * press of Verify, so it costs the history page nothing until then.
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
  const proof = order.results.proof;
  // Ceiling (oshi-fairness/2) and box (oshi-box-order/1) proofs: the browser verifier does not know them
  // yet; tools/verify_draws.py does (docs/fairness.md sections 10 and 11).
  if (proof.format !== "oshi-fairness/1") return { kind: "unavailable" };
  const verifier = await load();
  if (!verifier) return { kind: "unavailable" };
  return verifier(proof, fairness.server_seed);
}

type Verifier = (proof: Schemas["OrderProof"], serverSeed: string) => Promise<Verdict>;

async function load(): Promise<Verifier | null> {
  const { findOrders, verifyOrder } = await import("@oshi/shared/verify");
  return async (proof, serverSeed) => {
    const documents = findOrders(proof);
    if (documents.length === 0) return { kind: "mismatch", detail: "no draw record in the order" };
    let draws = 0;
    for (const document of documents) {
      try {
        const check = await verifyOrder(document, serverSeed);
        if (!check.verified) return { kind: "mismatch", detail: check.problems.join(" / ") };
        draws += check.draws.length;
      } catch (error) {
        return { kind: "mismatch", detail: error instanceof Error ? error.message : String(error) };
      }
    }
    return { kind: "ok", draws };
  };
}
