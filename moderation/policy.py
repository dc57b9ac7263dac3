"""Per-room policy: what kind of room it is, who may post, what to do about abuse, how strict to be."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum
from types import MappingProxyType
from zoneinfo import ZoneInfo

from moderation.model import Category, PersonId, Platform, Room, RoomId, RoomKind


class AbuseAction(StrEnum):
    DELETE = "delete"  # remove the message, then route the incident
    FLAG = "flag"  # leave the message, route the incident


class PersonalDataAction(StrEnum):
    """What to do when a message gives someone else's personal data (R6)."""

    HOLD = "hold"  # remove it with a notice that says why, then route the incident
    FLAG = "flag"  # leave it, route the incident
    ALLOW = "allow"  # not judged here (e.g. a history lesson room with historical addresses)


# R6 per room kind: in rooms students run or share, someone else's data is taken down at once.
DEFAULT_PERSONAL_DATA: Mapping[RoomKind, PersonalDataAction] = MappingProxyType(
    {
        RoomKind.STUDENT_RUN: PersonalDataAction.HOLD,
        RoomKind.CLASS: PersonalDataAction.HOLD,
        RoomKind.STAFF_RUN: PersonalDataAction.FLAG,
        RoomKind.ANNOUNCEMENT: PersonalDataAction.FLAG,
    }
)


class MediaAction(StrEnum):
    """What to do with a photo or video posted in a room (R6: none of someone else without their consent)."""

    ALLOW = "allow"  # not judged (the default: a school opts in per room)
    FLAG = "flag"  # leave it, and show it to the mentor through the platform's link
    HOLD = "hold"  # take it down with a notice; the mentor decides with the poster


@dataclass(frozen=True, slots=True)
class QuietHours:
    """R11: a window (in the school's time zone, on the given weekdays) in which messages get a friendly notice or
    are held. A window that ends before it starts runs past midnight (22:00-07:00)."""

    start: time
    end: time
    zone: ZoneInfo
    weekdays: frozenset[int] = frozenset(range(7))  # Monday is 0
    hold: bool = False  # True: the message is removed with the notice; False: it stays, the notice reminds

    def covers(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        now = local.time()
        if self.start <= self.end:
            return local.weekday() in self.weekdays and self.start <= now < self.end
        if now >= self.start:
            return local.weekday() in self.weekdays
        return now < self.end and (local.weekday() - 1) % 7 in self.weekdays  # the night began the day before

    def label(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


# Defaults per category: a score at or above the threshold is a violation. Threats and sexual content are flagged
# earlier because missing one costs more than a reviewer's minute.
DEFAULT_THRESHOLDS: Mapping[Category, float] = MappingProxyType(
    {
        Category.INSULT: 0.6,
        Category.HARASSMENT: 0.6,
        Category.THREAT: 0.5,
        Category.DISCRIMINATION: 0.55,
        Category.SEXUAL: 0.55,
        Category.SELF_HARM: 0.5,
    }
)


@dataclass(frozen=True, slots=True)
class RoomPolicy:
    room: Room
    posters: frozenset[PersonId] = frozenset()  # explicitly listed people who may post in an announcement room
    staff_may_post: bool = True  # in an announcement room: every staff member may post
    abuse_action: AbuseAction = AbuseAction.FLAG
    notify_sender: bool = True
    thresholds: Mapping[Category, float] = field(default_factory=lambda: DEFAULT_THRESHOLDS)
    dry_run: bool = False
    personal_data: PersonalDataAction | None = None  # None: the room kind's default (DEFAULT_PERSONAL_DATA)
    staff_may_join: bool = False  # a student-run room staff may be in after all (R10's exemption)
    media: MediaAction = MediaAction.ALLOW
    quiet_hours: QuietHours | None = None

    @property
    def personal_data_action(self) -> PersonalDataAction:
        return self.personal_data or DEFAULT_PERSONAL_DATA[self.room.kind]

    @property
    def is_announcement(self) -> bool:
        return self.room.kind is RoomKind.ANNOUNCEMENT


class PolicyBook:
    """The configured rooms, looked up by (platform, room id)."""

    def __init__(self, policies: Sequence[RoomPolicy]) -> None:
        self._by_key: dict[tuple[Platform, RoomId], RoomPolicy] = {}
        for policy in policies:
            key = (policy.room.platform, policy.room.id)
            if key in self._by_key:
                raise ValueError(f"room {policy.room.id!r} on {policy.room.platform} is configured twice")
            self._by_key[key] = policy

    def get(self, platform: Platform, room_id: RoomId) -> RoomPolicy | None:
        return self._by_key.get((platform, room_id))

    def rooms(self, platform: Platform) -> list[RoomPolicy]:
        return [p for (plat, _), p in self._by_key.items() if plat is platform]

    def all(self) -> list[RoomPolicy]:
        return list(self._by_key.values())
