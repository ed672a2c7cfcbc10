"""A KOMOJU stand-in: hosted sessions, payments, refunds, and signed webhooks to the gateway.

API (HTTP Basic, secret key as user name; ``X-KOMOJU-IDEMPOTENCY`` honoured): ``POST /api/v1/sessions``,
``GET /api/v1/sessions/{id}``, ``POST /api/v1/payments/{id}/refund``. Demo: ``GET /sessions/{id}/pay``
(the hosted page a person uses: its buttons post to ``/sessions/{id}/complete``, which pays and
303-redirects to ``return_url?session_id=...``, or issues a konbini slip and shows its deadline) and
``POST /_demo/pay/{session id}`` with ``outcome`` = success | async_success | async_fail | expire |
pending (konbini: ``payment.authorized`` when the slip is issued, then ``payment.captured`` or
``payment.expired``; ``pending`` stops after the slip, a later async_* settles it). Deliveries carry ``X-Komoju-Signature`` (hex HMAC-SHA256 of the raw body),
``X-Komoju-ID`` (per delivery) and ``X-Komoju-Event``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import re
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from local.standins import defaults
from local.standins.server import Deliver, Reply, Request, Route, StandinServer, page, with_query

# "pending": a konbini slip is issued (payment.authorized, with its deadline) and nothing else happens yet;
# a later async_success / async_fail settles it.
OUTCOMES = ("success", "async_success", "async_fail", "expire", "pending")
KONBINI_DAYS = 3


def sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _error(status: int, code: str, message: str) -> Reply:
    return Reply.of(status, {"error": {"code": code, "message": message}})


def _payment_details(method: str) -> dict[str, Any]:
    if method != "konbini":
        return {"type": method}
    return {  # the shape KOMOJU returns for a konbini slip (store, receipt, instructions)
        "type": "konbini",
        "store": "lawson",
        "receipt": secrets.token_hex(4).upper(),
        "instructions_url": "https://komoju.example/instructions/lawson",
    }


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class KomojuStandin(StandinServer):
    name = "komoju-standin"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = defaults.KOMOJU_PORT,
        *,
        deliver: Deliver,
        api_key: str = defaults.KOMOJU_API_KEY,
        webhook_secret: str = defaults.KOMOJU_WEBHOOK_SECRET,
    ) -> None:
        self.api_key, self.webhook_secret = api_key, webhook_secret
        self.sessions: dict[str, dict[str, Any]] = {}
        self.payments: dict[str, dict[str, Any]] = {}
        self.events: dict[str, dict[str, Any]] = {}
        self.deliveries: list[tuple[str, str, int]] = []
        self._idempotent: dict[str, Reply] = {}
        super().__init__(host, port, deliver)

    def routes(self) -> list[Route]:
        return [
            ("POST", re.compile(r"/api/v1/sessions"), self.create_session),
            ("GET", re.compile(r"/api/v1/sessions/([\w-]+)"), self.get_session),
            ("POST", re.compile(r"/api/v1/payments/([\w-]+)/refund"), self.refund),
            ("GET", re.compile(r"/sessions/([\w-]+)/pay"), self.checkout_page),
            ("POST", re.compile(r"/sessions/([\w-]+)/complete"), self.complete_checkout),
            ("POST", re.compile(r"/_demo/pay/([\w-]+)"), self.demo_pay),
        ]

    def _authorised(self, request: Request) -> bool:
        expected = "Basic " + base64.b64encode(f"{self.api_key}:".encode()).decode()
        return hmac.compare_digest(request.headers.get("authorization", ""), expected)

    def _idempotently(self, request: Request, make: Any) -> Reply:
        if not self._authorised(request):
            return _error(401, "unauthorized", "Invalid API key")
        key = request.headers.get("x-komoju-idempotency")
        with self.lock:
            if key and key in self._idempotent:
                return self._idempotent[key]
            reply: Reply = make(request.json())
            if key and reply.status < 500:
                self._idempotent[key] = reply
            return reply

    def create_session(self, request: Request) -> Reply:
        def make(params: dict[str, Any]) -> Reply:
            session_id = secrets.token_hex(13)
            expires = datetime.now(UTC) + timedelta(seconds=int(params.get("expires_in_seconds") or 86400))
            session = {
                "id": session_id,
                "resource": "session",
                "mode": "payment",
                "amount": int(params["amount"]),
                "currency": params.get("currency", "JPY"),
                "external_order_num": (params.get("payment_data") or {}).get("external_order_num")
                or params.get("external_order_num"),
                "return_url": params.get("return_url"),
                "payment_types": params.get("payment_types") or ["credit_card"],
                "metadata": params.get("metadata") or {},
                "status": "pending",
                "payment": None,
                "session_url": f"{self.url}/sessions/{session_id}/pay",
                "expires_at": expires.isoformat().replace("+00:00", "Z"),
                "created_at": _now(),
            }
            self.sessions[session_id] = session
            return Reply.of(200, session)

        return self._idempotently(request, make)

    def get_session(self, request: Request, session_id: str) -> Reply:
        if not self._authorised(request):
            return _error(401, "unauthorized", "Invalid API key")
        session = self.sessions.get(session_id)
        if session is None:
            return _error(404, "not_found", "Session not found")
        return Reply.of(200, session)

    def refund(self, request: Request, payment_id: str) -> Reply:
        def make(params: dict[str, Any]) -> Reply:
            payment = self.payments.get(payment_id)
            if payment is None:
                return _error(404, "not_found", "Payment not found")
            if payment["status"] != "captured":
                return _error(422, "not_refundable", f"payment is {payment['status']}")
            if payment["payment_details"]["type"] == "konbini":
                return _error(422, "refund_request_required", "konbini payments need a refund request")
            refund = {"id": secrets.token_hex(13), "amount": int(params.get("amount") or payment["amount"])}
            payment["refunds"].append(refund)
            payment["status"] = "refunded"
            snapshot = dict(payment)
            self.later(lambda: self._send("payment.refunded", snapshot))
            return Reply.of(200, payment)

        return self._idempotently(request, make)

    def checkout_page(self, request: Request, session_id: str) -> Reply:
        """The hosted page a person sees: pay now, or (konbini) take a slip and pay later."""
        session = self.sessions.get(session_id)
        if session is None:
            return Reply.html(404, page("Not found", "<h1>No such session</h1>", lang="en"))
        amount = f"¥{int(session['amount']):,}"
        konbini = "konbini" in session["payment_types"]
        buttons = [("success", f"今すぐ {amount} を支払う (Pay {amount} now)")]
        if konbini:
            buttons = [
                ("async_success", f"コンビニで今すぐ {amount} を支払う (Pay {amount} at the konbini now)"),
                ("pending", f"払込票を発行して後で支払う (Get a slip, pay within {KONBINI_DAYS} days)"),
            ]
        form = "".join(
            f'<p><button type="submit" name="outcome" value="{value}"'
            f"{' class=secondary' if index else ''}>{html.escape(label)}</button></p>"
            for index, (value, label) in enumerate(buttons)
        )
        body = (
            "<h1>KOMOJU stand-in: お支払い</h1>"
            "<p>A local stand-in for KOMOJU's hosted page. No money moves.</p>"
            f"<dl><dt>Order</dt><dd>{html.escape(str(session['external_order_num']))}</dd>"
            f"<dt>Amount</dt><dd>{amount}</dd>"
            f"<dt>Method</dt><dd>{html.escape(', '.join(session['payment_types']))}</dd></dl>"
            f'<form method="post" action="/sessions/{session_id}/complete">{form}</form>'
        )
        return_url = session.get("return_url")
        if return_url:
            back = with_query(str(return_url), session_id=session_id)
            body += f'<p><a class="button secondary" href="{html.escape(back)}">キャンセルして戻る (Cancel)</a></p>'
        return Reply.html(200, page(f"KOMOJU: {amount}", body))

    def complete_checkout(self, request: Request, session_id: str) -> Reply:
        """The hosted page's buttons: pay through the demo path, then return the browser (303), as KOMOJU
        does, to ``return_url`` with ``session_id`` appended; a konbini slip shows its deadline first."""
        session = self.sessions.get(session_id)
        if session is None:
            return Reply.html(404, page("Not found", "<h1>No such session</h1>", lang="en"))
        outcome = request.form().get("outcome", "success")
        if outcome not in ("success", "async_success", "pending"):
            return _error(400, "bad_request", "outcome must be success, async_success or pending")
        self.pay(session_id, outcome)
        back = with_query(str(session.get("return_url") or ""), session_id=session_id)
        if outcome != "pending":
            return Reply.see_other(back)
        payment = session["payment"] or {}
        details = payment.get("payment_details") or {}
        body = (
            "<h1>払込票を発行しました (Konbini slip issued)</h1>"
            f"<dl><dt>お支払い期限 (deadline)</dt><dd><strong>{html.escape(str(payment.get('payment_deadline')))}</strong></dd>"
            f"<dt>Store</dt><dd>{html.escape(str(details.get('store')))}</dd>"
            f"<dt>Receipt number</dt><dd>{html.escape(str(details.get('receipt')))}</dd></dl>"
            "<p>The order stays pending until it is paid; the demo settles it with "
            f"<code>POST /_demo/pay/{session_id}</code> and <code>outcome=async_success</code>.</p>"
            f'<p><a class="button" href="{html.escape(back)}">ショップに戻る (Back to the shop)</a></p>'
        )
        return Reply.html(200, page("Konbini slip issued", body))

    def demo_pay(self, request: Request, session_id: str) -> Reply:
        params = dict(request.query)
        if request.body:
            content_type = request.headers.get("content-type", "")
            params.update(request.json() if "json" in content_type else request.form())
        outcome = str(params.get("outcome", "success"))
        if outcome not in OUTCOMES:
            return _error(400, "bad_request", f"outcome must be one of {OUTCOMES}")
        delivered = self.pay(
            session_id, outcome, amount=int(params["amount"]) if params.get("amount") else None
        )
        if delivered is None:
            return _error(404, "not_found", "Session not found")
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
        plan: list[tuple[str, dict[str, Any]]] = []
        with self.lock:
            session = self.sessions.get(session_id)
            if session is None:
                return None
            method = session["payment_types"][0]
            slip_issued = bool(session["payment"]) and session["payment"]["status"] == "authorized"
            payment = session["payment"] or {
                "id": secrets.token_hex(13),
                "resource": "payment",
                "status": "pending",
                "amount": session["amount"] if amount is None else amount,
                "tax": 0,
                "currency": session["currency"],
                "external_order_num": session["external_order_num"],
                "metadata": session["metadata"],
                "payment_details": _payment_details(method),
                "payment_deadline": (
                    (datetime.now(UTC) + timedelta(days=KONBINI_DAYS)).isoformat().replace("+00:00", "Z")
                    if method == "konbini"
                    else None
                ),
                "refunds": [],
                "session": session_id,
                "created_at": _now(),
            }
            session["payment"] = payment
            self.payments[payment["id"]] = payment
            if outcome == "success":
                payment["status"] = "captured"
                session["status"] = "completed"
                plan.append(("payment.captured", dict(payment)))
            elif outcome == "expire":
                payment["status"] = "expired"
                plan.append(("payment.expired", dict(payment)))
            else:
                if not slip_issued:  # after "pending" the slip exists: only the settlement follows
                    payment["status"] = "authorized"  # konbini: slip issued, money not yet paid
                    session["status"] = "completed"
                    plan.append(("payment.authorized", dict(payment)))
                if outcome == "pending":
                    return [self._send(event_type, obj) for event_type, obj in plan]
                payment["status"] = "captured" if outcome == "async_success" else "expired"
                plan.append(
                    ("payment.captured" if outcome == "async_success" else "payment.expired", dict(payment))
                )
        return [self._send(event_type, obj) for event_type, obj in plan]

    def event(self, event_type: str, payment: dict[str, Any]) -> dict[str, Any]:
        event: dict[str, Any] = {
            "id": secrets.token_hex(13),
            "type": event_type,
            "resource": "event",
            "data": payment,
            "created_at": _now(),
            "reason": None,
        }
        self.events[event["id"]] = event
        return event

    def deliver_event(self, event: dict[str, Any]) -> int:
        body = json.dumps(event).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Komoju-Signature": sign(body, self.webhook_secret),
            "X-Komoju-ID": str(uuid.uuid4()),
            "X-Komoju-Event": event["type"],
        }
        status = self.deliver(defaults.KOMOJU_WEBHOOK_PATH, body, headers)
        self.deliveries.append((event["id"], event["type"], status))
        return status

    def _send(self, event_type: str, payment: dict[str, Any]) -> tuple[str, str, int]:
        event = self.event(event_type, payment)
        return event["id"], event_type, self.deliver_event(event)
