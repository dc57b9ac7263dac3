"""The platform-neutral vocabulary of the moderation core.

Everything here is a frozen value: adapters translate raw platform events into these at the edge, and nothing in
this module ever holds a raw event, a client or a database session.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum
from types import MappingProxyType
from typing import NewType

PersonId = NewType("PersonId", str)  # the school's own key for a person (from the roster)
AccountId = NewType("AccountId", str)  # a platform user id: "@sanne:school.nl", a Discord snowflake, "sanne"
RoomId = NewType("RoomId", str)  # a platform room/channel id
EventId = NewType("EventId", str)  # a platform event id, unique within its room


class Platform(StrEnum):
    CONSOLE = "console"
    DISCORD = "discord"
    MATRIX = "matrix"


class Role(StrEnum):
    STUDENT = "student"
    STAFF = "staff"
    PARENT = "parent"


class RoomKind(StrEnum):
    ANNOUNCEMENT = "announcement"  # staff-run, "only the administrator may post" (R10)
    STUDENT_RUN = "student-run"
    STAFF_RUN = "staff-run"
    CLASS = "class"


class Category(StrEnum):
    """What an incident is about; abusive categories first, then the protocol's other kinds."""

    INSULT = "insult"
    HARASSMENT = "harassment"  # incl. exclusion and repeated targeting (bullying)
    THREAT = "threat"
    DISCRIMINATION = "discrimination"  # identity attack, racism, slurs
    SEXUAL = "sexual"
    SELF_HARM = "self-harm"
    ANNOUNCEMENT_ONLY = "announcement-only"  # a non-poster wrote in an announcement room (R10)
    PERMISSION_DRIFT = "permission-drift"  # an announcement room's settings were changed (R10)
    REPORTED = "reported"  # someone used the report command (R7)
    PERSONAL_DATA = "personal-data"  # someone else's phone number, address, e-mail, BSN, ... (R6)
    IMPERSONATION = "impersonation"  # a fictitious sender: posing as staff or the school (R7)
    STAFF_IN_STUDENT_ROOM = "staff-in-student-room"  # a staff member joined a student-run group chat (R10)
    MEDIA = "media"  # a photo or video posted where the room's policy asks for a look (R6)
    QUIET_HOURS = "quiet-hours"  # a message in a room's quiet hours (R11: the school is phone-free)
    ONE_TO_ONE = "one-to-one"  # a room with just one staff member and one student (R9)
    FORGED_EDIT = "forged-edit"  # an edit that claims someone else's message (R7: a fabricated message)
    RULE_ERROR = "rule-error"  # a rule crashed on this message; recorded so nobody thinks it was judged


