"""permissions.py: the start-up check names every missing permission and where."""

from __future__ import annotations

import discord

from adapters.discord.permissions import ChannelCheck, ChannelUse, explain, problems


def bits(**flags: bool) -> int:
    return discord.Permissions(**flags).value


GUILD_OK = bits(
    view_audit_log=True,
    manage_roles=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    create_private_threads=True,
    mention_everyone=True,
)
MODERATE = bits(view_channel=True, manage_messages=True, read_message_history=True, manage_threads=True)


def test_everything_present_is_no_problem() -> None:
    checks = [
        ChannelCheck(1, "incidenten", ChannelUse.REVIEW, bits(view_channel=True, send_messages=True)),
        ChannelCheck(2, "klas-2b", ChannelUse.MODERATED, MODERATE),
        ChannelCheck(3, "mededelingen", ChannelUse.ANNOUNCEMENT, MODERATE | bits(manage_roles=True)),
    ]
    assert problems(GUILD_OK, checks) == []


def test_each_missing_permission_is_named_with_its_channel() -> None:
    checks = [
        ChannelCheck(1, "incidenten", ChannelUse.REVIEW, bits(view_channel=True)),
        ChannelCheck(3, "mededelingen", ChannelUse.ANNOUNCEMENT, bits(view_channel=True)),
        ChannelCheck(4, "weg", ChannelUse.MODERATED, None),
    ]
    found = problems(bits(send_messages=True), checks)
    assert found == [
        "in the server: View Audit Log, Mention Everyone, Manage Roles (Manage Permissions), "
        "Create Public Threads, Create Private Threads, Send Messages in Threads",
        "in #incidenten (review): Send Messages",
        "in #mededelingen (announcement): Manage Messages, Read Message History, Manage Roles (Manage Permissions), "
        "Manage Threads",
        "channel weg (4) does not exist or the bot cannot see it",
    ]
    assert explain(found).startswith("the Discord bot is missing permissions, so it does not start:\n  - in the")


def test_announcement_needs_are_checked_only_with_announcement_channels() -> None:
    checks = [ChannelCheck(2, "klas-2b", ChannelUse.MODERATED, MODERATE)]
    assert problems(bits(view_audit_log=True), checks) == []


def test_administrator_needs_nothing_else() -> None:
    assert problems(bits(administrator=True), [ChannelCheck(2, "klas", ChannelUse.MODERATED, 0)]) == []


def test_a_category_that_does_not_give_the_bot_what_it_must_set_is_named() -> None:
    read_only = bits(view_channel=True, read_message_history=True)
    announcement = MODERATE | bits(manage_roles=True)
    checks = [ChannelCheck(3, "mededelingen", ChannelUse.ANNOUNCEMENT, announcement, ("Alleen lezen", read_only))]
    [found] = problems(GUILD_OK, checks)
    assert found.startswith(
        "in the category Alleen lezen of #mededelingen: Send Messages, Mention Everyone, Create Public Threads, "
        "Create Private Threads, Send Messages in Threads"
    )
    full = ChannelCheck(3, "mededelingen", ChannelUse.ANNOUNCEMENT, announcement, ("Alles", GUILD_OK))
    assert problems(GUILD_OK, [full]) == []
    moderated = ChannelCheck(2, "klas-2b", ChannelUse.MODERATED, MODERATE, ("Alleen lezen", read_only))
    assert problems(GUILD_OK, [moderated]) == []  # nothing to set there
