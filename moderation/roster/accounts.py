"""Platform accounts made from an export's columns by a pattern in the settings, e.g. `@{gebruikersnaam}:school.nl`.

A placeholder names a column (the export's name or ours, such as `email` or `username`); `{email.local}` is the
part of an e-mail address before the @. The result is lower-cased, as Matrix user ids are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)(?:\.(local|domain))?\}")


@dataclass(frozen=True, slots=True)
class AccountPattern:
    text: str

    def columns(self) -> set[str]:
        return {m.group(1) for m in _PLACEHOLDER.finditer(self.text)}

    def render(self, values: Mapping[str, str]) -> str | None:
        """The account for one row; None when a column it needs is empty in that row."""
        empty = False

        def fill(match: re.Match[str]) -> str:
            nonlocal empty
            value = values.get(match.group(1), "").strip()
            if match.group(2) is not None:
                local, _at, domain = value.partition("@")
                value = local if match.group(2) == "local" else domain
            empty = empty or not value
            return value

        rendered = _PLACEHOLDER.sub(fill, self.text)
        return None if empty else rendered.lower()


def check_pattern(text: str) -> str | None:
    """Why a pattern cannot work, for the settings; None when it is fine."""
    if not _PLACEHOLDER.search(text):
        return "it names no column, so every person would get the same account (use e.g. {gebruikersnaam})"
    leftover = _PLACEHOLDER.sub("", text)
    if "{" in leftover or "}" in leftover:
        return "a placeholder is not {column} or {column.local} (column names in lower case, _ for spaces)"
    return None
