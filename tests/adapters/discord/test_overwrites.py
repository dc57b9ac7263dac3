"""overwrites.py: what an announcement channel needs (R10) and how drift is found and repaired, on plain bits."""

from __future__ import annotations

import discord

from adapters.discord.overwrites import EVERYONE_DENY, POSTER_ALLOW, Kind, find_drift, wanted_overwrites

GUILD, STAFF, STUDENTS, TEACHER, SANNE = 1, 2, 3, 40, 50
VIEW = discord.Permissions(view_channel=True).value
ATTACH = discord.Permissions(attach_files=True).value
CORRECT = {(Kind.ROLE, GUILD): (0, EVERYONE_DENY), (Kind.ROLE, STAFF): (POSTER_ALLOW, 0)}


def test_wanted_overwrites_use_the_guild_id_as_everyone() -> None:
    assert wanted_overwrites(GUILD, STAFF) == CORRECT
    assert wanted_overwrites(GUILD, STAFF, frozenset({TEACHER}))[(Kind.MEMBER, TEACHER)] == (POSTER_ALLOW, 0)


def test_a_correct_channel_has_no_drift() -> None:
    assert find_drift(CORRECT, guild_id=GUILD, staff_role_id=STAFF) == []


def test_unrelated_bits_are_kept_when_restoring() -> None:
    current = {(Kind.ROLE, GUILD): (VIEW, ATTACH), (Kind.ROLE, STAFF): (POSTER_ALLOW | ATTACH, 0)}
    (drift,) = find_drift(current, guild_id=GUILD, staff_role_id=STAFF)
    assert drift.key == (Kind.ROLE, GUILD)
    assert drift.after == (VIEW, ATTACH | EVERYONE_DENY)
    assert drift.what.startswith("@everyone was no longer denied send messages")


def test_everyone_allowed_to_send_is_drift() -> None:
    current = CORRECT | {(Kind.ROLE, GUILD): (POSTER_ALLOW, EVERYONE_DENY & ~POSTER_ALLOW)}
    (drift,) = find_drift(current, guild_id=GUILD, staff_role_id=STAFF)
    assert drift.after == (0, EVERYONE_DENY)
    assert drift.what == "@everyone was no longer denied send messages"


def test_staff_denied_is_drift() -> None:
    current = CORRECT | {(Kind.ROLE, STAFF): (0, POSTER_ALLOW)}
    (drift,) = find_drift(current, guild_id=GUILD, staff_role_id=STAFF)
    assert drift.after == (POSTER_ALLOW, 0) and "the staff role was no longer allowed send messages" in drift.what


def test_other_roles_and_members_may_not_be_allowed_to_post() -> None:
    current = CORRECT | {
        (Kind.ROLE, STUDENTS): (POSTER_ALLOW | VIEW, 0),
        (Kind.MEMBER, SANNE): (discord.Permissions(create_public_threads=True).value, 0),
        (Kind.MEMBER, TEACHER): (POSTER_ALLOW, 0),  # a listed poster: fine
    }
    drifts = {
        d.key: d for d in find_drift(current, guild_id=GUILD, staff_role_id=STAFF, allowed_members=frozenset({TEACHER}))
    }
    assert set(drifts) == {(Kind.ROLE, STUDENTS), (Kind.MEMBER, SANNE)}
    assert drifts[(Kind.ROLE, STUDENTS)].after == (VIEW, 0)
    assert drifts[(Kind.MEMBER, SANNE)].after == (0, 0)  # nothing left: the overwrite is removed
    assert drifts[(Kind.MEMBER, SANNE)].what == "member 50 was allowed create public threads"


def test_a_missing_poster_overwrite_is_added() -> None:
    (drift,) = find_drift(CORRECT, guild_id=GUILD, staff_role_id=STAFF, extra_posters=frozenset({TEACHER}))
    assert drift.key == (Kind.MEMBER, TEACHER) and drift.after == (POSTER_ALLOW, 0)
