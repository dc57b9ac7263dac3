"""Reading the fields of a raw Matrix event, with an error that says which field is wrong."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime


class MalformedEvent(ValueError):
    """The event is not a usable message: says which field is wrong so the log line is clear."""


def required_str(event: Mapping[str, object], key: str) -> str:
    value = event.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedEvent(f"{key} is missing or not a string (got {type(value).__name__})")
    return value


def optional_str(mapping: Mapping[str, object], key: str, where: str) -> str | None:
    value = mapping.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedEvent(f"{where}.{key} is {type(value).__name__}, not a string")
    return value


def timestamp(value: object) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedEvent(f"origin_server_ts is {type(value).__name__}, not an integer")
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise MalformedEvent(f"origin_server_ts {value} is out of range") from None
