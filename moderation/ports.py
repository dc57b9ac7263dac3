"""The ports: what the core needs from the outside world, as Protocols. Adapters and storage implement them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from moderation.model import (
    AccountId,
    Action,
    Classification,
    Message,
    Person,
    PersonId,
    Platform,
    Verdict,
)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class Classifier(Protocol):
    """Scores a text per abuse category. Async so that an ML tier can batch in a worker thread."""

    async def classify(self, text: str) -> Classification: ...


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
class IncidentDraft:
    """Everything the pipeline knows about an incident before it is stored."""

    message: Message
    verdict: Verdict
    author: Person | None
    reviewers: tuple[ReviewerAssignment, ...]
    room_name: str
    reported_by: str | None = None  # the reporter's person id or platform account; only leadership sees it


@dataclass(frozen=True, slots=True)
class IncidentRef:
    """A stored incident, as the pipeline and the enforcers need it (the card shows these fields)."""

    id: int
    draft: IncidentDraft
    created_at: datetime


class StoreUnavailable(RuntimeError):
    """The incident log cannot be reached right now; nothing was written. Worth trying again later."""


class IncidentStore(Protocol):
    """The incident log. `record` is idempotent per (platform, room, event id): a replay returns None."""

    def record(self, draft: IncidentDraft, now: datetime) -> IncidentRef | None: ...

    def record_actions(self, incident_id: int, actions: Sequence[Action], status: str, now: datetime) -> None:
        """Record what was done: status is "done", "failed", "dry-run" or "none"."""
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
