"""What every rule gets and returns. Rules decide; they never act."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from moderation.model import Classification, MediaFinding, MemberChange, Message, Person, PrivateRoom, Verdict
from moderation.policy import RoomPolicy
from moderation.texts import Notices


@dataclass(frozen=True, slots=True)
class RuleContext:
    policy: RoomPolicy
    author: Person | None  # None: the account is not in the roster
    may_post: bool  # the author may post in this room (always True outside announcement rooms)
    classification: Classification | None  # None: no classifier configured (the Judge warns at start), or no text
    media: MediaFinding | None = None  # what an image tier saw, where one is configured and the message has media
    notices: Notices = field(kw_only=True)  # what the author reads, in the school's language


class Rule(Protocol):
    name: str

    def evaluate(self, message: Message, context: RuleContext) -> Verdict | None: ...


@dataclass(frozen=True, slots=True)
class MemberContext:
    policy: RoomPolicy | None  # None: a change outside any configured room (a Discord-wide name change)
    member: Person | None  # None: the account is not in the roster
    staff: Sequence[Person]  # the school's staff, whose names nobody else may take
    official_names: Sequence[str]  # names of the school itself ("Minkema College", "Schoolleiding")
    notices: Notices = field(kw_only=True)  # what the member reads, in the school's language


class MemberRule(Protocol):
    """A rule about who is in a room and under which name, rather than about what is said."""

    name: str

    def evaluate(self, change: MemberChange, context: MemberContext) -> Verdict | None: ...


@dataclass(frozen=True, slots=True)
class RoomContext:
    people: Sequence[Person | None]  # the roster's person for each member, in order (None: not in the roster)
    exceptions: frozenset[str]  # room ids, or "staff/student" person-id pairs, allowed for education (R9)


class RoomRule(Protocol):
    """A rule about who is in a room together, never about what they say."""

    name: str

    def evaluate(self, room: PrivateRoom, context: RoomContext) -> Verdict | None: ...
