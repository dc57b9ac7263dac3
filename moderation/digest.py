"""The daily digest: each reviewer's open incidents, oldest first. Nobody with nothing open gets one.

A reviewer's digest holds the open (and in-review) incidents assigned to them that they may still see; school
leadership's digests also hold the unrouted ones. Platforms deliver digests through `DigestSink`s; a digest that
reached its reviewer is recorded on each incident's history ("digest"), like any other read. Its words are the
texts port's (`Texts.digest`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from moderation.incidents.access import Actor, decide, note_access, sees_reporter
from moderation.incidents.cards import Card, card_from_row
from moderation.incidents.model import Incident, incident_of
from moderation.model import OPEN_STATUSES, HistoryAction, Person, PersonId
from moderation.ports import Clock, Directory
from moderation.storage.incidents import IncidentRow

log = logging.getLogger(__name__)

MAX_CARDS = 50  # a digest is read on a phone: the oldest fifty, and how many more there are


@dataclass(frozen=True, slots=True)
class Digest:
    reviewer: PersonId
    cards: tuple[Card, ...]  # oldest first, at most MAX_CARDS
    total: int = 0  # all open incidents of this reviewer (more than len(cards) when capped)


@runtime_checkable
class DigestSink(Protocol):
    async def send_digest(self, reviewer: Person, digest: Digest) -> bool:
        """Deliver to `reviewer` if this platform can reach them; False when it cannot (another sink may)."""
        ...


@dataclass(frozen=True, slots=True)
class DigestRun:
    sent: tuple[PersonId, ...]
    undeliverable: tuple[PersonId, ...]  # had open incidents, but no platform could reach them


def build_digests(session: Session, directory: Directory) -> list[Digest]:
    rows = session.scalars(
        select(IncidentRow)
        .options(selectinload(IncidentRow.reviewers))
        .where(IncidentRow.status.in_([s.value for s in OPEN_STATUSES]))
        .order_by(IncidentRow.created_at, IncidentRow.id)
    ).all()
    leaders = list(directory.leadership())
    per_reviewer: dict[PersonId, list[Incident]] = {}
    for row in map(incident_of, rows):
        assigned = [PersonId(r.person_id) for r in row.reviewers] or [p.id for p in leaders]  # unrouted: leadership
        for pid in dict.fromkeys(assigned):
            per_reviewer.setdefault(pid, []).append(row)
    digests = []
    for pid, mine in per_reviewer.items():
        person = directory.person(pid)
        if person is None:
            continue  # left the school: `reassign_departed` moves their incidents to leadership
        actor = Actor.of(person)
        allowed = [row for row in mine if decide(actor, row, directory).allowed]
        reporter = sees_reporter(actor, directory)
        cards = tuple(card_from_row(row, _namer(directory), show_reporter=reporter) for row in allowed[:MAX_CARDS])
        if cards:
            digests.append(Digest(pid, cards, len(allowed)))
    return digests


async def send_digests(
    sessions: sessionmaker[Session], directory: Directory, clock: Clock, sinks: Sequence[DigestSink]
) -> DigestRun:
    with sessions() as session:
        digests = build_digests(session, directory)
    sent: list[PersonId] = []
    missed: list[PersonId] = []
    for digest in digests:
        person = directory.person(digest.reviewer)
        assert person is not None  # build_digests only makes digests for people on the roster
        if await _deliver(person, digest, sinks):
            sent.append(digest.reviewer)
        else:
            missed.append(digest.reviewer)
            log.warning("no platform could deliver the digest for %s", digest.reviewer)
    now = clock.now()
    with sessions.begin() as session:
        for digest in digests:
            if digest.reviewer not in sent:
                continue
            for card in digest.cards:
                row = session.get(IncidentRow, card.id)
                if row is not None:
                    note_access(session, row, Actor(key=str(digest.reviewer)), HistoryAction.DIGEST, "", now)
    return DigestRun(tuple(sent), tuple(missed))


async def _deliver(person: Person, digest: Digest, sinks: Sequence[DigestSink]) -> bool:
    for sink in sinks:
        try:
            if await sink.send_digest(person, digest):
                return True
        except Exception:  # one platform's outage must not stop the others
            log.exception("sending the digest for %s through %s failed", person.id, type(sink).__name__)
    return False


def _namer(directory: Directory) -> Callable[[PersonId], str]:
    def name_of(pid: PersonId) -> str:
        person = directory.person(pid)
        return person.name if person is not None else str(pid)

    return name_of
