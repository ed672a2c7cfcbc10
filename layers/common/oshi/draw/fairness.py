"""Provably fair draws: commit to a server seed, derive each draw from it by HMAC, let anyone verify.

The algorithm is specified in docs/fairness.md (precisely enough to reimplement it in another language);
``tools/verify_draws.py`` is an independent, standard-library-only implementation of the same spec.

- ``new_server_seed()`` / ``commitment(seed)``: 32 random bytes; the published commitment is SHA-256(seed).
- ``rate_table_document`` / ``rate_table_hash``: the canonical JSON of the frozen rate table and its SHA-256.
- ``SeededSource``: the engine's randomness for one order, derived from
  HMAC-SHA256(server_seed, "{fan_id}:{client_seed}:{nonce}:{slot}:{attempt}") with rejection sampling.
- ``OrderProof``: the order JSON a fan keeps (and ``DrawProof``, one self-contained proof per draw).
- ``verify(order_json, server_seed)``: every problem found, or ``[]`` when the order verifies.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from oshi.draw.engine import Ceiling, Draw, DrawError, Guarantee, RateTable, TableKind, ceiling_weights

ORDER_FORMAT = "oshi-fairness/1"
TABLE_FORMAT = "oshi-rate-table/1"
# A gacha with a ceiling (天井): the table document gains "ceiling", the order document "ceiling_before".
ORDER_FORMAT_CEILING = "oshi-fairness/2"
TABLE_FORMAT_CEILING = "oshi-rate-table/2"
ORDER_FORMATS = (ORDER_FORMAT, ORDER_FORMAT_CEILING)
SEED_BYTES = 32
UINT32 = 1 << 32
FAN_ID = re.compile(r"[A-Za-z0-9_.-]{1,128}")
CLIENT_SEED_MAX = 128
_HEX64 = re.compile(r"[0-9a-f]{64}")


# --- seeds and commitments ----------------------------------------------------------------------------


def new_server_seed() -> bytes:
    return secrets.token_bytes(SEED_BYTES)


def new_client_seed() -> str:
    """A default client seed when the fan gives none (better generated in the fan's browser; see docs)."""
    return secrets.token_hex(16)


def commitment(server_seed: bytes) -> str:
    if len(server_seed) != SEED_BYTES:
        raise ValueError(f"a server seed is {SEED_BYTES} bytes")
    return hashlib.sha256(server_seed).hexdigest()


def check_fan_id(fan_id: str) -> str:
    if not isinstance(fan_id, str) or not FAN_ID.fullmatch(fan_id):
        raise ValueError("fan_id must be 1-128 characters of [A-Za-z0-9_.-]")
    return fan_id


def check_client_seed(client_seed: str) -> str:
    """1-128 Unicode characters, no control characters, encodable as UTF-8 (no lone surrogates)."""
    if not isinstance(client_seed, str) or not 1 <= len(client_seed) <= CLIENT_SEED_MAX:
        raise ValueError(f"client_seed must be 1-{CLIENT_SEED_MAX} characters")
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in client_seed):
        raise ValueError("client_seed must not contain control characters or surrogates")
    return client_seed


def check_nonce(nonce: int) -> int:
    if type(nonce) is not int or not 0 <= nonce < 1 << 63:
        raise ValueError("nonce must be an integer in [0, 2^63)")
    return nonce


# --- the rate table's canonical form ---------------------------------------------------------------------


def canonical_json(document: Any) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def rate_table_document(
    table: RateTable, guarantee: Guarantee | None = None, ceiling: Ceiling | None = None
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": TABLE_FORMAT,
        "entries": table.to_json(),
        "guarantee": guarantee.to_json() if guarantee is not None else None,
    }
    if ceiling is not None:
        document["format"] = TABLE_FORMAT_CEILING
        document["ceiling"] = ceiling.to_json()
    return document


def rate_table_hash(
    table: RateTable, guarantee: Guarantee | None = None, ceiling: Ceiling | None = None
) -> str:
    return hashlib.sha256(canonical_json(rate_table_document(table, guarantee, ceiling))).hexdigest()


