/**
 * The browser's draw verifier: re-derives every draw of an order from the revealed server seed, exactly as
 * tools/verify_draws.py does (docs/fairness.md), with WebCrypto and no dependencies.
 *
 * - commitment: SHA-256(server seed) must equal the order's `commitment`;
 * - rate table: SHA-256 of its canonical JSON (keys sorted, no spaces, UTF-8) must equal `rate_table_hash`;
 * - each slot: HMAC-SHA256(server seed, "fan_id:client_seed:nonce:slot:attempt"), first 4 bytes big-endian;
 *   rejection sampling keeps x < 2^32 - 2^32 % total; r = x % total; the prize is the first entry whose
 *   cumulative weight exceeds r (integer ppm, prizes with 0 weight or run out skipped);
 * - the guaranteed slot: the last draw of a full batch uses the guarantee's table unless an earlier draw
 *   already reached the minimum rarity.
 *
 * Problems are counted as the Python tool counts them (one per failed check, one per draw with any
 * mismatch); tests/vectors/draws.json holds the expected answers and both sides are tested against it.
 */

export const ORDER_FORMAT = "oshi-fairness/1";
export const TABLE_FORMAT = "oshi-rate-table/1";
export const PPM_TOTAL = 1_000_000;
const UINT32 = 4294967296; // 2^32: exact in a double, so the sampling arithmetic below is exact
const EXACT_INTEGER = "__oshi_exact_integer__";

type Json = null | boolean | number | string | bigint | Json[] | { [key: string]: Json };

export interface DrawCheck {
  slot: number;
  table: "main" | "guaranteed" | "?";
  exhaustedCount: number;
  totalWeight: number;
  r: number;
  attempts: number;
  prizeId: string;
  ok: boolean;
  notes: string[];
}

export interface OrderCheck {
  orderId: string;
  gachaId: string;
  commitment: string; // SHA-256 of the seed given
  commitmentOk: boolean;
  rateTableHash: string | null;
  rateTableOk: boolean;
  draws: DrawCheck[];
  problems: string[];
  /** Counted as tools/verify_draws.py counts them; 0 means verified. */
  problemCount: number;
  verified: boolean;
}

class Unusable extends Error {}

/**
 * JSON.parse, except that a `nonce` too large for a double (the server allows up to 2^63 - 1) is kept
 * exact as a BigInt. Use it on the order JSON text instead of `response.json()`.
 */
export function parseOrderJson(text: string): unknown {
  const marked = text.replace(/"nonce"(\s*):(\s*)(\d{16,})(?=\s*[,}])/g, `"nonce"$1:$2{"${EXACT_INTEGER}":"$3"}`);
  return JSON.parse(marked, (_key, value: unknown) => {
    if (value && typeof value === "object" && !Array.isArray(value)) {
      const keys = Object.keys(value);
      if (keys.length === 1 && keys[0] === EXACT_INTEGER) {
        return BigInt((value as Record<string, string>)[EXACT_INTEGER]);
      }
    }
    return value;
  });
}

function compareCodePoints(a: string, b: string): number {
  // Python sorts keys by code point; JavaScript's default sort compares UTF-16 units.
  const x = Array.from(a, (c) => c.codePointAt(0) as number);
  const y = Array.from(b, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return x.length - y.length;
}

/** json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False) */
export function canonicalJson(document: Json): string {
  if (document === null || typeof document === "boolean" || typeof document === "string") {
    return JSON.stringify(document);
  }
  if (typeof document === "bigint") return document.toString();
  if (typeof document === "number") {
    if (!Number.isInteger(document)) throw new Unusable("rate tables hold integers only");
    return String(document);
  }
  if (Array.isArray(document)) return `[${document.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(document).sort(compareCodePoints);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(document[k])}`).join(",")}}`;
}

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A copy as a plain ArrayBuffer: a BufferSource under every TypeScript lib version. */
function bytesOf(data: Uint8Array): ArrayBuffer {
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
}

export async function sha256Hex(data: Uint8Array): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", bytesOf(data)));
}

export async function canonicalSha256(document: Json): Promise<string> {
  return sha256Hex(new TextEncoder().encode(canonicalJson(document)));
}

export function seedFromHex(serverSeedHex: string): Uint8Array {
  const clean = serverSeedHex.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(clean)) throw new Unusable("the server seed is 32 bytes (64 hex digits)");
  return Uint8Array.from(clean.match(/../g) as string[], (pair) => parseInt(pair, 16));
}

type Entry = [prizeId: string, rarity: string, ppm: number];

function isPlainObject(value: unknown): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseEntries(entries: unknown): Entry[] {
  if (!Array.isArray(entries) || entries.length === 0) throw new Unusable("a table needs a non-empty list of entries");
  const out: Entry[] = [];
  for (const e of entries) {
    const keys = isPlainObject(e) ? Object.keys(e).sort() : [];
    if (!isPlainObject(e) || keys.join() !== "ppm,prize_id,rarity") throw new Unusable(`bad entry ${JSON.stringify(e)}`);
    if (typeof e.ppm !== "number" || !Number.isInteger(e.ppm) || e.ppm < 0) throw new Unusable(`bad ppm in ${JSON.stringify(e)}`);
    out.push([String(e.prize_id), String(e.rarity), e.ppm]);
  }
  if (out.reduce((sum, [, , ppm]) => sum + ppm, 0) !== PPM_TOTAL) throw new Unusable(`a table's ppm must sum to ${PPM_TOTAL}`);
  if (new Set(out.map(([p]) => p)).size !== out.length) throw new Unusable("duplicate prize ids in a table");
  return out;
}

