"""What a class reads in its announcement room about a change in its timetable, and the school's news."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from moderation.announcements.timetable import Lesson, TimetableNews


class TimetableTexts(Protocol):
    """What a class reads about a change in its timetable, and the school's news, in its announcement room."""

    def for_classes(self, classes: Sequence[str], lesson: Lesson) -> str: ...

    def news(self, item: TimetableNews) -> str: ...
