"""The permission overwrites an announcement channel must have (R10), and how far the live ones drifted.

Pure: works on plain ints (Discord's permission bit sets) keyed by (kind, target id), so it is tested without
discord.py and the client only translates `channel.overwrites` into this shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum

import discord


class Kind(IntEnum):
    ROLE = 0
    MEMBER = 1


Key = tuple[Kind, int]  # (role or member, id)
Pair = tuple[int, int]  # (allow bits, deny bits)


def _bits(**flags: bool) -> int:
    return discord.Permissions(**flags).value


# @everyone may read, never write: no posts, no threads, no @everyone pings.
EVERYONE_DENY = _bits(
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    create_private_threads=True,
    mention_everyone=True,
)
POSTER_ALLOW = _bits(send_messages=True)


@dataclass(frozen=True, slots=True)
class Drift:
    key: Key
    before: Pair
    after: Pair  # what the overwrite must be set to
    what: str  # human: "@everyone may send messages again"


def wanted_overwrites(
    guild_id: int, staff_role_id: int, extra_posters: frozenset[int] = frozenset()
) -> dict[Key, Pair]:
    """Deny @everyone (role id = guild id), allow the staff role, and allow listed non-staff posters by member."""
    wanted: dict[Key, Pair] = {(Kind.ROLE, guild_id): (0, EVERYONE_DENY), (Kind.ROLE, staff_role_id): (POSTER_ALLOW, 0)}
    for member_id in extra_posters:
        wanted[(Kind.MEMBER, member_id)] = (POSTER_ALLOW, 0)
    return wanted


def find_drift(
    current: Mapping[Key, Pair],
    *,
    guild_id: int,
    staff_role_id: int,
    allowed_members: frozenset[int] = frozenset(),
    extra_posters: frozenset[int] = frozenset(),
) -> list[Drift]:
    """Every overwrite that is not as R10 needs it, with the value that restores it (keeping unrelated bits).

    `allowed_members` may keep a member overwrite that allows posting (staff and listed posters);
    any other role or member overwrite that re-allows a denied bit is drift.
    """
    drifts: list[Drift] = []
    wanted = wanted_overwrites(guild_id, staff_role_id, extra_posters)
    for key, (want_allow, want_deny) in wanted.items():
        allow, deny = current.get(key, (0, 0))
        fixed = ((allow & ~want_deny) | want_allow, (deny & ~want_allow) | want_deny)
        if fixed != (allow, deny):
            target = _target(key, guild_id, staff_role_id)
            missing_deny = want_deny & (allow | ~deny)
            missing_allow = want_allow & (deny | ~allow)
            said = [f"{target} was no longer denied {_names(missing_deny)}"] if missing_deny else []
            said += [f"{target} was no longer allowed {_names(missing_allow)}"] if missing_allow else []
            drifts.append(Drift(key, (allow, deny), fixed, "; ".join(said)))
    for key, (allow, deny) in current.items():
        if key in wanted or not allow & EVERYONE_DENY:
            continue
        if key[0] is Kind.MEMBER and key[1] in allowed_members:
            continue
        fixed = (allow & ~EVERYONE_DENY, deny)
        what = f"{_target(key, guild_id, staff_role_id)} was allowed {_names(allow & EVERYONE_DENY)}"
        drifts.append(Drift(key, (allow, deny), fixed, what))
    return drifts


def _target(key: Key, guild_id: int, staff_role_id: int) -> str:
    kind, target_id = key
    if kind is Kind.ROLE and target_id == guild_id:
        return "@everyone"
    if kind is Kind.ROLE and target_id == staff_role_id:
        return "the staff role"
    return f"{'role' if kind is Kind.ROLE else 'member'} {target_id}"


def _names(bits: int) -> str:
    aliases = {"read_messages": "view channel"}
    names = [aliases.get(name, name.replace("_", " ")) for name, on in discord.Permissions(bits) if on]
    return ", ".join(names) or "nothing"
