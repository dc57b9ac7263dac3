"""Reading the incident log for the review desk: a reviewer's queue with filters, one student's timeline, and the
counts for leadership's overview. Every incident shown passes `access.decide` and is recorded as read."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from moderation.incidents.access import Actor, candidates, decide, note_access
from moderation.incidents.model import incident_of
from moderation.model import HistoryAction, PersonId
from moderation.ports import Directory
from moderation.rules.repeated_targeting import CASE_RULE_NAME
from moderation.storage.incidents import IncidentRow
from moderation.storage.people import PersonRow

OPEN = ("open", "in-review")
QUEUE_MAX = 200


@dataclass(frozen=True, slots=True)
class QueueFilter:
    status: str | None = None  # None: open and in review; "all": every status
    class_name: str | None = None
    category: str | None = None
    room: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    student: str | None = None  # part of a name or a roster id
    limit: int = 100


@dataclass(frozen=True, slots=True)
class QueueItem:
    id: int
    status: str
    severity: int
    category: str
    rule_id: str
    room: str
    created_at: datetime
    author_id: str | None
    author: str
    class_name: str | None
    escalation: str | None
    excerpt: str | None


@dataclass(frozen=True, slots=True)
class Overview:
    total: int
    by_status: dict[str, int]
    by_category: dict[str, int]
    by_month: dict[str, int]  # "2026-11" → count, oldest first
    by_class: dict[str, int]  # "" for authors without a class (staff, unknown accounts)


def queue(
    sessions: sessionmaker[Session], directory: Directory, actor: Actor, wanted: QueueFilter, now: datetime, note: str
) -> list[QueueItem]:
    """The incidents `actor` may see that match `wanted`, most severe and newest first; each recorded as read."""
    query = _incidents().where(candidates(actor, directory))
    if wanted.status is None:
        query = query.where(IncidentRow.status.in_(OPEN))
    elif wanted.status != "all":
        query = query.where(IncidentRow.status == wanted.status)
    if wanted.category:
        query = query.where(IncidentRow.category == wanted.category)
    if wanted.room:
        query = query.where((IncidentRow.room_name == wanted.room) | (IncidentRow.room_id == wanted.room))
    if wanted.since is not None:
        query = query.where(IncidentRow.created_at >= wanted.since)
    if wanted.until is not None:
        query = query.where(IncidentRow.created_at < wanted.until)
    authors = _authors(directory, wanted)
    if authors is not None:
        query = query.where(IncidentRow.author_person_id.in_(sorted(authors)))
    query = query.order_by(IncidentRow.severity.desc(), IncidentRow.created_at.desc(), IncidentRow.id.desc())
    limit = max(1, min(wanted.limit, QUEUE_MAX))
    return _read(sessions, directory, actor, query, now, note, limit)


def student_timeline(
    sessions: sessionmaker[Session], directory: Directory, actor: Actor, student_id: str, now: datetime, note: str
) -> list[QueueItem]:
    """One student's incidents, and the repeated-targeting cases about them, newest first: those `actor` may see."""
    about = (IncidentRow.author_person_id == student_id) | (
        (IncidentRow.rule_name == CASE_RULE_NAME) & (IncidentRow.target_person_id == student_id)
    )
    query = _incidents().where(about).order_by(IncidentRow.created_at.desc(), IncidentRow.id.desc())
    return _read(sessions, directory, actor, query, now, note, QUEUE_MAX)


def overview(sessions: sessionmaker[Session], since: datetime | None = None) -> Overview:
    """Counts only, never names: per status, category, month and the author's class. One pass over the incidents
    (grouped by all four at once, summed here), not one scan per kind of count."""
    scope: ColumnElement[bool] = IncidentRow.id.is_not(None)
    if since is not None:
        scope = IncidentRow.created_at >= since
    by_status: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    by_month: Counter[str] = Counter()
    by_class: Counter[str] = Counter()
    with sessions() as session:
        month = _month(session)
        keys = (IncidentRow.status, IncidentRow.category, month, PersonRow.class_name)
        query = (
            select(*keys, func.count())
            .select_from(IncidentRow)
            .outerjoin(PersonRow, PersonRow.id == IncidentRow.author_person_id)
            .where(scope)
            .group_by(*keys)
        )
        for status, category, in_month, class_name, n in session.execute(query):
            by_status[status] += n
            by_category[category] += n
            by_month[in_month] += n
            by_class[class_name or ""] += n  # no class (staff) and unknown authors: one row
    return Overview(
        sum(by_status.values()),
        dict(by_status),
        dict(by_category),
        dict(sorted(by_month.items())),
        dict(sorted(by_class.items())),
    )


def _incidents() -> Select[IncidentRow]:
    return select(IncidentRow).options(selectinload(IncidentRow.reviewers))


def _authors(directory: Directory, wanted: QueueFilter) -> set[str] | None:
    """The roster ids matching the class and student filters; None when neither is set."""
    if not wanted.class_name and not wanted.student:
        return None
    people = getattr(directory, "people", None)
    everyone = list(people()) if callable(people) else []
    found = set()
    needle = (wanted.student or "").strip().casefold()
    for person in everyone:
        if wanted.class_name and (person.class_name or "").casefold() != wanted.class_name.casefold():
            continue
        if needle and needle not in person.name.casefold() and needle != str(person.id).casefold():
            continue
        found.add(str(person.id))
    return found


def _read(
    sessions: sessionmaker[Session],
    directory: Directory,
    actor: Actor,
    query: Select[IncidentRow],
    now: datetime,
    note: str,
    limit: int,
) -> list[QueueItem]:
    items: list[QueueItem] = []
    with sessions.begin() as session:
        for row in session.scalars(query.execution_options(yield_per=200)):
            if len(items) >= limit:
                break
            if not decide(actor, incident_of(row), directory).allowed:
                continue
            note_access(session, row, actor, HistoryAction.LISTED, note, now)
            items.append(_item(row, directory))
    return items


def _item(row: IncidentRow, directory: Directory) -> QueueItem:
    person = directory.person(PersonId(row.author_person_id)) if row.author_person_id else None
    return QueueItem(
        id=row.id,
        status=row.status,
        severity=row.severity,
        category=row.category,
        rule_id=row.rule_id,
        room=row.room_name,
        created_at=row.created_at,
        author_id=row.author_person_id,
        author=person.name if person is not None else (row.author_account or "onbekend"),
        class_name=person.class_name if person is not None else None,
        escalation=row.escalation,
        excerpt=row.excerpt,
    )


def _month(session: Session) -> ColumnElement[str]:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(IncidentRow.created_at, "YYYY-MM")
    return func.strftime("%Y-%m", IncidentRow.created_at)
