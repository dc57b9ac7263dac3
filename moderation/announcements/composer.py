"""What a teacher's announcement would post, and what they have posted: the reads behind composing one. The
desk's Mededelingen page lists the rooms a teacher may post in, checks and previews the request, and shows the
teacher's sent announcements; `!mededeling` in chat is checked by the same `prepare`. Nothing here posts, edits or
retracts: that is `staff.StaffAnnouncements`, which asks this module first.

Only staff (per the roster) may announce, and only in rooms they may post in (R10: the room's posters, or every
staff member where `posters` says "staff").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from moderation.announcements.commands import Announce
from moderation.announcements.fanout import Fanout
from moderation.announcements.read_ways import ReadWays
from moderation.announcements.reads import ReadConfirmations
from moderation.announcements.staff_store import RoomHeader, StaffAnnouncement, StaffRecords
from moderation.announcements.store import AnnouncementPosts
from moderation.announcements.targets import RoomKey, RoomTargets
from moderation.model import Person, Platform, Role
from moderation.ports import Clock
from moderation.texts import AnnouncementTexts


def may_post(person: Person, posters: frozenset[str], staff_may_post: bool) -> bool:
    return person.id in posters or (staff_may_post and person.role is Role.STAFF)


RoomRule = Callable[[Platform, str], tuple[frozenset[str], bool] | None]  # a room's (posters, staff may post)


@dataclass(frozen=True, slots=True)
class Prepared:
    rooms: tuple[RoomHeader, ...]
    due: datetime | None
    refused: str  # the classes of rooms reached but not the sender's to post in
    asking: frozenset[RoomKey]  # the rooms whose post asks "Gelezen ✓"


@dataclass(frozen=True, slots=True)
class SentRoom:
    classes: str
    platform: Platform
    name: str
    status: str  # the posts queue's: "done", "pending", "failed", … ("removed" once retracted and gone)
    read: int | None  # "Gelezen ✓" so far; None where the post did not ask
    sent_at: datetime | None = None  # when the room first showed it


@dataclass(frozen=True, slots=True)
class SentAnnouncement:
    code: int | None
    record: StaffAnnouncement
    rooms: tuple[SentRoom, ...]


class AnnouncementComposer:
    def __init__(
        self,
        posts: AnnouncementPosts,
        records: StaffRecords,
        targets: RoomTargets,
        room_rule: RoomRule,
        fanout: Fanout,
        clock: Clock,
        timezone: ZoneInfo,
        reads: ReadConfirmations | None = None,
        *,
        texts: AnnouncementTexts,
        ways: ReadWays | None = None,
    ) -> None:
        """`ways`: how each platform asks "Gelezen ✓" (by default, as the fan-out's announcers do)."""
        self._say = texts
        self._posts = posts
        self._records = records
        self._targets = targets
        self._room_rule = room_rule
        self._fanout = fanout
        self._clock = clock
        self._timezone = timezone
        self._reads = reads
        self._ways = ways

    @property
    def texts(self) -> AnnouncementTexts:
        return self._say

    @property
    def timezone(self) -> ZoneInfo:
        return self._timezone

    def local_today(self) -> date:
        return self._clock.now().astimezone(self._timezone).date()

    def read_hint(self, platform: Platform) -> str:
        """The line under a post that asks "Gelezen ✓" on this platform ("" where a button asks instead)."""
        return self._ways.read_hint(platform) if self._ways is not None else self._fanout.read_hint(platform)

    def confirms_reads(self, platform: Platform) -> bool:
        """Whether readers can confirm "Gelezen ✓" on this platform."""
        return self._ways.confirms_reads(platform) if self._ways is not None else self._fanout.confirms_reads(platform)

    def prepare(self, person: Person, command: Announce) -> Prepared | str:
        """What `command` would post, checked: the rooms it reaches that `person` may post in (R10), the moment,
        and which posts ask "Gelezen ✓"; or the reason it cannot be posted. Nothing is stored."""
        if person.role is not Role.STAFF:
            return self._say.not_staff()
        unknown = [c for c in command.classes if not self._targets.classes_of(c)]
        if unknown:
            return self._say.unknown_classes(", ".join(unknown))
        now = self._clock.now()
        due: datetime | None = None
        if command.when is not None:
            resolved = command.when.resolve(now, self._timezone, self._say)
            if isinstance(resolved, str):
                return resolved
            due = resolved
        reached = self._targets.rooms_for(command.classes)
        if command.rooms is not None:  # only the ticked rooms, and every one of them must be of these classes
            if not command.rooms or not command.rooms <= reached.keys():
                return self._say.no_room("")
            reached = {room: classes for room, classes in reached.items() if room in command.rooms}
        allowed: dict[RoomKey, tuple[str, ...]] = {}
        refused: list[str] = []
        for (room_platform, room_id), classes in reached.items():
            rule = self._room_rule(room_platform, room_id)
            if rule is not None and may_post(person, *rule):
                allowed[(room_platform, room_id)] = classes
            else:
                refused.append("/".join(classes))
        refusal = ", ".join(sorted(set(refused)))
        if not allowed or (refused and command.rooms is not None):  # a ticked room that is not theirs: nothing
            return self._say.no_room(refusal)
        rooms = tuple(
            RoomHeader(p, room_id, "/".join(cls), self._say.post_header(person.name, "/".join(cls)))
            for (p, room_id), cls in allowed.items()
        )
        asking = (
            frozenset((r.platform, r.room_id) for r in rooms if self.confirms_reads(r.platform))
            if command.asks_read and self._reads is not None
            else frozenset()
        )
        return Prepared(rooms, due, refusal, asking)

    def preview(self, person: Person, command: Announce) -> tuple[Prepared, list[tuple[RoomHeader, str]]] | str:
        """What `command` would post, with each room's post exactly as its readers will see it; or the reason it
        cannot be posted."""
        prepared = self.prepare(person, command)
        if isinstance(prepared, str):
            return prepared
        return prepared, [
            (
                room,
                self._say.post_text(
                    room.header,
                    command.text,
                    read_hint=self.read_hint(room.platform) if (room.platform, room.room_id) in prepared.asking else "",
                ),
            )
            for room in prepared.rooms
        ]

    def postable(self, person: Person) -> dict[str, list[tuple[RoomKey, str]]]:
        """Per class, the announcement rooms `person` may post in (with their names); classes without one left out."""
        found: dict[str, list[tuple[RoomKey, str]]] = {}
        if person.role is not Role.STAFF:
            return found
        for cls, rooms in self._targets.every_class().items():
            for room in rooms:
                rule = self._room_rule(*room)
                if rule is not None and may_post(person, *rule):
                    found.setdefault(cls, []).append((room, self._targets.name_of(room)))
        return found

    def sent_by(self, person: Person, limit: int = 30) -> list[SentAnnouncement]:
        """The sender's own announcements, newest first, with each room's state and, where asked, its read count
        (a read of the counts is on record, as with `!gelezen`)."""
        shown: list[SentAnnouncement] = []
        now = self._clock.now()
        for record in self._records.by_author(person.id, limit):
            places = {(Platform(p), room_id): status for p, room_id, _, status in self._posts.places(record.key)}
            sent_at = self._posts.sent_at(record.key)
            counts = self._reads.counts(record.key) if self._reads is not None else []
            read = {(c.platform, c.room_id): c.read for c in counts}
            if counts:
                self._posts.log_view(record.key, person.id, now, "the read counts")
            rooms = tuple(
                SentRoom(
                    room.classes,
                    room.platform,
                    self._targets.name_of((room.platform, room.room_id)),
                    places.get((room.platform, room.room_id), "removed"),
                    read.get((room.platform, room.room_id)),
                    sent_at.get((room.platform, room.room_id)),
                )
                for room in record.rooms
            )
            shown.append(SentAnnouncement(self._posts.first_id(record.key), record, rooms))
        return shown
