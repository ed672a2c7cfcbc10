"""DynamoDB round trips of one purchase and of one payment webhook, counted by a botocore event hook.

    .venv/bin/python -m bench.roundtrips_payment

Runs in-process against moto with the Stripe stand-in, through the same dispatcher as the local gateway
(authorizer included). The hook is ``before-call.dynamodb.*`` registered on every DynamoDB client the
code uses: PynamoDB builds one botocore client per model connection (``Model._get_connection()
.connection.client``), ``oshi.kernel.txn`` one for transactions, and ``oshi.kernel.aws`` one boto3 client.
"""

from __future__ import annotations

import os
from typing import Any

from bench.dynamodb_calls import count_dynamodb_calls, use_in_process_moto


def seed_sale(total_stock: int = 100) -> tuple[str, str]:
    """An approved VTuber's gacha on sale and a fan with a birth date: (gacha id, fan token)."""
    from datetime import UTC, datetime, timedelta

    from oshi.identity import tokens
    from oshi.identity.principal import Caller, Role
    from oshi.kernel.ids import new_id
    from oshi.models.gachas import PUBLIC_LISTING, Gacha
    from oshi.models.users import User
    from oshi.models.vtubers import Vtuber

    now = datetime.now(UTC)
    vtuber_id, gacha_id = new_id(), new_id()
    Vtuber(
        "bench-vt",
        vtuber_id=vtuber_id,
        status="approved",
        channel_name="Bench",
        channel_url="https://x.example",
        applied_at=now,
        updated_at=now,
    ).save()
    Gacha(
        gacha_id,
        vtuber_id=vtuber_id,
        owner_user_id="bench-vt",
        status="published",
        listing=PUBLIC_LISTING,
        title="Bench gacha",
        price_single=300,
        price_ten=3000,
        medals_per_draw=1,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
        total_stock=total_stock,
        sold_draws=0,
        prize_count=1,
        rate_table={},
        rate_table_version=1,
        rate_table_hash="-",
        version=1,
        created_at=now,
        updated_at=now,
    ).save()
    User(
        "bench-fan",
        email="f@example.com",
        email_normalized="f@example.com",
        display_name="f",
        birth_date="1990-01-01",
        terms_version="1",
        terms_accepted_at=now,
        created_at=now,
        roles={"fan"},
        password_hash="-",
    ).save()
    return gacha_id, tokens.issue_access_token(
        Caller("bench-fan", frozenset({Role.FAN}), False, email_verified=True), amr=["pwd"]
    )


def measure(stripe_standin: Any) -> dict[str, list[str]]:
    """Warm everything once, then count one purchase and the webhook that pays it."""
    import json

    from local.dispatch import dispatch
    from oshi.models.orders import Order

    gacha_id, token = seed_sale()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def buy(key: str) -> str:
        body = json.dumps({"gacha_id": gacha_id, "count": 1, "provider": "stripe", "payment_method": "card"})
        response = dispatch(
            "POST", "/api/gacha/purchase", headers={**headers, "Idempotency-Key": key}, body=body.encode()
        )
        assert response.status == 201, response.body
        return str(json.loads(response.body)["order_id"])

    def pay(session_id: str) -> None:
        [(_, _, status)] = stripe_standin.pay(session_id, "success")
        assert status == 200

    pay(Order.get(buy("warm-up")).provider_session_id)  # cold clients, secrets, imports: not measured
    with count_dynamodb_calls() as purchase_calls:
        order_id = buy("measured")
    session_id = Order.get(order_id).provider_session_id
    with count_dynamodb_calls() as webhook_calls:
        pay(session_id)
    return {"purchase": purchase_calls, "webhook": webhook_calls}


def main() -> None:
    use_in_process_moto()
    from moto import mock_aws

    from local.dispatch import dispatch
    from local.provision import provision
    from local.standins.stripe_standin import StripeStandin
    from oshi.kernel.settings import get_settings, reset_settings

    def deliver(path: str, body: bytes, headers: dict[str, str]) -> int:
        return dispatch("POST", path, headers=headers, body=body).status

    with mock_aws():
        stripe = StripeStandin("127.0.0.1", 0, deliver=deliver).start()
        os.environ["OSHI_STRIPE_API_BASE"] = stripe.url
        reset_settings()
        provision(get_settings())
        try:
            figures = measure(stripe)
        finally:
            stripe.stop()
    for name, calls in figures.items():
        print(f"{name:9} {len(calls)} DynamoDB round trips: {', '.join(calls)}")


if __name__ == "__main__":
    main()
