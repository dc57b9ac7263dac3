"""What Discord accepts as a message's embeds (docs/resources/Message.md, "Embed Limits"): at most 10 embeds; a title
of at most 256 characters, a description of at most 4096, at most 25 fields (name 256, value 1024), a footer of 2048
and an author name of 256; and all of these together, over every embed of the message, at most 6000 characters.
Anything else is refused as Discord does, 400 with code 50035 "Invalid Form Body"."""

from __future__ import annotations

from typing import Any

from tests.support.fake_discord.model import DiscordError

MAX_EMBEDS, MAX_TOTAL = 10, 6000
MAX_TITLE, MAX_DESCRIPTION, MAX_FIELDS, MAX_FIELD_NAME, MAX_FIELD_VALUE = 256, 4096, 25, 256, 1024
MAX_FOOTER, MAX_AUTHOR = 2048, 256


def check_embeds(embeds: list[dict[str, Any]]) -> None:
    if len(embeds) > MAX_EMBEDS:
        _refuse(f"more than {MAX_EMBEDS} embeds")
    total = 0
    for embed in embeds:
        if not isinstance(embed, dict):
            _refuse("an embed that is not an object")
        total += _counted(str(embed.get("title") or ""), MAX_TITLE, "title")
        total += _counted(str(embed.get("description") or ""), MAX_DESCRIPTION, "description")
        fields = embed.get("fields") or []
        if len(fields) > MAX_FIELDS:
            _refuse(f"more than {MAX_FIELDS} fields in an embed")
        for field in fields:
            total += _counted(str(field.get("name") or ""), MAX_FIELD_NAME, "field name")
            total += _counted(str(field.get("value") or ""), MAX_FIELD_VALUE, "field value")
        total += _counted(str((embed.get("footer") or {}).get("text") or ""), MAX_FOOTER, "footer")
        total += _counted(str((embed.get("author") or {}).get("name") or ""), MAX_AUTHOR, "author name")
    if total > MAX_TOTAL:
        _refuse(f"embeds of {total} characters together (at most {MAX_TOTAL})")


def _counted(text: str, limit: int, what: str) -> int:
    if len(text) > limit:
        _refuse(f"an embed {what} longer than {limit} characters")
    return len(text)


def _refuse(why: str) -> None:
    raise DiscordError(400, 50035, f"Invalid Form Body ({why})")