def ceiling_from_document(document: Mapping[str, Any]) -> Ceiling | None:
    if document.get("format") != TABLE_FORMAT_CEILING:
        return None
    rule = document["ceiling"]
    if not isinstance(rule, Mapping) or set(rule) != {"draws", "rarity"}:
        raise ValueError("a ceiling has exactly draws and rarity")
    table = RateTable.from_entries(document["entries"])
    ceiling = Ceiling(rule["draws"], rule["rarity"])
    if not any(e.rarity == ceiling.rarity and e.ppm > 0 for e in table.entries):
        raise ValueError("the ceiling's rarity has no prize in the table")
    return ceiling


def tables_from_document(document: Mapping[str, Any]) -> tuple[RateTable, Guarantee | None]:
    """Parse (strictly) a rate-table document back into the engine's types. Raises ValueError."""
    keys = {"format", "entries", "guarantee"}
    if isinstance(document, Mapping) and document.get("format") == TABLE_FORMAT_CEILING:
        keys = keys | {"ceiling"}
    if not isinstance(document, Mapping) or set(document) != keys:
        raise ValueError("a rate table document has exactly format, entries and guarantee (and ceiling, /2)")
    if document["format"] not in (TABLE_FORMAT, TABLE_FORMAT_CEILING):
        raise ValueError(f"unknown rate table format {document['format']!r}")
    table = RateTable.from_entries(document["entries"])
    rule = document["guarantee"]
    if rule is None:
        return table, None
    if not isinstance(rule, Mapping) or set(rule) != {"batch_size", "entries", "min_rarity", "rarity_order"}:
        raise ValueError("a guarantee has exactly batch_size, entries, min_rarity and rarity_order")
    guarantee = Guarantee(
        min_rarity=rule["min_rarity"],
        rarity_order=tuple(rule["rarity_order"]),
        table=RateTable.from_entries(rule["entries"]),
        batch_size=rule["batch_size"],
    )
    guarantee.check_main(table)
    return table, guarantee


# --- derivation -----------------------------------------------------------------------------------------


def message(fan_id: str, client_seed: str, nonce: int, slot: int, attempt: int) -> bytes:
    return f"{fan_id}:{client_seed}:{nonce}:{slot}:{attempt}".encode()


def derive_uint32(
    server_seed: bytes, fan_id: str, client_seed: str, nonce: int, slot: int, attempt: int
) -> int:
    digest = hmac.digest(server_seed, message(fan_id, client_seed, nonce, slot, attempt), "sha256")
    return int.from_bytes(digest[:4], "big")


def acceptance_limit(total: int) -> int:
    """Raw uint32 values below this are accepted; ``limit % total == 0`` so ``x % total`` is unbiased."""
    if type(total) is not int or not 1 <= total <= UINT32:
        raise ValueError("total must be an integer in [1, 2^32]")
    return UINT32 - UINT32 % total


def derive_uniform(
    server_seed: bytes, fan_id: str, client_seed: str, nonce: int, slot: int, total: int
) -> tuple[int, int]:
    """``(r, attempts)``: r uniform in ``[0, total)`` for the slot, by rejection sampling."""
    return SeededSource(server_seed, fan_id, client_seed, nonce).uniform(total, slot)


