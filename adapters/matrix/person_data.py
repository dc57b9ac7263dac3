"""What the Matrix adapter keeps about a person in the state store, for the AVG rights: the bot's direct room with
each account (`matrix.dm.<user id>`) and a notice about several of their messages on its way. No matrix-nio here:
the privacy command runs without it."""

from __future__ import annotations

from moderation.model import Platform
from moderation.privacy.state_keys import KeyedPersonalData

DM_KEY = "matrix.dm."  # + user id: the bot's direct room with them ("" once they left it)
# + user id: a notice about several of their messages on its way (its transaction, the messages, its text)
NOTICE_PLAN_KEY = "matrix.notice-plan."


def matrix_personal_data() -> KeyedPersonalData:
    """The Matrix adapter's `PersonalDataHook`."""
    return KeyedPersonalData(Platform.MATRIX, [DM_KEY, NOTICE_PLAN_KEY])
