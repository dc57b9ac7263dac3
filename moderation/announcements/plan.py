"""From the timetable of the moment to the posts that should stand: one per change per room. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from moderation.announcements.targets import RoomKey, RoomTargets
from moderation.announcements.timetable import Lesson, TimetableNews
from moderation.model import Platform
from moderation.texts import TimetableTexts


@dataclass(frozen=True, slots=True)
class WantedPost:
    key: str
    platform: Platform
    room_id: str
    text: str
    version: str
    starts_at: datetime
    not_before: datetime | None = None  # a scheduled post: not sent before this moment
    asks_read: bool = False  # readers confirm "Gelezen ✓" (a button, a reaction)


@dataclass(frozen=True, slots=True)
class Plan:
    """The posts that should stand, and the keys the timetable showed at all (a key seen without a change now is
    one whose change was withdrawn)."""

    wanted: tuple[WantedPost, ...]
    seen: frozenset[str]
    window_start: datetime
    window_end: datetime
    prefix: str = "lesson:"  # the kind of post this plan is about; posts of other kinds are left alone


def lesson_key(lesson: Lesson) -> str:
    return f"lesson:{lesson.instance}"


def news_plan(
    items: Iterable[TimetableNews], rooms: Iterable[RoomKey], composer: TimetableTexts, now: datetime
) -> Plan:
    """The school's current announcements in the news rooms. One that is no longer current is left standing (it
    expired; it was not withdrawn), so nothing is ever retracted here."""
    wanted = tuple(
        WantedPost(f"news:{item.id}", platform, room_id, composer.news(item), str(item.id), item.start)
        for item in items
        for platform, room_id in rooms
    )
    return Plan(wanted, frozenset(), now, now, prefix="news:")


def newest_versions(lessons: Iterable[Lesson]) -> list[Lesson]:
    """One version per lesson: the newest, should the timetable ever answer with two valid ones."""
    newest: dict[int, Lesson] = {}
    for lesson in lessons:
        known = newest.get(lesson.instance)
        if known is None or (lesson.modified, lesson.version) > (known.modified, known.version):
            newest[lesson.instance] = lesson
    return sorted(newest.values(), key=lambda les: (les.start, les.instance))


def plan(
    lessons: Iterable[Lesson],
    targets: RoomTargets,
    composer: TimetableTexts,
    window_start: datetime,
    window_end: datetime,
) -> Plan:
    wanted: list[WantedPost] = []
    current = newest_versions(lessons)
    for lesson in current:
        if not lesson.is_change:
            continue
        for (platform, room_id), classes in targets.rooms_for(lesson.groups).items():
            text = composer.for_classes(classes, lesson)
            wanted.append(WantedPost(lesson_key(lesson), platform, room_id, text, lesson.version_key, lesson.start))
    return Plan(tuple(wanted), frozenset(lesson_key(les) for les in current), window_start, window_end)
