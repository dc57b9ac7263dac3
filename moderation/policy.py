"""Per-room policy: what kind of room it is, who may post, what to do about abuse, how strict to be."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

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
