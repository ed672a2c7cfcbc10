"""A Stripe stand-in: enough of the API for the ``stripe`` library, and signed webhooks to the gateway.

API: ``POST /v1/checkout/sessions``, ``GET /v1/checkout/sessions/{id}``, ``POST /v1/refunds`` (Bearer
key, ``Idempotency-Key`` honoured). Demo: ``GET /checkout/{id}`` (the checkout page a person uses: its
button posts to ``/checkout/{id}/complete``, which pays and 303-redirects to the session's success URL,
or issues a konbini slip and shows its deadline) and ``POST /_demo/pay/{id}`` with ``outcome`` =
success | async_success | async_fail | expire | pending (query or form; ``amount`` overrides the paid
amount, to demonstrate a mismatch; ``pending`` issues a konbini slip that a later async_* settles). Each delivery carries
``Stripe-Signature: t=<unix>,v1=<HMAC-SHA256 of "t.body">``.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import re
import secrets
import time
from typing import Any

from local.standins import defaults
from local.standins.server import Deliver, Reply, Request, Route, StandinServer, nested, page

# "pending": a konbini slip is issued (checkout.session.completed, unpaid) and nothing else happens yet;
# a later async_success / async_fail settles it.
OUTCOMES = ("success", "async_success", "async_fail", "expire", "pending")
KONBINI_SLIP_DAYS = 3


def sign(body: bytes, secret: str, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def _error(status: int, message: str, kind: str = "invalid_request_error") -> Reply:
    return Reply.of(status, {"error": {"type": kind, "message": message}})


class StripeStandin(StandinServer):
    name = "stripe-standin"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = defaults.STRIPE_PORT,
        *,
        deliver: Deliver,
        api_key: str = defaults.STRIPE_API_KEY,
        webhook_secret: str = defaults.STRIPE_WEBHOOK_SECRET,
    ) -> None:
        self.api_key, self.webhook_secret = api_key, webhook_secret
        self.sessions: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.events: dict[str, dict[str, Any]] = {}
        self.deliveries: list[tuple[str, str, int]] = []  # (event id, type, gateway status)
        self._idempotent: dict[str, Reply] = {}
        super().__init__(host, port, deliver)

    def routes(self) -> list[Route]:
        return [
            ("POST", re.compile(r"/v1/checkout/sessions"), self.create_session),
            ("GET", re.compile(r"/v1/checkout/sessions/([\w-]+)"), self.get_session),
            ("POST", re.compile(r"/v1/refunds"), self.create_refund),
            ("GET", re.compile(r"/checkout/([\w-]+)"), self.checkout_page),
            ("POST", re.compile(r"/checkout/([\w-]+)/complete"), self.complete_checkout),
            ("POST", re.compile(r"/_demo/pay/([\w-]+)"), self.demo_pay),
        ]

    # --- API ------------------------------------------------------------------------------------------
    def _authorised(self, request: Request) -> bool:
        return hmac.compare_digest(request.headers.get("authorization", ""), f"Bearer {self.api_key}")

    def _idempotently(self, request: Request, make: Any) -> Reply:
        if not self._authorised(request):
            return _error(401, "Invalid API Key provided", "authentication_error")
        key = request.headers.get("idempotency-key")
        with self.lock:
            if key and key in self._idempotent:
                return self._idempotent[key]
            reply: Reply = make(nested(request.form()))
            if key and reply.status < 500:
                self._idempotent[key] = reply
            return reply

    def create_session(self, request: Request) -> Reply:
        def make(params: dict[str, Any]) -> Reply:
            items = params.get("line_items") or []
            amount = sum(
                int(item["price_data"]["unit_amount"]) * int(item.get("quantity", 1)) for item in items
            )
            session_id = "cs_test_" + secrets.token_hex(12)
            expires_at = int(params.get("expires_at") or time.time() + 86400)
            session = {
                "id": session_id,
                "object": "checkout.session",
                "mode": params.get("mode", "payment"),
                "amount_total": amount,
                "currency": (items[0]["price_data"]["currency"] if items else "jpy"),
                "client_reference_id": params.get("client_reference_id"),
                "metadata": params.get("metadata") or {},
                "payment_method_types": params.get("payment_method_types") or ["card"],
                "payment_intent": None,
                "payment_status": "unpaid",
                "status": "open",
                "success_url": params.get("success_url"),
                "cancel_url": params.get("cancel_url"),
                "expires_at": expires_at,
                "created": int(time.time()),
                "livemode": False,
                "url": f"{self.url}/checkout/{session_id}",
            }
            self.sessions[session_id] = {
                **session,
                "_pi_metadata": (params.get("payment_intent_data") or {}).get("metadata") or {},
            }
            return Reply.of(200, session)

        return self._idempotently(request, make)

    def get_session(self, request: Request, session_id: str) -> Reply:
        if not self._authorised(request):
            return _error(401, "Invalid API Key provided", "authentication_error")
        session = self.sessions.get(session_id)
        if session is None:
            return _error(404, f"No such checkout.session: '{session_id}'")
        return Reply.of(200, self._public(session))

    def create_refund(self, request: Request) -> Reply:
        def make(params: dict[str, Any]) -> Reply:
            intent = params.get("payment_intent")
            session = next((s for s in self.sessions.values() if s["payment_intent"] == intent), None)
            if session is None or session["payment_status"] != "paid":
                return _error(400, f"No such payment_intent: '{intent}'")
            if session.get("_refund"):
                return _error(400, f"Charge for {intent} has already been refunded.")
            refund = {
                "id": "re_" + secrets.token_hex(12),
                "object": "refund",
                "amount": session["_paid_amount"],
                "currency": session["currency"],
                "payment_intent": intent,
                "metadata": params.get("metadata") or {},
                "status": "succeeded",
            }
            session["_refund"] = refund
            self.refunds[refund["id"]] = refund
            self.later(lambda: self._send("charge.refunded", self._charge(session)))
            return Reply.of(200, refund)

        return self._idempotently(request, make)

    # --- demo -----------------------------------------------------------------------------------------
    def checkout_page(self, request: Request, session_id: str) -> Reply:
        """The page a person sees after "buy": one button that pays (card) or issues a konbini slip."""
        session = self.sessions.get(session_id)
        if session is None:
            return Reply.html(404, page("Not found", "<h1>No such checkout session</h1>", lang="en"))
        amount = f"¥{int(session['amount_total']):,}"
        konbini = "konbini" in session["payment_method_types"]
        action = (
            ("pending", f"コンビニ払いの番号を発行 (Get a konbini slip for {amount})")
            if konbini
            else ("success", f"カードで {amount} を支払う (Pay {amount} by card)")
        )
        cancel = session.get("cancel_url")
        body = (
            "<h1>Stripe stand-in: checkout</h1>"
            "<p>A local stand-in for Stripe Checkout. No card is charged.</p>"
            f"<dl><dt>Order</dt><dd>{html.escape(str(session['client_reference_id']))}</dd>"
            f"<dt>Amount</dt><dd>{amount}</dd>"
            f"<dt>Method</dt><dd>{html.escape(', '.join(session['payment_method_types']))}</dd></dl>"
            f'<form method="post" action="/checkout/{session_id}/complete">'
            f'<button type="submit" name="outcome" value="{action[0]}">{html.escape(action[1])}</button></form>'
            + (
                f'<p><a class="button secondary" href="{html.escape(cancel)}">キャンセルして戻る (Cancel)</a></p>'
                if cancel
                else ""
            )
        )
        return Reply.html(200, page(f"Stripe checkout: {amount}", body))

    def complete_checkout(self, request: Request, session_id: str) -> Reply:
        """The checkout page's button: pay through the demo path, then send the browser back (303)."""
        session = self.sessions.get(session_id)
        if session is None:
            return Reply.html(404, page("Not found", "<h1>No such checkout session</h1>", lang="en"))
        outcome = request.form().get("outcome", "success")
        if outcome not in ("success", "pending"):
            return _error(400, "outcome must be success or pending")
        self.pay(session_id, outcome)
        success = str(session.get("success_url") or "")
        if outcome == "success":
            return Reply.see_other(success) if success else Reply.html(200, page("Paid", "<h1>Paid</h1>"))
        deadline = time.strftime(
            "%Y-%m-%d 23:59 JST", time.gmtime(time.time() + 9 * 3600 + KONBINI_SLIP_DAYS * 86400)
        )
        body = (
            "<h1>コンビニ払いの番号を発行しました</h1>"
            f"<p>お支払い期限 (deadline): <strong>{deadline}</strong>. "
            "Until it is paid the order stays pending; the demo settles it with "
            f"<code>POST /_demo/pay/{session_id}</code> and <code>outcome=async_success</code>.</p>"
            + (
                f'<p><a class="button" href="{html.escape(success)}">ショップに戻る (Back to the shop)</a></p>'
                if success
                else ""
            )
        )
        return Reply.html(200, page("Konbini slip issued", body))

    def demo_pay(self, request: Request, session_id: str) -> Reply:
        params = {**request.query, **(request.form() if request.body else {})}
        outcome = params.get("outcome", "success")
        if outcome not in OUTCOMES:
            return _error(400, f"outcome must be one of {OUTCOMES}")
        delivered = self.pay(
            session_id, outcome, amount=int(params["amount"]) if params.get("amount") else None
        )
        if delivered is None:
            return _error(404, f"No such checkout.session: '{session_id}'")
        if "text/html" in request.headers.get("accept", ""):
            items = "".join(f"<li>{html.escape(t)}: gateway answered {s}</li>" for _, t, s in delivered)
            return Reply.html(200, f"<h1>{html.escape(outcome)}</h1><ul>{items}</ul>")
        return Reply.of(
            200,
            {
                "session": session_id,
                "delivered": [{"event": e, "type": t, "status": s} for e, t, s in delivered],
            },
        )

    def pay(
        self, session_id: str, outcome: str, *, amount: int | None = None
    ) -> list[tuple[str, str, int]] | None:
        """Play out one checkout and deliver its webhooks in order; returns what the gateway answered."""
        plan: list[tuple[str, dict[str, Any]]] = []
        with self.lock:  # not held while delivering: the gateway may call back (refunds)
            session = self.sessions.get(session_id)
            if session is None:
                return None
            slip_issued = session["status"] == "complete" and session["payment_status"] == "unpaid"
            if outcome == "expire":
                session.update(status="expired")
                plan.append(("checkout.session.expired", self._public(session)))
            else:
                session.update(
                    status="complete",
                    payment_intent=session["payment_intent"] or "pi_" + secrets.token_hex(12),
                    _paid_amount=session["amount_total"] if amount is None else amount,
                )
                paid = {
                    **self._public(session),
                    "amount_total": session["_paid_amount"],
                    "payment_status": "paid",
                }
                unpaid = {**paid, "payment_status": "unpaid"}
                if outcome == "success":
                    session["payment_status"] = "paid"
                    plan.append(("checkout.session.completed", paid))
                else:
                    if not slip_issued:  # after "pending" the slip exists: only the settlement follows
                        plan.append(("checkout.session.completed", unpaid))
                    if outcome == "async_success":
                        session["payment_status"] = "paid"
                        plan.append(("checkout.session.async_payment_succeeded", paid))
                    elif outcome == "async_fail":
                        plan.append(("checkout.session.async_payment_failed", unpaid))
        return [self._send(event_type, obj) for event_type, obj in plan]

    # --- events ---------------------------------------------------------------------------------------
    def _public(self, session: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in session.items() if not k.startswith("_")}

    def _charge(self, session: dict[str, Any]) -> dict[str, Any]:
        refund = session.get("_refund")
        return {
            "id": "ch_" + session["payment_intent"][3:],
            "object": "charge",
            "amount": session["_paid_amount"],
            "amount_refunded": refund["amount"] if refund else 0,
            "currency": session["currency"],
            "payment_intent": session["payment_intent"],
            "metadata": session["_pi_metadata"],  # the PaymentIntent's metadata, as Stripe copies it
            "refunded": bool(refund),
            "refunds": {"object": "list", "data": [refund] if refund else []},
        }

    def event(self, event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
        event: dict[str, Any] = {
            "id": "evt_" + secrets.token_hex(12),
            "object": "event",
            "api_version": "2025-01-27",
            "created": int(time.time()),
            "livemode": False,
            "type": event_type,
            "data": {"object": obj},
        }
        self.events[event["id"]] = event
        return event

    def deliver_event(self, event: dict[str, Any], *, timestamp: int | None = None) -> int:
        body = json.dumps(event).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": sign(body, self.webhook_secret, timestamp),
        }
        status = self.deliver(defaults.STRIPE_WEBHOOK_PATH, body, headers)
        self.deliveries.append((event["id"], event["type"], status))
        return status

    def _send(self, event_type: str, obj: dict[str, Any]) -> tuple[str, str, int]:
        event = self.event(event_type, obj)
        return event["id"], event_type, self.deliver_event(event)
