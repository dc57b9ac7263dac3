"""A text cut to the length a platform allows in one place, with a mark at its end that says it was cut."""

from __future__ import annotations

CUT = "…"  # the end of a text too long for its place


def cut(text: str, limit: int) -> str:
    """`text`, or as much of it as fits in `limit` characters with CUT at its end."""
    return text if len(text) <= limit else text[: limit - len(CUT)] + CUT
