"""What the Discord adapter keeps about a person in the state store, for the AVG rights: their notice plan
(`discord:notice-plan:<user id>`: the DMs of a notice on its way, their text, and which of their messages they were
told of lately). No discord.py here: the privacy command runs without it."""

from __future__ import annotations

from moderation.model import Platform
from moderation.privacy.state_keys import KeyedPersonalData

NOTICE_PLAN_KEY = "discord:notice-plan:"  # + user id


def discord_personal_data() -> KeyedPersonalData:
    """The Discord adapter's `PersonalDataHook`."""
    return KeyedPersonalData(Platform.DISCORD, [NOTICE_PLAN_KEY])
