"""What the Matrix adapter keeps about a person in the state store, for the AVG rights: the bot's direct room with
each account (`matrix.dm.<user id>`). No matrix-nio here: the privacy command runs without it."""

from __future__ import annotations

from collections.abc import Sequence

from moderation.model import Platform
from moderation.ports import DataSubject, StateTable

DM_KEY = "matrix.dm."  # + user id: the bot's direct room with them ("" once they left it)
# + user id: a notice about several of their messages on its way (its transaction, the messages, its text)
NOTICE_PLAN_KEY = "matrix.notice-plan."


class MatrixPersonalData:
    """The Matrix adapter's `PersonalDataHook`."""

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
    accounts = [account.id for account in subject.accounts if account.platform is Platform.MATRIX]
    return [key + account for account in accounts for key in (DM_KEY, NOTICE_PLAN_KEY)]