class SeededSource:
    """The engine's randomness for one order, derived from the committed server seed (see module doc)."""

    __slots__ = ("_inner", "_outer", "_prefix")

    def __init__(self, server_seed: bytes, fan_id: str, client_seed: str, nonce: int):
        if not isinstance(server_seed, bytes) or len(server_seed) != SEED_BYTES:
            raise ValueError(f"a server seed is {SEED_BYTES} bytes")
        check_fan_id(fan_id)
        check_client_seed(client_seed)
        check_nonce(nonce)
        # HMAC-SHA256 (RFC 2104) with the keyed inner and outer states computed once: the same bytes as
        # hmac.digest(server_seed, msg, "sha256"), about twice as fast per draw (a test checks they agree).
        block = server_seed.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
        self._prefix = f"{fan_id}:{client_seed}:{nonce}:"

    def raw(self, slot: int, attempt: int) -> int:
        """The uint32 of one attempt: the first 4 bytes, big-endian, of the HMAC."""
        inner = self._inner.copy()
        inner.update(f"{self._prefix}{slot}:{attempt}".encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return int.from_bytes(outer.digest()[:4], "big")

    def uniform(self, total: int, slot: int) -> tuple[int, int]:
        if not 0 < total <= UINT32:
            raise ValueError("total must be an integer in [1, 2^32]")
        limit = UINT32 - UINT32 % total  # the hot path: acceptance_limit() inlined
        inner = self._inner.copy()
        inner.update(f"{self._prefix}{slot}:0".encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        x = int.from_bytes(outer.digest()[:4], "big")
        if x < limit:
            return x % total, 1
        attempt = 1
        while True:
            x = self.raw(slot, attempt)
            attempt += 1
            if x < limit:
                return x % total, attempt


# --- proofs ---------------------------------------------------------------------------------------------


def _draw_json(draw: Draw) -> dict[str, Any]:
    return {
        "slot": draw.slot,
        "table": draw.table.value,
        "exhausted": list(draw.exhausted),
        "total_weight": draw.total_weight,
        "r": draw.r,
        "attempts": draw.attempts,
        "prize_id": draw.prize_id,
    }


@dataclass(frozen=True)
class DrawProof:
    """One draw's self-contained proof (what a stored draw result carries)."""

    commitment: str
    rate_table_hash: str
    fan_id: str
    client_seed: str
    nonce: int
    slot: int
    table: str
    exhausted: tuple[str, ...]
    total_weight: int
    r: int
    attempts: int
    prize_id: str

    def to_json(self) -> dict[str, Any]:
        return {
            "commitment": self.commitment,
            "rate_table_hash": self.rate_table_hash,
            "fan_id": self.fan_id,
            "client_seed": self.client_seed,
            "nonce": self.nonce,
            "slot": self.slot,
            "table": self.table,
            "exhausted": list(self.exhausted),
            "total_weight": self.total_weight,
            "r": self.r,
            "attempts": self.attempts,
            "prize_id": self.prize_id,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DrawProof:
        return cls(**{**data, "exhausted": tuple(data["exhausted"])})


@dataclass(frozen=True)
class OrderProof:
    """The fairness record of one order; ``to_json()`` is the order JSON the verifier takes."""

    commitment: str
    table: RateTable
    guarantee: Guarantee | None
    fan_id: str
    client_seed: str
    nonce: int
    draws: tuple[Draw, ...]
    gacha_id: str | None = None
    order_id: str | None = None
    ceiling: Ceiling | None = None
    ceiling_before: int = 0  # the fan's draws since their last top-rarity prize, before this order

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "format": ORDER_FORMAT if self.ceiling is None else ORDER_FORMAT_CEILING,
            "commitment": self.commitment,
            "rate_table": rate_table_document(self.table, self.guarantee, self.ceiling),
            "rate_table_hash": rate_table_hash(self.table, self.guarantee, self.ceiling),
            "fan_id": self.fan_id,
            "client_seed": self.client_seed,
            "nonce": self.nonce,
        }
        if self.ceiling is not None:
            document["ceiling_before"] = self.ceiling_before
        document["draws"] = [_draw_json(d) for d in self.draws]
        if self.gacha_id is not None:
            document["gacha_id"] = self.gacha_id
        if self.order_id is not None:
            document["order_id"] = self.order_id
        return document

    def draw_proofs(self) -> tuple[DrawProof, ...]:
        table_hash = rate_table_hash(self.table, self.guarantee, self.ceiling)
        return tuple(
            DrawProof(
                self.commitment,
                table_hash,
                self.fan_id,
                self.client_seed,
                self.nonce,
                d.slot,
                d.table.value,
                d.exhausted,
                d.total_weight,
                d.r,
                d.attempts,
                d.prize_id,
            )
            for d in self.draws
        )


# --- verification ---------------------------------------------------------------------------------------


def _find_orders(node: Any) -> list[Mapping[str, Any]]:
    if isinstance(node, Mapping):
        if node.get("format") in ORDER_FORMATS:
            return [node]
        return [o for value in node.values() for o in _find_orders(value)]
    if isinstance(node, list):
        return [o for value in node for o in _find_orders(value)]
    return []


def _seed_bytes(server_seed: bytes | str) -> bytes:
    if isinstance(server_seed, str):
        server_seed = bytes.fromhex(server_seed.strip())
    if len(server_seed) != SEED_BYTES:
        raise ValueError(f"a server seed is {SEED_BYTES} bytes ({SEED_BYTES * 2} hex digits)")
    return server_seed


def verify(
    order_json: Mapping[str, Any] | Sequence[Any] | str | bytes, server_seed: bytes | str
) -> list[str]:
    """Every problem found in the order(s) (``[]`` = verified). ``order_json`` may be the order document,
    its JSON text, or any JSON holding order documents (found by their ``format``)."""
    try:
        document = json.loads(order_json) if isinstance(order_json, str | bytes) else order_json
        seed = _seed_bytes(server_seed)
    except ValueError as exc:
        return [f"unreadable input: {exc}"]
    orders = _find_orders(document)
    if not orders:
        return [f"no order document with format {ORDER_FORMAT!r} found"]
    problems: list[str] = []
    for n, order in enumerate(orders):
        label = f"order {order.get('order_id', n)}"
        problems.extend(f"{label}: {p}" for p in _verify_order(order, seed))
    return problems


def _verify_order(order: Mapping[str, Any], seed: bytes) -> list[str]:
    problems: list[str] = []
    expected = hashlib.sha256(seed).hexdigest()
    if order.get("commitment") != expected:
        problems.append(
            f"SHA-256 of the server seed is {expected}, the commitment is {order.get('commitment')}"
        )
    try:
        table_doc = order["rate_table"]
        actual_hash = hashlib.sha256(canonical_json(table_doc)).hexdigest()
        if order["rate_table_hash"] != actual_hash:
            problems.append(f"rate table hashes to {actual_hash}, the order says {order['rate_table_hash']}")
        table, guarantee = tables_from_document(table_doc)
        ceiling = ceiling_from_document(table_doc)
        if (ceiling is None) != (order["format"] == ORDER_FORMAT):
            raise ValueError("the order format does not match the rate table's (ceiling)")
        since_top = int(order["ceiling_before"]) if ceiling is not None else 0
        source = SeededSource(seed, order["fan_id"], order["client_seed"], order["nonce"])
        draws = order["draws"]
        if not isinstance(draws, list) or not draws:
            raise ValueError("draws must be a non-empty list")
    except (KeyError, TypeError, ValueError) as exc:
        return [*problems, f"malformed order: {exc!r}"]

    count = len(draws)
    guaranteed_slot = count - 1 if guarantee is not None and count == guarantee.batch_size else -1
    hit = False
    previous: frozenset[str] = frozenset()
    for slot, claimed in enumerate(draws):
        try:
            if claimed["slot"] != slot:
                problems.append(f"draw {slot}: slot is {claimed['slot']}, expected {slot}")
            exhausted = frozenset(claimed["exhausted"])
            if not previous <= exhausted:
                problems.append(
                    f"slot {slot}: prizes {sorted(previous - exhausted)} came back after running out"
                )
            previous = exhausted
            if ceiling is not None and ceiling.applies(since_top):
                kind, weights = TableKind.CEILING, ceiling_weights(table, ceiling.rarity, exhausted)
            elif slot == guaranteed_slot and not hit:
                assert guarantee is not None
                kind, weights = TableKind.GUARANTEED, guarantee.table.weights(exhausted)
            else:
                kind, weights = TableKind.MAIN, table.weights(exhausted)
            if claimed["table"] != kind.value:
                problems.append(
                    f"slot {slot}: drawn from the {claimed['table']} table, the rule says {kind.value}"
                )
            if weights.total == 0:
                problems.append(f"slot {slot}: no weight left in the {kind.value} table")
                continue
            if claimed["total_weight"] != weights.total:
                problems.append(
                    f"slot {slot}: total weight {claimed['total_weight']}, expected {weights.total}"
                )
            r, attempts = source.uniform(weights.total, slot)
            i = weights.index_of(r)
            prize_id = weights.prize_ids[i]
            if claimed["r"] != r or claimed["attempts"] != attempts:
                problems.append(
                    f"slot {slot}: r={claimed['r']} after {claimed['attempts']} attempts, "
                    f"derived r={r} after {attempts}"
                )
            if claimed["prize_id"] != prize_id:
                problems.append(f"slot {slot}: prize {claimed['prize_id']}, derived {prize_id}")
            if guarantee is not None and guarantee.qualifies(weights.rarities[i]):
                hit = True
            if ceiling is not None:
                since_top = 0 if weights.rarities[i] == ceiling.rarity else since_top + 1
        except (KeyError, TypeError, ValueError, DrawError) as exc:
            problems.append(f"slot {slot}: malformed draw: {exc!r}")
    return problems
