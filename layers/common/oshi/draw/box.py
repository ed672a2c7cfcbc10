"""Box gacha (BOXガチャ / 一番くじ style): a finite box of tickets drawn without replacement. Pure code.

The box is committed at publication as a document (docs/fairness.md, section 10)::

    {"format": "oshi-box/1",
     "tickets": [{"prize_id": "p01", "rarity": "UR", "count": 2}, ...],   # lineup order
     "last_one": {"prize_id": "last", "rarity": "UR"} | null}

Ticket ``i`` (0-based) belongs to the prize whose range ``[start, start + count)`` holds it, prizes in
lineup order. A draw at box position ``k`` (the k-th ticket taken from the box, all orders together) takes
``r`` uniform in ``[0, T)`` with ``T`` the tickets left, from the same HMAC derivation as a rate draw
(``SeededSource``: fan, client seed, nonce, slot); the prize is the first one whose cumulative *remaining*
count exceeds ``r`` and the ticket is that prize's lowest ticket not yet taken (a prize's tickets are
interchangeable, so the lowest is the canonical choice). Whoever takes position ``N - 1`` (the last ticket)
also receives the last-one prize.

A box's state is ``(drawn, remaining per prize)``; everything in an order's proof follows from the state
at the order's start, and the state after it is the start of the next order (by position), so the whole
box replays from the revealed seed (``replay``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

BOX_FORMAT = "oshi-box/1"
ORDER_FORMAT = "oshi-box-order/1"
LAST_ONE_ID = "last"
MAX_TICKETS = 5000


class BoxError(ValueError):
    pass


class NotEnoughTickets(BoxError):
    def __init__(self, left: int, wanted: int):
        self.left, self.wanted = left, wanted
        super().__init__(f"{wanted} tickets wanted, {left} left")


class Source(Protocol):
    def uniform(self, total: int, slot: int) -> tuple[int, int]: ...


@dataclass(frozen=True)
class BoxPrize:
    prize_id: str
    rarity: str
    count: int


@dataclass(frozen=True)
class Box:
    prizes: tuple[BoxPrize, ...]
    last_one: tuple[str, str] | None  # (prize_id, rarity)

    @property
    def total(self) -> int:
        return sum(p.count for p in self.prizes)

    def starts(self) -> dict[str, int]:
        out, running = {}, 0
        for p in self.prizes:
            out[p.prize_id] = running
            running += p.count
        return out

    def full(self) -> dict[str, int]:
        return {p.prize_id: p.count for p in self.prizes}

    def rarity_of(self, prize_id: str) -> str:
        if self.last_one is not None and prize_id == self.last_one[0]:
            return self.last_one[1]
        return next(p.rarity for p in self.prizes if p.prize_id == prize_id)

    def document(self) -> dict[str, Any]:
        return {
            "format": BOX_FORMAT,
            "tickets": [{"prize_id": p.prize_id, "rarity": p.rarity, "count": p.count} for p in self.prizes],
            "last_one": (
                {"prize_id": self.last_one[0], "rarity": self.last_one[1]} if self.last_one else None
            ),
        }

    def hash(self) -> str:
        return document_hash(self.document())


def canonical_json(document: Any) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def document_hash(document: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(document)).hexdigest()


def is_box_document(document: Any) -> bool:
    return isinstance(document, Mapping) and document.get("format") == BOX_FORMAT


def from_document(document: Mapping[str, Any]) -> Box:
    if not is_box_document(document) or set(document) != {"format", "tickets", "last_one"}:
        raise BoxError("a box document has exactly format, tickets and last_one")
    prizes = []
    for t in document["tickets"]:
        if set(t) != {"prize_id", "rarity", "count"} or type(t["count"]) is not int or t["count"] < 1:
            raise BoxError(f"bad ticket entry {t!r}")
        prizes.append(BoxPrize(str(t["prize_id"]), str(t["rarity"]), t["count"]))
    if not prizes or len({p.prize_id for p in prizes}) != len(prizes):
        raise BoxError("a box needs prizes with unique ids")
    last = document["last_one"]
    last_one = (str(last["prize_id"]), str(last["rarity"])) if last else None
    box = Box(tuple(prizes), last_one)
    if box.total > MAX_TICKETS:
        raise BoxError(f"a box holds at most {MAX_TICKETS} tickets")
    return box


@dataclass(frozen=True)
class BoxDraw:
    slot: int
    position: int  # the ticket's place in the box's sequence of draws: 0 .. N-1
    total: int  # tickets left before this draw
    r: int
    attempts: int
    ticket: int  # the ticket index in the committed box
    prize_id: str

    def to_json(self) -> dict[str, Any]:
        return {
            "slot": self.slot,
            "position": self.position,
            "total": self.total,
            "r": self.r,
            "attempts": self.attempts,
            "ticket": self.ticket,
            "prize_id": self.prize_id,
        }


def pick(box: Box, remaining: Mapping[str, int], r: int) -> str:
    running = 0
    for p in box.prizes:
        running += remaining.get(p.prize_id, 0)
        if r < running:
            return p.prize_id
    raise BoxError(f"r={r} is beyond the tickets left")


def draw(
    box: Box, remaining: Mapping[str, int], drawn: int, count: int, source: Source
) -> tuple[tuple[BoxDraw, ...], dict[str, int]]:
    """Take ``count`` tickets from the box in state ``(drawn, remaining)``; the draws and the state after."""
    left = dict(remaining)
    total = sum(left.values())
    if total != box.total - drawn:
        raise BoxError(f"state is inconsistent: {total} left after {drawn} of {box.total}")
    if count > total:
        raise NotEnoughTickets(total, count)
    starts, full = box.starts(), box.full()
    out = []
    for slot in range(count):
        r, attempts = source.uniform(total, slot)
        prize_id = pick(box, left, r)
        ticket = starts[prize_id] + full[prize_id] - left[prize_id]
        out.append(BoxDraw(slot, drawn + slot, total, r, attempts, ticket, prize_id))
        left[prize_id] -= 1
        total -= 1
    return tuple(out), left


def takes_last(box: Box, draws: Sequence[BoxDraw]) -> bool:
    return box.last_one is not None and any(d.position == box.total - 1 for d in draws)


def order_document(
    *,
    box: Box,
    commitment: str,
    fan_id: str,
    client_seed: str,
    nonce: int,
    remaining_before: Mapping[str, int],
    draws: Sequence[BoxDraw],
    gacha_id: str,
    order_id: str,
) -> dict[str, Any]:
    """The proof of one box order (what the fan keeps; the box's public log holds the same documents)."""
    return {
        "format": ORDER_FORMAT,
        "commitment": commitment,
        "box": box.document(),
        "box_hash": box.hash(),
        "fan_id": fan_id,
        "client_seed": client_seed,
        "nonce": nonce,
        "start_position": draws[0].position,
        "remaining_before": [
            {"prize_id": p.prize_id, "remaining": int(remaining_before.get(p.prize_id, 0))}
            for p in box.prizes
        ],
        "draws": [d.to_json() for d in draws],
        "last_one": (
            {"prize_id": box.last_one[0], "position": box.total - 1}
            if box.last_one and takes_last(box, draws)
            else None
        ),
        "gacha_id": gacha_id,
        "order_id": order_id,
    }
