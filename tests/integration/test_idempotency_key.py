"""One Idempotency-Key rule (oshi.kernel.idempotency), one error: the purchase and the trade refuse the
same malformed keys with the same 400 IDEMPOTENCY_KEY_REQUIRED, a trailing newline included."""

from __future__ import annotations

from typing import Any

import pytest
from exchange_support import create_item, give_medals, shop
from exchange_support import fan as exchange_fan
from payment_support import (
    fan,
    gacha_on_sale,
    standins_fixture,  # noqa: F401
)
from support import Api

from local.standins import Standins
from oshi.kernel import idempotency
from oshi.kernel.errors import IdempotencyKeyRequired
from oshi.models.exchange import Exchange
from oshi.models.orders import Order

MALFORMED = ["retry-1\n", "retry 1", "tab\tkey", "x" * 101, "caf\u00e9", "\n"]


def _purchase(api: Api, token: str, gacha_id: str, key: str) -> Any:
    return api.post(
        "/api/gacha/purchase",
        token=token,
        json_body={"gacha_id": gacha_id, "count": 1, "provider": "stripe", "payment_method": "card"},
        headers={"Idempotency-Key": key},
    )


def _trade(api: Api, token: str, item_id: str, key: str) -> Any:
    return api.post(
        "/api/exchange/trade",
        token=token,
        json_body={"item_id": item_id, "quantity": 1},
        headers={"Idempotency-Key": key},
    )


def _error(response: Any) -> tuple[int, str, Any]:
    error = response.json()["error"]
    return response.status, error["code"], error.get("details")


@pytest.mark.parametrize("key", MALFORMED, ids=repr)
def test_the_rule(key: str) -> None:
    with pytest.raises(IdempotencyKeyRequired):
        idempotency.required(key)
    with pytest.raises(IdempotencyKeyRequired):
        idempotency.optional(key)


def test_the_rule_accepts_printable_ascii_up_to_100_and_an_absent_optional_key() -> None:
    assert idempotency.required("!" + "~" * 99) == "!" + "~" * 99
    assert idempotency.optional(None) is None
    for missing in (None, ""):
        with pytest.raises(IdempotencyKeyRequired):
            idempotency.required(missing)


def test_both_routes_refuse_a_malformed_key_with_the_same_error(api: Api, standins: Standins) -> None:
    sale = gacha_on_sale(api)
    s = shop(api, "vt-2")
    item = create_item(api, s)
    give_medals("fan-1", s.vt.vtuber_id, 100)
    token = fan("fan-1")
    for key in MALFORMED:
        bought = _purchase(api, token, sale.gacha_id, key)
        traded = _trade(api, exchange_fan("fan-1"), item["item_id"], key)
        assert _error(bought)[:2] == (400, "IDEMPOTENCY_KEY_REQUIRED"), (key, bought.body)
        assert _error(bought) == _error(traded), key
        assert _error(bought)[2] == [{"field": "Idempotency-Key", "message": idempotency.RULE}]
    assert list(Order.scan()) == [] and list(Exchange.scan()) == []  # nothing reserved, nothing traded
    assert standins.stripe.sessions == {}


def test_a_trailing_newline_is_not_the_same_key(api: Api, standins: Standins) -> None:
    sale = gacha_on_sale(api)
    token = fan("fan-1")
    assert _purchase(api, token, sale.gacha_id, "retry-1").status == 201
    again = _purchase(api, token, sale.gacha_id, "retry-1\n")
    assert _error(again)[:2] == (400, "IDEMPOTENCY_KEY_REQUIRED")  # $ used to let it through as a new key
