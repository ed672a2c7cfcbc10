"""The gacha routes' answers in JSON form, without pydantic (``gacha.purchase_schemas`` and
``gacha.schemas`` document them; the tests check every answer against those models)."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from oshi.web.response import JsonObject
from oshi.web.shapes import json_datetime

if TYPE_CHECKING:  # types only: each route imports just the domain modules it reads
    from oshi.commerce.reconciliation import Report
    from oshi.draw.fairness_store import GachaStats
    from oshi.fulfilment.retry import RetryResult
    from oshi.models.orders import Order

# What ``GET /api/gachas/{gacha_id}/fairness`` says the proofs follow (``schemas.FairnessOut.algorithm``).
FAIRNESS_ALGORITHMS = "oshi-fairness/1, /2 (ceiling), oshi-box-order/1 (box) (docs/fairness.md)"


def _when(moment: Any) -> str | None:
    return None if moment is None else json_datetime(moment)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def order_payment(order: Order) -> JsonObject | None:
    """How the order is paid (``OrderPayment``), from what the provider gave at checkout."""
    if not order.provider_session_id:
        return None  # no checkout was created (the provider was unavailable)
    method = order.payment_method or "card"
    pending = order.status == "PENDING_PAYMENT"
    konbini = None
    if method == "konbini" and pending and order.payment_expires_at is not None:
        konbini = {
            "store": None,
            "deadline": json_datetime(order.payment_expires_at),
            "instructions_url": None,
        }
    return {"method": method, "checkout_url": order.redirect_url if pending else None, "konbini": konbini}


def order(o: Order, *, with_results: bool = False) -> JsonObject:
    """One order as ``OrderOut`` documents it; its draws and proof (as fulfilment stored them, every key of
    ``OrderResults``) only ``with_results`` and once FULFILLED."""
    pending = o.status == "PENDING_PAYMENT"
    fulfilled = with_results and o.status == "FULFILLED" and o.results is not None
    return {
        "order_id": o.order_id,
        "status": o.status,
        "gacha_id": o.gacha_id,
        "vtuber_id": o.vtuber_id,
        "count": int(o.count),
        "amount": int(o.amount),
        "currency": o.currency,
        "provider": o.provider,
        "payment_method": o.payment_method,
        "redirect_url": o.redirect_url if pending else None,
        "payment_expires_at": _when(o.payment_expires_at) if pending else None,
        "created_at": json_datetime(o.created_at),
        "paid_at": _when(o.paid_at),
        "fulfilled_at": _when(o.fulfilled_at),
        "refunded_at": _when(o.refunded_at),
        "failure_reason": o.failure_reason,
        "client_seed": o.client_seed,
        "medals_awarded": _int(o.medals_awarded),
        "list_price": _int(o.list_price),
        "medal_multiplier": _int(o.medal_multiplier),
        "payment": order_payment(o),
        "results": o.results if fulfilled else None,
    }


def order_page(
    orders: list[Order], next_cursor: str | None = None, *, with_results: bool = False
) -> JsonObject:
    """A page of orders (``OrderPage``)."""
    return {"items": [order(o, with_results=with_results) for o in orders], "next_cursor": next_cursor}


def reconciliation(report: Report) -> JsonObject:
    """``ReconciliationOut``: the rows are the report's own, already in JSON form."""
    return {
        "generated_at": json_datetime(report.generated_at),
        "stale_after_minutes": report.stale_after_minutes,
        "paid_orders": report.paid_orders,
        "totals": [asdict(row) for row in report.totals],
        "needs_attention": [dict(a) for a in report.needs_attention],
    }


def stats(gacha_id: str, result: GachaStats) -> JsonObject:
    """``StatsOut``: per prize, the stated rate against what was drawn (floats written as floats)."""
    return {
        "gacha_id": gacha_id,
        "draws_at_stated_rates": result.stated_draws,
        "other_draws": result.other_draws,
        "confidence": float(result.confidence),
        "final": result.final,
        "prizes": [
            {
                "prize_id": p.prize_id,
                "name": p.name,
                "rarity": p.rarity,
                "stated_rate": p.stated_ppm / 1_000_000,
                "stated_ppm": p.stated_ppm,
                "drawn": p.drawn,
                "observed_rate": None if p.observed_rate is None else float(p.observed_rate),
                "interval_low": float(p.interval_low),
                "interval_high": float(p.interval_high),
                "within_interval": not p.anomalous,
            }
            for p in result.prizes
        ],
    }


def refunded_order(o: Order) -> JsonObject:
    """An admin's refund as ``schemas.RefundOut`` documents it."""
    return {
        "order_id": o.order_id,
        "status": o.status,
        "provider_refund_id": o.provider_refund_id,
        "refund_reason": o.refund_reason,
        "medals_clawed_back": _int(o.medals_clawed_back),
        "medals_unrecovered": _int(o.medals_unrecovered),
    }


def retried_order(result: RetryResult) -> JsonObject:
    """An admin's retry as ``schemas.RetryOut`` documents it (``outcome``: ``fulfil.Outcome.status``)."""
    return {"order_id": result.order_id, "outcome": result.outcome, "status": result.status}
