"""DynamoDB round trips per exchange trade and per download URL, counted by a botocore event hook.

    .venv/bin/python -m bench.roundtrips_exchange

In-process moto: an approved VTuber, a validated asset, an exchange item, a fan with medals. Counts
the DynamoDB API calls (``before-call.dynamodb`` on every client that talks to DynamoDB) of: a warm
trade, a retried trade (same Idempotency-Key), a refused trade (insufficient medals), and a download URL.
The integration tests assert the same numbers with ``count_dynamodb_calls``.
"""

from __future__ import annotations

from bench.dynamodb_calls import count_dynamodb_calls, use_in_process_moto


def main() -> None:
    use_in_process_moto()
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    for path in ("layers/common", "functions", ".", "tests", "tests/integration"):
        sys.path.insert(0, str(root / path))

    from moto import mock_aws

    with mock_aws():
        from exchange_support import create_item, fan, give_medals, put_reward, shop
        from support import Api

        from local.provision import provision
        from oshi.identity import tokens
        from oshi.kernel.aws import reset_clients
        from oshi.kernel.ids import new_id
        from oshi.kernel.settings import get_settings
        from oshi.rewards import exchange

        reset_clients()
        tokens.forget_keys()
        provision(get_settings())
        api = Api()
        s = shop(api)
        item = create_item(api, s, cost=10, per_user_limit=100)
        give_medals("bench-fan", s.vt.vtuber_id, 1000)
        reward = put_reward("bench-fan", s)
        exchange.trade("bench-fan", item["item_id"], 1, new_id())  # warms the item's terms
        figures = {}
        key = new_id()
        with count_dynamodb_calls() as counter:
            exchange.trade("bench-fan", item["item_id"], 1, key)
        figures["trade (warm, happy path)"] = counter
        with count_dynamodb_calls() as counter:
            exchange.trade("bench-fan", item["item_id"], 1, key)
        figures["trade retried with the same Idempotency-Key"] = counter
        give_medals("poor-fan", s.vt.vtuber_id, 1)
        with count_dynamodb_calls() as counter:
            try:
                exchange.trade("poor-fan", item["item_id"], 1, new_id())
            except Exception as refused:  # noqa: BLE001 - the refusal is the point
                assert type(refused).__name__ == "InsufficientMedals"
        figures["trade refused (insufficient medals, with the shortfall)"] = counter
        with count_dynamodb_calls() as counter:
            response = api.post(
                "/api/rewards/download-url", token=fan("bench-fan"), json_body={"reward_id": reward.reward_id}
            )
            assert response.status == 200, response.body
        figures["download URL (through the handler)"] = counter
    print("DynamoDB round trips (botocore before-call events):")
    for label, c in figures.items():
        print(f"  {label:58} {c.total}  {dict(c.calls)}")


if __name__ == "__main__":
    main()
