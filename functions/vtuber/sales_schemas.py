"""The VTuber's sales report (``oshi.commerce.sales.report``) as a response model (apart from ``schemas``,
whose line-up imports the sales handler does not need)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from oshi.web.schemas import IsoDateTime, Strict


class Refunded(Strict):
    orders: int
    amount: int = Field(description="Integer JPY")


class TopPrize(Strict):
    gacha_id: str
    prize_id: str
    name: str
    drawn: int


class SalesDay(Strict):
    date: dt.date = Field(description="A Japan (JST) day")
    revenue: int = Field(description="Integer JPY")
    draws: int
    orders: int


class SalesReport(Strict):
    """Paid, not refunded orders between ``since`` and ``until``; refunds are reported apart."""

    vtuber_id: str
    since: IsoDateTime
    until: IsoDateTime
    currency: Literal["JPY"]
    revenue: int = Field(description="Integer JPY")
    draws: int
    orders: int
    fans: int = Field(description="Distinct paying fans")
    refunded: Refunded
    top_prizes: list[TopPrize] = Field(description="Most drawn first")
    per_day: list[SalesDay] = Field(description="Days with sales, oldest first")
