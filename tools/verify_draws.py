#!/usr/bin/env python3
"""Verify oshi gacha draws yourself: needs only Python 3.9+ and its standard library, nothing from our servers.

    python tools/verify_draws.py order.json --server-seed HEX

``order.json`` is the order JSON you downloaded (or any JSON holding order documents with
``"format": "oshi-fairness/1"``); HEX is the server seed revealed after the sale (64 hex digits).

It checks that SHA-256(server seed) is the commitment published before the sale, that the rate table hashes to
the published rate-table hash, and re-derives every draw from the seed, your client seed and nonce, following
docs/fairness.md. It is deliberately a separate implementation of that document (it imports nothing from the
platform). Prints one line per draw; exits 0 when everything verifies, 1 on any mismatch, 2 on unusable input.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import sys
from bisect import bisect_right

ORDER_FORMAT = "oshi-fairness/1"
TABLE_FORMAT = "oshi-rate-table/1"
PPM_TOTAL = 1_000_000


class Unusable(Exception):
    pass


def canonical_sha256(document: object) -> str:
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_entries(entries: object) -> list[tuple[str, str, int]]:
    if not isinstance(entries, list) or not entries:
        raise Unusable("a table needs a non-empty list of entries")
    out = []
    for e in entries:
        if not isinstance(e, dict) or set(e) != {"prize_id", "rarity", "ppm"}:
            raise Unusable(f"bad entry {e!r}")
        if type(e["ppm"]) is not int or e["ppm"] < 0:
            raise Unusable(f"bad ppm in {e!r}")
        out.append((str(e["prize_id"]), str(e["rarity"]), e["ppm"]))
    if sum(ppm for _, _, ppm in out) != PPM_TOTAL:
        raise Unusable(f"a table's ppm must sum to {PPM_TOTAL}")
    if len({p for p, _, _ in out}) != len(out):
        raise Unusable("duplicate prize ids in a table")
    return out


def weights_in_effect(entries: list[tuple[str, str, int]], exhausted: set[str]) -> tuple[list, list, int]:
    """(kept entries, cumulative sums, total) over entries with ppm > 0 that have not run out."""
    kept, cumulative, running = [], [], 0
    for prize_id, rarity, ppm in entries:
        if ppm > 0 and prize_id not in exhausted:
            running += ppm
            kept.append((prize_id, rarity))
            cumulative.append(running)
    return kept, cumulative, running


def uniform(seed: bytes, fan_id: str, client_seed: str, nonce: int, slot: int, total: int) -> tuple[int, int]:
    """Rejection sampling: HMAC-SHA256 -> first 4 bytes big-endian; accept x < 2^32 - 2^32 % total."""
    limit = 2**32 - 2**32 % total
    attempt = 0
    while True:
        msg = f"{fan_id}:{client_seed}:{nonce}:{slot}:{attempt}".encode()
        x = int.from_bytes(hmac.new(seed, msg, hashlib.sha256).digest()[:4], "big")
        attempt += 1
        if x < limit:
            return x % total, attempt


def find_orders(node: object) -> list[dict]:
    if isinstance(node, dict):
        if node.get("format") == ORDER_FORMAT:
            return [node]
        return [o for v in node.values() for o in find_orders(v)]
    if isinstance(node, list):
        return [o for v in node for o in find_orders(v)]
    return []


def verify_order(order: dict, seed: bytes, out: list[str]) -> int:
    """Prints into ``out``; returns the number of problems."""
    problems = 0

    def problem(text: str) -> None:
        nonlocal problems
        problems += 1
        out.append(f"  PROBLEM: {text}")

    out.append(f"order {order.get('order_id', '?')} (gacha {order.get('gacha_id', '?')})")
    seed_hash = hashlib.sha256(seed).hexdigest()
    if seed_hash == order.get("commitment"):
        out.append(f"  commitment  {seed_hash}  = SHA-256(server seed)  OK")
    else:
        problem(f"SHA-256(server seed) = {seed_hash} but the commitment is {order.get('commitment')}")
    try:
        table_doc = order["rate_table"]
        table_hash = canonical_sha256(table_doc)
        if table_hash == order["rate_table_hash"]:
            out.append(f"  rate table  {table_hash}  OK (compare with the hash published for the gacha)")
        else:
            problem(f"the rate table hashes to {table_hash}, the order says {order['rate_table_hash']}")
        if table_doc.get("format") != TABLE_FORMAT:
            raise Unusable(f"unknown rate table format {table_doc.get('format')!r}")
        main = parse_entries(table_doc["entries"])
        rule = table_doc["guarantee"]
        guaranteed, qualifying, batch = None, set(), 0
        if rule is not None:
            guaranteed = parse_entries(rule["entries"])
            order_ = list(rule["rarity_order"])
            qualifying = set(order_[order_.index(rule["min_rarity"]) :])
            batch = rule["batch_size"]
        fan_id, client_seed, nonce = order["fan_id"], order["client_seed"], order["nonce"]
        if type(nonce) is not int or nonce < 0:
            raise Unusable("nonce must be a non-negative integer")
        draws = order["draws"]
        if not isinstance(draws, list) or not draws:
            raise Unusable("draws must be a non-empty list")
    except (KeyError, TypeError, ValueError, AttributeError, Unusable) as exc:
        problem(f"malformed order: {exc!r}")
        return problems

    guaranteed_slot = len(draws) - 1 if guaranteed is not None and len(draws) == batch else -1
    out.append(f"  fan {fan_id}  client seed {client_seed!r}  nonce {nonce}  draws {len(draws)}")
    out.append(
        f"  {'slot':>4} {'table':<10} {'out':>3} {'total':>8} {'r':>8} {'try':>3}  {'prize':<24} result"
    )
    hit, previous = False, set[str]()
    for slot, claimed in enumerate(draws):
        try:
            notes = []
            if claimed["slot"] != slot:
                notes.append(f"slot says {claimed['slot']}")
            exhausted = set(claimed["exhausted"])
            if not previous <= exhausted:
                notes.append(f"{sorted(previous - exhausted)} came back after running out")
            previous = exhausted
            if slot == guaranteed_slot and not hit:
                kind, entries = "guaranteed", guaranteed
            else:
                kind, entries = "main", main
            assert entries is not None
            if claimed["table"] != kind:
                notes.append(f"table says {claimed['table']}, the rule says {kind}")
            kept, cumulative, total = weights_in_effect(entries, exhausted)
            if total == 0:
                notes.append("no weight left")
                r = attempts = -1
                prize_id = "-"
            else:
                if claimed["total_weight"] != total:
                    notes.append(f"total says {claimed['total_weight']}")
                r, attempts = uniform(seed, fan_id, client_seed, nonce, slot, total)
                prize_id, rarity = kept[bisect_right(cumulative, r)]
                if rarity in qualifying:
                    hit = True
                if claimed["r"] != r or claimed["attempts"] != attempts:
                    notes.append(f"order says r={claimed['r']} after {claimed['attempts']}")
                if claimed["prize_id"] != prize_id:
                    notes.append(f"order says prize {claimed['prize_id']}")
        except (KeyError, TypeError, ValueError) as exc:
            notes, kind, total, r, attempts, prize_id = [f"malformed draw: {exc!r}"], "?", 0, -1, -1, "?"
            exhausted = set()
        result = "OK" if not notes else "MISMATCH: " + "; ".join(notes)
        problems += bool(notes)
        out.append(
            f"  {slot:>4} {kind:<10} {len(exhausted):>3} {total:>8} {r:>8} {attempts:>3}  {prize_id:<24} {result}"
        )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("order_json", help="the order JSON file ('-' for standard input)")
    parser.add_argument("--server-seed", required=True, help="the revealed server seed, 64 hex digits")
    args = parser.parse_args(argv)
    try:
        seed = bytes.fromhex(args.server_seed.strip())
        if len(seed) != 32:
            raise ValueError("the server seed is 32 bytes (64 hex digits)")
        if args.order_json == "-":
            document = json.load(sys.stdin)
        else:
            with open(args.order_json, encoding="utf-8") as f:
                document = json.load(f)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    orders = find_orders(document)
    if not orders:
        print(f"error: no order with format {ORDER_FORMAT!r} in the file", file=sys.stderr)
        return 2
    out: list[str] = []
    problems = sum(verify_order(order, seed, out) for order in orders)
    print("\n".join(out))
    if problems:
        print(f"FAILED: {problems} problem(s) in {len(orders)} order(s)")
        return 1
    print(f"VERIFIED: {len(orders)} order(s), every draw re-derived from the revealed seed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
