#!/usr/bin/env python3
"""Verify oshi gacha draws yourself: needs only Python 3.9+ and its standard library, nothing from our servers.

    python tools/verify_draws.py order.json --server-seed HEX
    python tools/verify_draws.py box-log.json --box --server-seed HEX     # a whole box, replayed from full

``order.json`` is the order JSON you downloaded (or any JSON holding order documents with
``"format": "oshi-fairness/1"``, ``"oshi-fairness/2"`` (a ceiling) or ``"oshi-box-order/1"`` (a box));
HEX is the server seed revealed after the sale (64 hex digits). ``--box``: the file is a box's draw log
(``GET /api/gachas/{id}/box/draws``), replayed ticket by ticket from the full box (docs/fairness.md §10).

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
# Ceiling (天井) gachas: the rate table gains "ceiling" {draws, rarity}, the order "ceiling_before".
ORDER_FORMAT_CEILING = "oshi-fairness/2"
TABLE_FORMAT_CEILING = "oshi-rate-table/2"
ORDER_FORMATS = (ORDER_FORMAT, ORDER_FORMAT_CEILING)
# Box gachas: tickets without replacement (docs/fairness.md section 10).
BOX_ORDER_FORMAT = "oshi-box-order/1"
BOX_FORMAT = "oshi-box/1"
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


def find_orders(node: object, formats: tuple[str, ...] = ORDER_FORMATS) -> list[dict]:
    if isinstance(node, dict):
        if node.get("format") in formats:
            return [node]
        return [o for v in node.values() for o in find_orders(v, formats)]
    if isinstance(node, list):
        return [o for v in node for o in find_orders(v, formats)]
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
        ceiling = None
        if table_doc.get("format") == TABLE_FORMAT_CEILING:
            ceiling = (int(table_doc["ceiling"]["draws"]), str(table_doc["ceiling"]["rarity"]))
        elif table_doc.get("format") != TABLE_FORMAT:
            raise Unusable(f"unknown rate table format {table_doc.get('format')!r}")
        if (ceiling is not None) != (order.get("format") == ORDER_FORMAT_CEILING):
            raise Unusable("the order's format does not match its rate table's")
        since_top = int(order["ceiling_before"]) if ceiling is not None else 0
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
            if ceiling is not None and since_top >= ceiling[0] - 1:
                # the ceiling slot: only the top rarity's entries of the main table, at their main weights
                kind, entries = "ceiling", [e for e in main if e[1] == ceiling[1]]
            elif slot == guaranteed_slot and not hit:
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
                if ceiling is not None:
                    since_top = 0 if rarity == ceiling[1] else since_top + 1
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


def parse_box(document: dict) -> tuple[list[tuple[str, str, int]], tuple[str, str] | None]:
    if not isinstance(document, dict) or document.get("format") != BOX_FORMAT:
        raise Unusable(
            f"unknown box format {document.get('format') if isinstance(document, dict) else None!r}"
        )
    if set(document) != {"format", "tickets", "last_one"}:
        raise Unusable("a box document has exactly format, tickets and last_one")
    tickets = []
    for t in document["tickets"]:
        if not isinstance(t, dict) or set(t) != {"prize_id", "rarity", "count"}:
            raise Unusable(f"bad ticket entry {t!r}")
        if type(t["count"]) is not int or t["count"] < 1:
            raise Unusable(f"bad ticket count in {t!r}")
        tickets.append((str(t["prize_id"]), str(t["rarity"]), t["count"]))
    if not tickets or len({p for p, _, _ in tickets}) != len(tickets):
        raise Unusable("a box needs prizes with unique ids")
    last = document["last_one"]
    return tickets, (str(last["prize_id"]), str(last["rarity"])) if last else None


def verify_box_order(
    order: dict, seed: bytes, left: dict[str, int] | None, out: list[str]
) -> tuple[int, dict]:
    """One box order, from the box state before it (``left``: None = take the order's own
    ``remaining_before``, checked only for consistency). Returns (problems, the state after it)."""
    problems = 0

    def problem(text: str) -> None:
        nonlocal problems
        problems += 1
        out.append(f"  PROBLEM: {text}")

    out.append(f"box order {order.get('order_id', '?')} (gacha {order.get('gacha_id', '?')})")
    seed_hash = hashlib.sha256(seed).hexdigest()
    if seed_hash != order.get("commitment"):
        problem(f"SHA-256(server seed) = {seed_hash} but the commitment is {order.get('commitment')}")
    try:
        box_hash = canonical_sha256(order["box"])
        if box_hash != order["box_hash"]:
            problem(f"the box hashes to {box_hash}, the order says {order['box_hash']}")
        tickets, last_one = parse_box(order["box"])
        total_tickets = sum(c for _, _, c in tickets)
        claimed_before = {e["prize_id"]: int(e["remaining"]) for e in order["remaining_before"]}
        if left is None:
            left = claimed_before
        elif claimed_before != left:
            problem(f"the order says the box held {claimed_before} before it, the replay says {left}")
        left = dict(left)
        start = int(order["start_position"])
        if sum(left.values()) != total_tickets - start:
            problem(f"{sum(left.values())} tickets left at position {start} of a box of {total_tickets}")
        starts, running = {}, 0
        for prize_id, _, count in tickets:
            starts[prize_id] = running
            running += count
        full = {p: c for p, _, c in tickets}
        fan_id, client_seed, nonce = order["fan_id"], order["client_seed"], order["nonce"]
        draws = order["draws"]
        if not isinstance(draws, list) or not draws:
            raise Unusable("draws must be a non-empty list")
    except (KeyError, TypeError, ValueError, AttributeError, Unusable) as exc:
        problem(f"malformed box order: {exc!r}")
        return problems, left or {}
    out.append(
        f"  fan {fan_id}  client seed {client_seed!r}  nonce {nonce}  tickets {len(draws)} from {start}"
    )
    out.append(
        f"  {'slot':>4} {'pos':>5} {'left':>5} {'r':>5} {'try':>3} {'ticket':>6}  {'prize':<24} result"
    )
    position = start
    for slot, claimed in enumerate(draws):
        notes = []
        total = sum(left.values())
        try:
            if claimed["slot"] != slot or claimed["position"] != position:
                notes.append(f"slot/position say {claimed['slot']}/{claimed['position']}")
            if claimed["total"] != total:
                notes.append(f"total says {claimed['total']}")
            if total == 0:
                notes.append("the box is empty")
                raise ValueError("empty box")
            r, attempts = uniform(seed, fan_id, client_seed, nonce, slot, total)
            running, prize_id = 0, "-"
            for p, _, _ in tickets:
                running += left[p]
                if r < running:
                    prize_id = p
                    break
            ticket = starts[prize_id] + full[prize_id] - left[prize_id]
            left[prize_id] -= 1
            if claimed["r"] != r or claimed["attempts"] != attempts:
                notes.append(f"order says r={claimed['r']} after {claimed['attempts']}")
            if claimed["prize_id"] != prize_id or claimed["ticket"] != ticket:
                notes.append(f"order says ticket {claimed['ticket']} ({claimed['prize_id']})")
        except (KeyError, TypeError, ValueError) as exc:
            if not notes:
                notes.append(f"malformed draw: {exc!r}")
            r = attempts = ticket = -1
            prize_id = "?"
        result = "OK" if not notes else "MISMATCH: " + "; ".join(notes)
        problems += bool(notes)
        out.append(
            f"  {slot:>4} {position:>5} {total:>5} {r:>5} {attempts:>3} {ticket:>6}  {prize_id:<24} {result}"
        )
        position += 1
    takes_last = last_one is not None and position == total_tickets
    claimed_last = order.get("last_one")
    if takes_last and (not claimed_last or claimed_last.get("prize_id") != last_one[0]):
        problem("this order drew the last ticket but does not record the last-one prize")
    elif not takes_last and claimed_last:
        problem("the order claims the last-one prize without drawing the last ticket")
    elif takes_last:
        out.append(f"  last ticket (position {total_tickets - 1}): last-one prize {last_one[0]}  OK")
    return problems, left


def verify_box(orders: list[dict], seed: bytes, out: list[str]) -> int:
    """Replay a whole box from its orders (its public log): positions 0, 1, ... with no gap or overlap,
    every order from the state the previous ones left, and at most one last-one prize."""
    problems = 0
    by_box: dict[str, list[dict]] = {}
    for order in orders:
        by_box.setdefault(str(order.get("box_hash")), []).append(order)
    for box_hash, group in by_box.items():
        group.sort(key=lambda o: int(o.get("start_position", -1)))
        try:
            tickets, last_one = parse_box(group[0]["box"])
        except (KeyError, Unusable) as exc:
            out.append(f"  PROBLEM: malformed box: {exc!r}")
            problems += 1
            continue
        left: dict[str, int] = {p: c for p, _, c in tickets}
        total_tickets = sum(left.values())
        out.append(f"box {box_hash}: {total_tickets} tickets, replaying {len(group)} order(s)")
        position, lasts = 0, 0
        for order in group:
            if int(order.get("start_position", -1)) != position:
                out.append(
                    f"  PROBLEM: order {order.get('order_id')} starts at {order.get('start_position')}, expected {position}"
                )
                problems += 1
            found, left = verify_box_order(order, seed, left, out)
            problems += found
            position += len(order.get("draws") or [])
            lasts += bool(order.get("last_one"))
        drawn = total_tickets - sum(left.values())
        out.append(f"  tickets drawn {drawn} of {total_tickets}; left per prize {left}")
        if lasts > 1 or (last_one is not None and drawn == total_tickets and lasts != 1):
            out.append(
                f"  PROBLEM: {lasts} last-one prize(s) for a box that is {'empty' if drawn == total_tickets else 'not empty'}"
            )
            problems += 1
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("order_json", help="the order JSON file ('-' for standard input)")
    parser.add_argument("--server-seed", required=True, help="the revealed server seed, 64 hex digits")
    parser.add_argument(
        "--box",
        action="store_true",
        help="the file is a box's whole draw log (GET /api/gachas/{id}/box/draws): replay the box from full",
    )
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
    box_orders = find_orders(document, (BOX_ORDER_FORMAT,))
    if not orders and not box_orders:
        print(
            f"error: no order with format {ORDER_FORMAT!r} or {BOX_ORDER_FORMAT!r} in the file",
            file=sys.stderr,
        )
        return 2
    out: list[str] = []
    problems = sum(verify_order(order, seed, out) for order in orders)
    if box_orders:
        if args.box:  # the box's whole log: replay it from the full box
            problems += verify_box(box_orders, seed, out)
        else:  # the fan's own orders: each from the box state it records
            problems += sum(verify_box_order(order, seed, None, out)[0] for order in box_orders)
    orders = orders + box_orders
    print("\n".join(out))
    if problems:
        print(f"FAILED: {problems} problem(s) in {len(orders)} order(s)")
        return 1
    print(f"VERIFIED: {len(orders)} order(s), every draw re-derived from the revealed seed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
