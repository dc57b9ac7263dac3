"""What the Discord adapter keeps about a person in the state store, for the AVG rights: their notice plan
(`discord:notice-plan:<user id>`: the DMs of a notice on its way, their text, and which of their messages they were
told of lately). No discord.py here: the privacy command runs without it."""

from __future__ import annotations

from collections.abc import Sequence

from moderation.model import Platform
from moderation.ports import DataSubject, StateTable

NOTICE_PLAN_KEY = "discord:notice-plan:"  # + user id


class DiscordPersonalData:
    """The Discord adapter's `PersonalDataHook`."""

    def export_person(self, subject: DataSubject, state: StateTable) -> Sequence[tuple[str, str]]:
        return [(key, value) for key in _keys(subject) if (value := state.get(key)) is not None]

    def erase_person(self, subject: DataSubject, state: StateTable) -> int:
        removed = 0
        for key in _keys(subject):
            if state.get(key) is not None:
                state.delete(key)
                removed += 1
        return removed


def _keys(subject: DataSubject) -> list[str]:
    return [NOTICE_PLAN_KEY + a.id for a in subject.accounts if a.platform is Platform.DISCORD]