function weightsInEffect(entries: Entry[], exhausted: Set<string>) {
  const kept: [string, string][] = [];
  const cumulative: number[] = [];
  let running = 0;
  for (const [prizeId, rarity, ppm] of entries) {
    if (ppm > 0 && !exhausted.has(prizeId)) {
      running += ppm;
      kept.push([prizeId, rarity]);
      cumulative.push(running);
    }
  }
  return { kept, cumulative, total: running };
}

/** Python's bisect_right: the first index whose value is greater than x. */
function bisectRight(values: number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x < values[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Rejection sampling over HMAC-SHA256: [r, attempts]. */
export async function uniform(
  key: CryptoKey,
  fanId: string,
  clientSeed: string,
  nonce: bigint | number,
  slot: number,
  total: number,
): Promise<[number, number]> {
  const limit = UINT32 - (UINT32 % total);
  const encoder = new TextEncoder();
  for (let attempt = 0; ; ) {
    const message = encoder.encode(`${fanId}:${clientSeed}:${nonce}:${slot}:${attempt}`);
    const mac = await crypto.subtle.sign("HMAC", key, bytesOf(message));
    const x = new DataView(mac).getUint32(0, false);
    attempt += 1;
    if (x < limit) return [x % total, attempt];
  }
}

export async function hmacKey(seed: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", bytesOf(seed), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

export function findOrders(node: unknown): Record<string, Json>[] {
  if (isPlainObject(node)) {
    if (node.format === ORDER_FORMAT) return [node];
    return Object.values(node).flatMap(findOrders);
  }
  if (Array.isArray(node)) return node.flatMap(findOrders);
  return [];
}

function exactNonce(value: unknown): bigint {
  if (typeof value === "bigint" && value >= 0n) return value;
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) {
    if (!Number.isSafeInteger(value)) throw new Unusable("nonce too large to read exactly: parse the JSON with parseOrderJson");
    return BigInt(value);
  }
  throw new Unusable("nonce must be a non-negative integer");
}

/** Verify one order document with the revealed seed (32 bytes, or its 64 hex digits). */
export async function verifyOrder(order: Record<string, Json>, serverSeed: string | Uint8Array): Promise<OrderCheck> {
  const seed = typeof serverSeed === "string" ? seedFromHex(serverSeed) : serverSeed;
  const problems: string[] = [];
  const problem = (text: string) => problems.push(text);
  const seedHash = await sha256Hex(seed);
  const check: OrderCheck = {
    orderId: String(order.order_id ?? "?"),
    gachaId: String(order.gacha_id ?? "?"),
    commitment: seedHash,
    commitmentOk: seedHash === order.commitment,
    rateTableHash: null,
    rateTableOk: false,
    draws: [],
    problems,
    problemCount: 0,
    verified: false,
  };
  if (!check.commitmentOk) problem(`SHA-256(server seed) = ${seedHash} but the commitment is ${String(order.commitment)}`);

  let main: Entry[];
  let guaranteed: Entry[] | null = null;
  let qualifying = new Set<string>();
  let batch = 0;
  let fanId: string, clientSeed: string, nonce: bigint, draws: Json[];
  try {
    if (!("rate_table" in order) || !("rate_table_hash" in order)) throw new Unusable("KeyError: 'rate_table'");
    const tableDoc = order.rate_table;
    check.rateTableHash = await canonicalSha256(tableDoc);
    check.rateTableOk = check.rateTableHash === order.rate_table_hash;
    if (!check.rateTableOk) problem(`the rate table hashes to ${check.rateTableHash}, the order says ${String(order.rate_table_hash)}`);
    if (!isPlainObject(tableDoc)) throw new Unusable("the rate table is not an object");
    if (tableDoc.format !== TABLE_FORMAT) throw new Unusable(`unknown rate table format ${JSON.stringify(tableDoc.format)}`);
    main = parseEntries(tableDoc.entries);
    if (!("guarantee" in tableDoc)) throw new Unusable("KeyError: 'guarantee'");
    const rule = tableDoc.guarantee;
    if (rule !== null) {
      if (!isPlainObject(rule)) throw new Unusable("the guarantee is not an object");
      guaranteed = parseEntries(rule.entries);
      const rarityOrder = rule.rarity_order;
      if (!Array.isArray(rarityOrder)) throw new Unusable("rarity_order must be a list");
      const from = rarityOrder.indexOf(rule.min_rarity as Json);
      if (from < 0) throw new Unusable("min_rarity is not in rarity_order");
      qualifying = new Set(rarityOrder.slice(from).map(String));
      if (!("batch_size" in rule)) throw new Unusable("KeyError: 'batch_size'");
      batch = Number(rule.batch_size);
    }
    for (const key of ["fan_id", "client_seed", "nonce"]) {
      if (!(key in order)) throw new Unusable(`KeyError: '${key}'`);
    }
    fanId = String(order.fan_id);
    clientSeed = String(order.client_seed);
    nonce = exactNonce(order.nonce);
    const claimedDraws = order.draws;
    if (!Array.isArray(claimedDraws) || claimedDraws.length === 0) throw new Unusable("draws must be a non-empty list");
    draws = claimedDraws;
  } catch (error) {
    problem(`malformed order: ${error instanceof Error ? error.message : String(error)}`);
    return finish(check);
  }

  const key = await hmacKey(seed);
  const guaranteedSlot = guaranteed !== null && draws.length === batch ? draws.length - 1 : -1;
  let hit = false;
  let previous = new Set<string>();
  for (let slot = 0; slot < draws.length; slot++) {
    const claimed = draws[slot];
    const notes: string[] = [];
    let table: DrawCheck["table"] = "?";
    let total = 0;
    let r = -1;
    let attempts = -1;
    let prizeId = "?";
    let exhausted = new Set<string>();
    try {
      if (!isPlainObject(claimed)) throw new Unusable("a draw is not an object");
      for (const field of ["slot", "exhausted", "table"]) {
        if (!(field in claimed)) throw new Unusable(`KeyError: '${field}'`);
      }
      if (claimed.slot !== slot) notes.push(`slot says ${String(claimed.slot)}`);
      if (!Array.isArray(claimed.exhausted)) throw new Unusable("exhausted must be a list");
      exhausted = new Set(claimed.exhausted.map(String));
      const cameBack = [...previous].filter((p) => !exhausted.has(p)).sort();
      if (cameBack.length) notes.push(`${JSON.stringify(cameBack)} came back after running out`);
      previous = exhausted;
      let entries: Entry[];
      if (slot === guaranteedSlot && !hit) {
        table = "guaranteed";
        entries = guaranteed as Entry[];
      } else {
        table = "main";
        entries = main;
      }
      if (claimed.table !== table) notes.push(`table says ${String(claimed.table)}, the rule says ${table}`);
      const weights = weightsInEffect(entries, exhausted);
      total = weights.total;
      if (total === 0) {
        notes.push("no weight left");
        prizeId = "-";
      } else {
        for (const field of ["total_weight", "r", "attempts", "prize_id"]) {
          if (!(field in claimed)) throw new Unusable(`KeyError: '${field}'`);
        }
        if (claimed.total_weight !== total) notes.push(`total says ${String(claimed.total_weight)}`);
        [r, attempts] = await uniform(key, fanId, clientSeed, nonce, slot, total);
        const [drawn, rarity] = weights.kept[bisectRight(weights.cumulative, r)];
        prizeId = drawn;
        if (qualifying.has(rarity)) hit = true;
        if (claimed.r !== r || claimed.attempts !== attempts) {
          notes.push(`order says r=${String(claimed.r)} after ${String(claimed.attempts)}`);
        }
        if (claimed.prize_id !== prizeId) notes.push(`order says prize ${String(claimed.prize_id)}`);
      }
    } catch (error) {
      notes.splice(0, notes.length, `malformed draw: ${error instanceof Error ? error.message : String(error)}`);
      table = "?";
      total = 0;
      r = -1;
      attempts = -1;
      prizeId = "?";
      exhausted = new Set();
    }
    if (notes.length) problem(`slot ${slot}: ${notes.join("; ")}`);
    check.draws.push({ slot, table, exhaustedCount: exhausted.size, totalWeight: total, r, attempts, prizeId, ok: notes.length === 0, notes });
  }
  return finish(check);
}

function finish(check: OrderCheck): OrderCheck {
  check.problemCount = check.problems.length;
  check.verified = check.problemCount === 0;
  return check;
}

/** Every order in a document (an order, a list of orders, or any JSON holding them). */
export async function verifyDocument(document: unknown, serverSeed: string): Promise<{ orders: OrderCheck[]; verified: boolean }> {
  const orders = findOrders(document);
  if (orders.length === 0) throw new Unusable(`no order with format '${ORDER_FORMAT}' in the document`);
  const seed = seedFromHex(serverSeed);
  const checks = [];
  for (const order of orders) checks.push(await verifyOrder(order, seed));
  return { orders: checks, verified: checks.every((c) => c.verified) };
}
