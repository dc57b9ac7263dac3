"""The ports: what the core needs from the outside world, as Protocols. Adapters and storage implement them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple, Protocol, runtime_checkable

from moderation.model import (
    Account,
    AccountId,
    Action,
    Classification,
    EventId,
    MediaFinding,
    Message,
    Person,
    PersonId,
    Platform,
    RoomId,
    Verdict,
)

if TYPE_CHECKING:
    from moderation.incidents.cards import Card


class StateStore(Protocol):
    """Small key/value state kept across restarts, in the bot's own database (`moderation.storage.state`): a sync
    token, where each copy of a card is, the queues of cards to withdraw. One table; each user namespaces its keys."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...


@dataclass(frozen=True, slots=True)
class DataSubject:
    """Whom an AVG request (export or erasure) is about: their roster id, if they have one, and their accounts."""

    person_id: PersonId | None
    accounts: tuple[Account, ...]


class StateTable(StateStore, Protocol):
    """The state store inside one AVG request's transaction: an erasure is one change, or (dry run) none."""

    def delete(self, key: str) -> None: ...

    def keys(self, prefix: str) -> Sequence[str]: ...


class PersonalDataHook(Protocol):
    """One platform adapter's own data about a person in the state store (Matrix: its direct room with them). Each
    adapter knows its keys; the privacy requests call every adapter's hook instead of guessing key conventions."""

    def export_person(self, subject: DataSubject, state: StateTable) -> Sequence[tuple[str, str]]:
        """The (key, value) pairs kept about the subject."""
        ...

    def erase_person(self, subject: DataSubject, state: StateTable) -> int:
        """Remove them; how many entries went."""
        ...


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class Classifier(Protocol):
    """Scores a text per abuse category. Async so that an ML tier can batch in a worker thread."""

    async def classify(self, text: str) -> Classification: ...


class MediaScanner(Protocol):
    """An optional image tier: looks at a message's photo or video through the platform (never a stored copy).
    The hook exists; no scanner ships (see docs/image-tier.md)."""

    async def scan(self, message: Message) -> MediaFinding | None: ...


class Directory(Protocol):
    """Who is who (R12/R13): people, their roles and relations, and their platform accounts."""

    def person(self, person_id: PersonId) -> Person | None: ...

    def person_for(self, platform: Platform, account: AccountId) -> Person | None: ...

    def coordinators(self) -> Sequence[Person]: ...

    def leadership(self) -> Sequence[Person]: ...

    def staff(self) -> Sequence[Person]: ...


@dataclass(frozen=True, slots=True)
class ReviewerAssignment:
    person_id: PersonId
    reason: str  # "mentor", "coordinator", "manager", "leadership"


@dataclass(frozen=True, slots=True)
class OwedAction:
    """One thing still to be done for an incident, stored in the incident's own transaction (the outbox)."""

    kind: str  # an ActionKind value, or CARD: one viewer's copy of the card
    target: str = ""  # a card's viewer: a person id or OVERVIEW
    payload: Mapping[str, object] = field(default_factory=dict)  # what acting needs that the incident row lacks
    done: bool = False  # nothing to do on the platform (a flag): recorded as done straight away


CARD = "card"  # OwedAction.kind of one copy of an incident's card
OVERVIEW = "overview"  # the viewer of the review room's copy (school leadership's overview)


@dataclass(frozen=True, slots=True)
class IncidentDraft:
    """Everything the pipeline knows about an incident before it is stored."""

    message: Message
    verdict: Verdict
    author: Person | None
    reviewers: tuple[ReviewerAssignment, ...]
    room_name: str
    reported_by: str | None = None  # the reporter's person id or platform account; only leadership sees it
    owed: tuple[OwedAction, ...] = ()  # written with the incident, in the same transaction


@dataclass(frozen=True, slots=True)
class IncidentRef:
    """A stored incident, as the pipeline and the enforcers need it (the card shows these fields)."""

    id: int
    draft: IncidentDraft
    created_at: datetime
    # The outbox rows still pending as they were written with the incident (None: not known, read the outbox).
    pending: tuple[PendingAction, ...] | None = None


class StoreUnavailable(RuntimeError):
    """The incident log cannot be reached right now; nothing was written. Worth trying again later."""


class IncidentStore(Protocol):
    """The incident log. `record` is idempotent per (platform, room, event id): a replay returns None."""

    def record(self, draft: IncidentDraft, now: datetime) -> IncidentRef | None: ...

    def record_actions(self, incident_id: int, actions: Sequence[Action], status: str, now: datetime) -> None:
        """Record what was done: status is "done", "failed", "dry-run" or "none"."""
        ...


@dataclass(frozen=True, slots=True)
class PendingAction:
    """An owed action from the outbox, not yet done."""

    id: int
    incident_id: int
    kind: str
    target: str
    payload: Mapping[str, object]

    @property
    def step(self) -> str:
        return f"{self.kind}:{self.target}" if self.target else self.kind


@dataclass(frozen=True, slots=True)
class Mark:
    """An owed action's outcome, to be marked in the outbox."""

    action_id: int
    ok: bool
    detail: str = ""