class Severity(IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4


class Leadership(StrEnum):
    """Whether school leadership reviews an incident of a category."""

    NO = "no"  # the author's mentor or manager (and the coordinator for bullying); leadership only if unrouted
    ALSO = "also"  # besides the author's mentor or manager (R7: reports, a fictitious sender posing as the school)
    ONLY = "only"  # about a room or the bot itself, not one person's conduct: leadership alone


@dataclass(frozen=True, slots=True)
class CategoryMeaning:
    """What a category means to the protocol: one row of CATEGORIES."""

    rule_id: str  # the protocol rule it falls under ("R2", "R7", ...)
    severity: Severity  # how serious an incident of it is, unless its rule says more
    bullying: bool = False  # bullying in the protocol's sense (R13: the anti-bullying coordinator joins)
    targeting: bool = False  # something done to someone: counts towards repeated targeting (R2)
    leadership: Leadership = Leadership.NO
    abuse: bool = False  # scored by the classifier, judged by the abusive_content rule


CATEGORIES: Mapping[Category, CategoryMeaning] = MappingProxyType(
    {
        Category.INSULT: CategoryMeaning("R2", Severity.MEDIUM, bullying=True, targeting=True, abuse=True),
        Category.HARASSMENT: CategoryMeaning("R2", Severity.MEDIUM, bullying=True, targeting=True, abuse=True),
        Category.THREAT: CategoryMeaning("R2", Severity.HIGH, bullying=True, targeting=True, abuse=True),
        Category.DISCRIMINATION: CategoryMeaning("R7", Severity.HIGH, bullying=True, targeting=True, abuse=True),
        Category.SEXUAL: CategoryMeaning("R7", Severity.HIGH, targeting=True, abuse=True),
        Category.SELF_HARM: CategoryMeaning("R2", Severity.HIGH, abuse=True),
        Category.ANNOUNCEMENT_ONLY: CategoryMeaning("R10", Severity.LOW),
        Category.PERMISSION_DRIFT: CategoryMeaning("R10", Severity.MEDIUM, leadership=Leadership.ONLY),
        Category.REPORTED: CategoryMeaning("R7", Severity.MEDIUM, targeting=True, leadership=Leadership.ALSO),
        Category.PERSONAL_DATA: CategoryMeaning("R6", Severity.MEDIUM),
        Category.IMPERSONATION: CategoryMeaning("R7", Severity.MEDIUM, leadership=Leadership.ALSO),
        Category.STAFF_IN_STUDENT_ROOM: CategoryMeaning("R10", Severity.LOW),
        Category.MEDIA: CategoryMeaning("R6", Severity.LOW),
        Category.QUIET_HOURS: CategoryMeaning("R11", Severity.LOW),
        Category.ONE_TO_ONE: CategoryMeaning("R9", Severity.LOW, leadership=Leadership.ONLY),
        Category.FORGED_EDIT: CategoryMeaning("R7", Severity.MEDIUM),
        Category.RULE_ERROR: CategoryMeaning("-", Severity.LOW, leadership=Leadership.ONLY),
    }
)

ABUSE_CATEGORIES: tuple[Category, ...] = tuple(c for c, meaning in CATEGORIES.items() if meaning.abuse)
BULLYING_CATEGORIES: frozenset[Category] = frozenset(c for c, meaning in CATEGORIES.items() if meaning.bullying)
TARGETING_CATEGORIES: frozenset[Category] = frozenset(c for c, meaning in CATEGORIES.items() if meaning.targeting)


class IncidentStatus(StrEnum):
    """Where an incident is in its review. Stored as these strings."""

    OPEN = "open"
    IN_REVIEW = "in-review"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"

    @property
    def closed(self) -> bool:
        return self in CLOSED_STATUSES


OPEN_STATUSES: frozenset[IncidentStatus] = frozenset({IncidentStatus.OPEN, IncidentStatus.IN_REVIEW})
CLOSED_STATUSES: frozenset[IncidentStatus] = frozenset({IncidentStatus.RESOLVED, IncidentStatus.DISMISSED})


class HistoryAction(StrEnum):
    """What one line of an incident's history records. Stored as these strings."""

    CREATED = "created"
    LINKED = "linked"  # an incident became part of a repeated-targeting case (on the case's history)
    RETENTION = "retention"  # the message text was erased after the retention period
    # done by the pipeline, one per owed action (ActionKind's values)
    DELETE = "delete"
    NOTIFY_SENDER = "notify-sender"
    FLAG = "flag"
    ANNOUNCE = "announce"
    # reads: the access log
    VIEWED = "viewed"
    LISTED = "listed"
    DIGEST = "digest"
    REFUSED = "refused"
    # review changes
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"
    ESCALATED_COORDINATOR = "escalated:coordinator"
    ESCALATED_LEADERSHIP = "escalated:leadership"
    ESCALATED_POLICE = "escalated:police"
    REASSIGNED = "reassigned"  # its reviewers left the school: leadership took over

    @classmethod
    def of(cls, kind: ActionKind) -> HistoryAction:
        return cls(kind.value)

    @classmethod
    def escalated(cls, level: str) -> HistoryAction:
        return cls(f"escalated:{level}")


class ActionKind(StrEnum):
    DELETE = "delete"  # delete / redact the message
    NOTIFY_SENDER = "notify-sender"  # a short private notice to the author
    FLAG = "flag"  # record and route only
    ANNOUNCE = "announce"  # the incident card posted where its reviewers look


@dataclass(frozen=True, slots=True)
class Account:
    platform: Platform
    id: AccountId
    display_name: str = ""


@dataclass(frozen=True, slots=True)
class Person:
    id: PersonId
    name: str
    role: Role
    class_name: str | None = None
    mentor: PersonId | None = None  # the first of `mentors`, for callers that name one
    manager: PersonId | None = None  # for staff
    is_coordinator: bool = False  # the anti-bullying coordinator
    is_leadership: bool = False
    accounts: tuple[Account, ...] = ()
    # For students (and parents: their child's mentors). A class often has two; each of them reviews.
    mentors: tuple[PersonId, ...] = ()
    is_privacy_officer: bool = False  # the school's privacy officer (functionaris gegevensbescherming)

    def __post_init__(self) -> None:
        if self.mentor is not None and not self.mentors:
            object.__setattr__(self, "mentors", (self.mentor,))
        elif self.mentors and self.mentor is None:
            object.__setattr__(self, "mentor", self.mentors[0])
        elif self.mentors and self.mentor != self.mentors[0]:
            raise ValueError(f"mentor {self.mentor!r} is not the first of mentors {self.mentors!r}")


@dataclass(frozen=True, slots=True)
class Room:
    platform: Platform
    id: RoomId
    name: str
    kind: RoomKind


@dataclass(frozen=True, slots=True)
class Message:
    """One version of one message, as the core sees it.

    `event_id` identifies this version (the incident key); `message_id` is the message an action targets. For an
    original post they are equal; for an edit, `event_id` is the edit's own id and `message_id` the original's.
    """

    platform: Platform
    room_id: RoomId
    event_id: EventId
    author: AccountId
    text: str
    sent_at: datetime
    message_id: EventId | None = None
    author_name: str = ""
    is_edit: bool = False
    is_forward: bool = False  # R1: forwarded content counts like posting
    by_integration: bool = False  # posted by an integration the server's admins set up (a webhook), not a person
    open_reaction: bool = False  # an emoji under a post, in a room that lets everyone react: no post of its own
    has_media: bool = False
    reply_to: EventId | None = None
    reply_to_author: AccountId | None = None  # whom a reply answers (R2: who is being targeted)
    mentions: tuple[AccountId, ...] = ()  # accounts mentioned in the message, in order
    link: str | None = None  # a URL/jump link to the message, where the platform has one
    # An edit that names another sender's message as its original: it changes nothing of theirs, and is judged
    # and acted on as a message of its own (R7: a fabricated message). The other message's sender.
    forged_edit_of: AccountId | None = None

    @property
    def target_id(self) -> EventId:
        return self.message_id if self.message_id is not None else self.event_id


class MemberChangeKind(StrEnum):
    JOINED = "joined"  # joined a room
    PRESENT = "present"  # already in the room when the bot started watching it
    RENAMED = "renamed"  # changed the name others see (display name, nickname)


@dataclass(frozen=True, slots=True)
class MemberChange:
    """Someone joined a room, was found in it, or changed the name others see there (R7 fictitious senders, R10
    staff in student-run rooms). `room_id` is the room, or on Discord the server for a global name change."""

    platform: Platform
    room_id: RoomId
    event_id: EventId  # the platform's event, or a key made from the change where the platform gives none
    account: AccountId
    display_name: str
    kind: MemberChangeKind
    at: datetime


@dataclass(frozen=True, slots=True)
class PrivateRoom:
    """A room seen from the homeserver's side (never its messages): who is in it (R9 one-to-one contact)."""

    platform: Platform
    room_id: RoomId
    members: tuple[AccountId, ...]  # joined members, the bot itself left out
    seen_at: datetime


@dataclass(frozen=True, slots=True)
class Verdict:
    """A rule's decision about one message; the pipeline acts on it, the rule never does."""

    rule_id: str  # the protocol rule: "R2", "R7", "R10", ...
    rule_name: str  # the code rule that decided: "announcement_only", "abusive_content", ...
    category: Category
    severity: Severity
    score: float  # 0..1, how sure
    explanation: str  # short and human: "threat pattern 'ik maak je af' in '1k m44k j3 af'"
    actions: tuple[ActionKind, ...] = (ActionKind.FLAG,)
    notice: str | None = None  # the text for the author when NOTIFY_SENDER is among the actions
    criminal: bool = False  # possible criminal offence: school leadership decides about the police
    scores: tuple[tuple[str, float], ...] = field(default=())  # per-category scores, for the reviewer's card
    excerpt: str | None = None  # what the incident log keeps instead of the text (personal data masked, R6)
    for_review: bool = True  # False: recorded and acted on, nobody reviews it (a quiet-hours notice is all)

    def strength(self) -> tuple[int, int, float]:
        """Order for "the strongest verdict": severity, then whether it removes the message, then score."""
        return (int(self.severity), int(ActionKind.DELETE in self.actions), self.score)


@dataclass(frozen=True, slots=True)
class Action:
    """What the pipeline did (or, in dry-run, would have done) about a verdict."""

    kind: ActionKind
    ok: bool
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason a classifier gave for a score: which category, how strong, and a human sentence."""

    category: Category
    score: float
    explanation: str  # "threat pattern 'ik maak je af' in '1k m44k j3 af'"
    criminal: bool = False  # e.g. a concrete threat or sexual content involving a minor
    disclosure: bool = False  # the writer tells of it being done to them: care, not blame


@dataclass(frozen=True, slots=True)
class MediaFinding:
    """What an optional image tier saw in a message's photo or video (none ships by default)."""

    category: Category  # e.g. SEXUAL for nudity
    score: float  # 0..1
    explanation: str  # "image model X: nudity 0.93"


@dataclass(frozen=True, slots=True)
class Classification:
    """A classifier's answer for one text: a score per abuse category (0..1) and the evidence behind it."""

    scores: tuple[tuple[Category, float], ...]
    evidence: tuple[Evidence, ...] = ()
    note: str = ""  # e.g. "judged the first 20,000 of 1,048,576 characters"

    def score(self, category: Category) -> float:
        for cat, value in self.scores:
            if cat is category:
                return value
        return 0.0
