"""What the author of a message reads when a rule acted on it: each rule asks for its notice here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from moderation.model import Category


class Notices(Protocol):
    """What the author of a message reads when a rule acted on it (`room` is the room's name)."""

    def abusive(self, category: Category, room: str, *, staff: bool, deleted: bool) -> str:
        """R2/R7: the message looked abusive; `staff` names their manager instead of a mentor (R12/R13)."""
        ...

    def self_harm(self) -> str:
        """Care, not punishment: where to find help now."""
        ...

    def disclosure(self) -> str:
        """Care, not blame: the writer told of being asked for pictures or threatened; the message stays."""
        ...

    def several(self, notices: Sequence[str]) -> str:
        """One notice for several messages of the same person, sent within a short while (each one's notice)."""
        ...

    def announcement_only(self, room: str) -> str: ...

    def forged_edit(self) -> str: ...

    def media_held(self, room: str) -> str:
        """R6: a photo or video taken down until the mentor has looked at it (the room's policy)."""
        ...

    def media_removed(self, room: str) -> str:
        """R6/R7: a photo or video an image tier was sure about."""
        ...

    def personal_data(self, room: str, kinds: Sequence[str], *, held: bool) -> str:
        """R6: someone else's personal data (`kinds`: what was found, the finders' kinds)."""
        ...

    def quiet_hours(self, room: str, window: str, end: time, *, held: bool) -> str: ...

    def staff_in_student_room(self, room: str) -> str:
        """R10: to a staff member in a student-run group chat (polite: "u")."""
        ...
