"""Pure power-level logic for announcement rooms (R10): the levels we want, and how the current ones differ.

"Only staff may post" in Matrix means `events_default` at the staff level: raising only `m.room.message` would
still let students send reactions and every other event type. Reactions alone may be opened up (`Levels.reactions`)
for the "Gelezen ✓" read confirmations: a reaction is no post, and the bot still removes any reaction that is not a
read confirmation (the R10 backstop). Taking a reaction back is a redaction, so redactions are opened with them;
redacting anyone else's event still takes the `redact` level, kept at least at the staff level. Room creators
(room version 12 and later) have unlimited power and must not be listed in `users`, so creator entries are never
added, changed or removed.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

_REDACT_DEFAULT = 50  # the spec's `redact` level when the room's power levels do not name one
# Room versions where the creator(s) are privileged outside the power-level `users` map (MSC4289).
_CREATOR_PRIVILEGED_VERSIONS = frozenset({"12", "org.matrix.hydra.11"})


@dataclass(frozen=True, slots=True)
class Levels:
    staff: int = 50
    bot: int = 100
    reactions: bool = False  # everyone may react ("Gelezen ✅"); other reactions are removed quietly by the backstop


def creators(create_event: Mapping[str, Any] | None) -> frozenset[str]:
    """The room's creators when the room version gives them unlimited power; empty for older versions."""
    if not create_event:
        return frozenset()
    content = create_event.get("content")
    content = content if isinstance(content, Mapping) else {}
    version = str(content.get("room_version", "1"))
    if version not in _CREATOR_PRIVILEGED_VERSIONS:
        return frozenset()
    found = {create_event["sender"]} if isinstance(create_event.get("sender"), str) else set()
    extra = content.get("additional_creators")
    if isinstance(extra, list):
        found.update(user for user in extra if isinstance(user, str))
    return frozenset(found)


def _int(value: object, default: int) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():  # old rooms may hold levels as strings
        return int(value)
    return default


def wanted_levels(
    current: Mapping[str, Any],
    *,
    posters: Iterable[str],
    bot: str,
    room_creators: frozenset[str] = frozenset(),
    levels: Levels = Levels(),
) -> dict[str, Any]:
    """The `m.room.power_levels` content that makes the room announcement-only, changing as little as possible."""
    wanted: dict[str, Any] = copy.deepcopy(dict(current))
    wanted["events_default"] = max(_int(current.get("events_default"), 0), levels.staff)
    if _int(current.get("users_default"), 0) >= levels.staff:
        wanted["users_default"] = 0
    # A per-type entry below the staff level would let everyone send that type (m.reaction, m.room.message ...).
    events = current.get("events")
    events = dict(events) if isinstance(events, Mapping) else {}
    wanted["events"] = {kind: max(_int(level, levels.staff), levels.staff) for kind, level in events.items()}
    if levels.reactions:
        everyone = _int(wanted.get("users_default"), 0)
        wanted["events"]["m.reaction"] = everyone
        wanted["events"]["m.room.redaction"] = everyone  # a reader removing their own ✅
        wanted["redact"] = max(_int(current.get("redact"), _REDACT_DEFAULT), levels.staff)

    users_in = current.get("users")
    users_in = users_in if isinstance(users_in, Mapping) else {}
    allowed = set(posters)
    users: dict[str, int] = {}
    for user, level in users_in.items():
        if user in room_creators:
            users[user] = level  # leave creator entries alone (v12 rejects listing them; older rooms keep them)
        elif user == bot or user in allowed:
            users[user] = _int(level, 0)
        elif levels.staff <= _int(level, 0) < levels.bot:
            continue  # someone who is not an allowed poster was raised to a posting level: drop the entry
        else:
            users[user] = _int(level, 0)  # below posting level, or at least as powerful as the bot (untouchable)
    for user in allowed:
        if user not in room_creators:
            users[user] = max(users.get(user, 0), levels.staff)
    if bot not in room_creators:
        users[bot] = max(users.get(bot, 0), levels.bot)
    wanted["users"] = users
    return wanted


def drift(current: Mapping[str, Any], wanted: Mapping[str, Any]) -> list[str]:
    """Human lines for each difference that matters ("events_default is 0, should be 50"); empty when none."""
    lines: list[str] = []
    for key, default in (("events_default", 0), ("users_default", 0), ("redact", _REDACT_DEFAULT)):
        if _int(current.get(key), default) != _int(wanted.get(key), default):
            lines.append(f"{key} is {current.get(key, default)}, should be {wanted.get(key, default)}")
    for section in ("events", "users"):
        have = current.get(section)
        have = have if isinstance(have, Mapping) else {}
        want = wanted.get(section)
        want = want if isinstance(want, Mapping) else {}
        for name in sorted(set(have) | set(want)):
            if name not in want:
                lines.append(f"{section}[{name}] is {have[name]}, should not be listed")
            elif name not in have or _int(have[name], -1) != _int(want[name], -1):
                lines.append(f"{section}[{name}] is {have.get(name, 'unset')}, should be {want[name]}")
    return lines


def can_set_levels(current: Mapping[str, Any], bot: str, room_creators: frozenset[str]) -> bool:
    """Whether the bot's own power is enough to send `m.room.power_levels` at all."""
    if bot in room_creators:
        return True
    users = current.get("users")
    users = users if isinstance(users, Mapping) else {}
    own = _int(users.get(bot), _int(current.get("users_default"), 0))
    events = current.get("events")
    events = events if isinstance(events, Mapping) else {}
    needed = _int(events.get("m.room.power_levels"), _int(current.get("state_default"), 50))
    return own >= needed