class Outbox(Protocol):
    """The actions still owed for incidents; each is marked done (once) after it succeeded on the platform."""

    def pending(
        self, platform: Platform, *, incident_id: int | None = None, event: tuple[RoomId, EventId] | None = None
    ) -> list[PendingAction]: ...

    def incident(self, incident_id: int) -> IncidentRef | None:
        """The stored incident, rebuilt for acting on it after a restart."""
        ...

    def finish(self, action_id: int, ok: bool, detail: str, now: datetime) -> bool:
        """Mark one action done (or failed); False when it was no longer pending (finished elsewhere)."""
        ...

    def finish_many(self, marks: Sequence[Mark], now: datetime) -> set[int]:
        """Mark several in one transaction; the ids that were still pending (the others were finished elsewhere)."""
        ...


class Enforcer(Protocol):
    """A platform's hands. Every consequence of a verdict goes through one of these calls.

    Each call raises on failure (after the adapter's own retries); the pipeline records the failure on the incident.
    """

    async def delete(self, message: Message, reason: str) -> None: ...

    async def notify_sender(self, message: Message, text: str) -> None: ...

    async def announce(self, incident: IncidentRef) -> None:
        """Post the incident card where its reviewers look (a review room/channel, the console)."""
        ...


@runtime_checkable
class CardDelivery(Protocol):
    """An enforcer that delivers an incident's card copy by copy (each reviewer's own, the overview): each copy is
    then an owed action of its own. Enforcers without it get one `announce` action per incident."""

    def card_viewers(self, draft: IncidentDraft) -> Sequence[str]:
        """Who gets a copy of this incident's card on this platform: person ids and/or OVERVIEW."""
        ...

    async def deliver_card(self, incident: IncidentRef, viewer: str) -> None:
        """Deliver one copy. Doing it again after a crash must be harmless (no second copy)."""
        ...


@runtime_checkable
class CombinedCards(Protocol):
    """A card-delivering enforcer that can also bring several incidents to one viewer as one combined card (a burst:
    one message instead of one each). Each incident stays handleable on its own (its number, its commands)."""

    async def deliver_cards(self, incidents: Sequence[IncidentRef], viewer: str) -> None:
        """Deliver the copies of `viewer` of these incidents together. Doing it again after a crash must be
        harmless (no second copy of an incident that has one)."""
        ...


@runtime_checkable
class CombinedNotices(Protocol):
    """An enforcer that can tell one person about several of their messages in one notice (a burst: one message
    instead of one each)."""

    async def notify_sender_together(self, notices: Sequence[tuple[Message, str]]) -> None:
        """Tell the author of these messages (all theirs) each one's notice, in one message. Doing it again after a
        crash must be harmless (no message told of twice)."""
        ...


class CardAddress(NamedTuple):
    """Where one copy of a card is: the room (channel), the message, and later events that hold its text too (a
    Matrix edit keeps the old text in its history, so withdrawing the copy must redact those as well)."""

    room: str
    message: str
    edits: tuple[str, ...] = ()


class CardFailed(Exception):
    """The platform failed to send, edit or withdraw one copy (after its own retries); the ledger tries again later."""


class CardPort(Protocol):
    """One platform's hands for review cards: send, edit or withdraw one copy. The card ledger
    (moderation/incidents/card_ledger.py) decides which copies exist and what each viewer may see."""

    def reaches(self, person: Person) -> bool:
        """This platform can bring a card to `person` (they have an account here)."""
        ...

    async def send(self, viewer: Person | None, card: Card, *, key: str | None = None) -> CardAddress | None:
        """Send a copy to `viewer` (None: the overview of school leadership). None when this platform cannot reach
        the viewer (no account, closed DMs): no failure, they find it in the digest. `key` makes a repeated send
        harmless (no second copy) where the platform supports that."""
        ...

    async def edit(self, where: CardAddress, card: Card) -> CardAddress | None:
        """Show `card`'s state in that copy; the copy's address afterwards, or None when it is gone (deleted)."""
        ...

    async def withdraw(self, where: CardAddress, notice: str) -> None:
        """Take the copy out of chat (its text must not live on); raises CardFailed when it is still there."""
        ...


@runtime_checkable
class CombinedCardPort(Protocol):
    """A card port that can show several incidents' cards in one message (a burst's combined card)."""

    async def send_together(self, viewer: Person | None, cards: Sequence[Card], *, key: str) -> CardAddress | None:
        """One message holding every card in `cards`, to `viewer` (None: the overview); `key` as for send."""
        ...

    async def edit_together(self, where: CardAddress, cards: Sequence[Card]) -> CardAddress | None:
        """The combined message showing these cards' state now; as CardPort.edit."""
        ...


class Metrics(Protocol):
    """What the core counts for the operators' /metrics (the desk serves it over Prometheus). Called on the message
    path and from worker threads: an implementation is quick and thread-safe."""

    def judged(self, platform: str, verdict: str, tier: str, seconds: float) -> None:
        """One message judged: its verdict ("clean" or the category) and how long judging took, by `tier`."""
        ...

    def acted(self, platform: str, action: str, ok: bool) -> None:
        """One owed action finished (done or failed)."""
        ...


class NoMetrics:
    """Where nobody reads the figures (no desk configured): nothing is counted."""

    def judged(self, platform: str, verdict: str, tier: str, seconds: float) -> None:
        return None

    def acted(self, platform: str, action: str, ok: bool) -> None:
        return None
