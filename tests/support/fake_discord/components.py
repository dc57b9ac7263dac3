"""What Discord accepts as a message's components (docs/components/Reference.md, "legacy" messages without the
IS_COMPONENTS_V2 flag): at most 5 action rows at the top; a row holds up to 5 buttons or one select; a button has a
style 1-6, a label of at most 80 characters, and — unless it is a link (style 5) or premium (6) button — a
custom_id of 1-100 characters; custom_ids are unique within the message. Anything else is refused as Discord does,
400 with code 50035 "Invalid Form Body", so the bot's own components are checked on every send and edit."""

from __future__ import annotations

from typing import Any

from tests.support.fake_discord.model import DiscordError

ACTION_ROW, BUTTON = 1, 2
SELECTS = frozenset({3, 5, 6, 7, 8})  # string, user, role, mentionable, channel
LINK, PREMIUM = 5, 6
MAX_ROWS, MAX_IN_ROW, MAX_LABEL, MAX_CUSTOM_ID = 5, 5, 80, 100


def check_components(components: list[dict[str, Any]]) -> None:
    if len(components) > MAX_ROWS:
        _refuse(f"more than {MAX_ROWS} action rows")
    seen: set[str] = set()
    for row in components:
        if not isinstance(row, dict) or row.get("type") != ACTION_ROW:
            _refuse("a top-level component that is not an action row")
        inner = row.get("components")
        if not isinstance(inner, list) or not inner:
            _refuse("an empty action row")
        kinds = {c.get("type") for c in inner if isinstance(c, dict)}
        if (kinds & SELECTS and len(inner) > 1) or len(inner) > MAX_IN_ROW:
            _refuse("too many components in an action row")
        for component in inner:
            if component.get("type") == BUTTON:
                _check_button(component)
            elif component.get("type") not in SELECTS:
                _refuse(f"component type {component.get('type')!r} cannot be in an action row")
            custom_id = component.get("custom_id")
            if custom_id is not None:
                if custom_id in seen:
                    _refuse(f"custom_id {custom_id!r} is used twice")
                seen.add(custom_id)


def _check_button(button: dict[str, Any]) -> None:
    style = button.get("style")
    if style not in range(1, 7):
        _refuse(f"button style {style!r}")
    label = button.get("label")
    if label is not None and (not isinstance(label, str) or len(label) > MAX_LABEL):
        _refuse("a button label longer than 80 characters")
    custom_id = button.get("custom_id")
    if style == LINK:
        if not button.get("url") or custom_id is not None:
            _refuse("a link button needs a url and no custom_id")
    elif style != PREMIUM and (not isinstance(custom_id, str) or not 1 <= len(custom_id) <= MAX_CUSTOM_ID):
        _refuse("a button without a custom_id of 1-100 characters")


def _refuse(why: str) -> None:
    raise DiscordError(400, 50035, f"Invalid Form Body ({why})")
