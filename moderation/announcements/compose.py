"""Text from outside (the timetable office, a teacher) as one plain line, kept short for chat."""

from __future__ import annotations

import unicodedata

DESCRIPTION_LIMIT = 200  # a remark from the timetable office, kept short in chat
NEWS_LIMIT = 1500


def clean(text: str, limit: int) -> str:
    """Text from the timetable as one plain line: control and format characters out, whitespace folded."""
    kept = "".join(" " if unicodedata.category(c).startswith(("C", "Z")) else c for c in text)
    flat = " ".join(kept.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
