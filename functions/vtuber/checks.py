"""The console's body checks as plain functions, without pydantic: the models in ``vtuber.schemas`` use
them (``model_validator``) and the light check (``oshi.web.light_bodies``) calls the same functions, so a
write route checks a well-formed body without importing pydantic."""

from __future__ import annotations

from typing import Any

from oshi.catalogue import lineup


def refuse_complete_gacha(data: Any) -> Any:
    """The raw body as it is, or its one error when a key at any depth would tie a grant to collecting a
    set (``lineup.complete_gacha_fields``): named as such rather than as an unknown field."""
    found = lineup.complete_gacha_fields(data)
    if found:
        from pydantic_core import PydanticCustomError  # the 422's own error type; only on a refusal

        raise PydanticCustomError(
            "complete_gacha_forbidden",
            "Granting anything for collecting a set of random prizes (complete gacha) is prohibited: {fields}",
            {"fields": ", ".join(p["field"] for p in found)},
        )
    return data
