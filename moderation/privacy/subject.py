"""Whom a privacy request is about, and which incident rows and history lines are theirs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session, selectinload

from moderation.model import Account, AccountId, PersonId, Platform
from moderation.ports import DataSubject
from moderation.storage.incidents import HistoryRow, IncidentRow
from moderation.storage.people import AccountRow, PersonRow

_PLATFORMS = {p.value for p in Platform}


class UnknownPerson(LookupError):
    """Nothing at all is stored about this person."""


@dataclass(frozen=True, slots=True)
class Subject:
    person_id: str | None
    accounts: tuple[tuple[str, str], ...]  # (platform, account id)
    name: str | None


def subject_for(session: Session, who: str) -> Subject:
    platform, sep, account = who.partition(":")
    if sep and platform in _PLATFORMS:
        owner = session.scalars(
            select(AccountRow).where(AccountRow.platform == platform, AccountRow.account_id == account)
        ).first()
        if owner is None:
            return Subject(None, ((platform, account),), None)
        who = owner.person_id
    row = session.get(PersonRow, who, options=[selectinload(PersonRow.accounts)])
    if row is None:
        return Subject(who, (), None)
    return Subject(row.id, tuple((a.platform, a.account_id) for a in row.accounts), row.name)


def label(subject: Subject, who: str) -> str:
    return subject.person_id or who


def data_subject(subject: Subject) -> DataSubject:
    """The subject as the adapters' hooks see it."""
    accounts = tuple(Account(Platform(p), AccountId(a)) for p, a in subject.accounts if p in _PLATFORMS)
    return DataSubject(PersonId(subject.person_id) if subject.person_id else None, accounts)


def authored(subject: Subject) -> ColumnElement[bool]:
    clauses: list[ColumnElement[bool]] = [
        and_(IncidentRow.platform == platform, IncidentRow.author_account == account)
        for platform, account in subject.accounts
    ]
    if subject.person_id:
        clauses.append(IncidentRow.author_person_id == subject.person_id)
    return or_(*clauses) if clauses else false()


def targeted(subject: Subject) -> ColumnElement[bool]:
    clauses: list[ColumnElement[bool]] = [
        and_(IncidentRow.platform == platform, IncidentRow.target_account == account)
        for platform, account in subject.accounts
    ]
    if subject.person_id:
        clauses.append(IncidentRow.target_person_id == subject.person_id)
    return or_(*clauses) if clauses else false()


def reporter_keys(subject: Subject) -> list[str]:
    keys = [f"{platform}:{account}" for platform, account in subject.accounts]
    return keys + ([subject.person_id] if subject.person_id else [])


def acted_as(subject: Subject) -> ColumnElement[bool]:
    """History lines of what the person did: in chat (their id) or on the command line (`cli:<os user> as id`)."""
    if not subject.person_id:
        return false()
    return or_(
        HistoryRow.actor == subject.person_id,
        HistoryRow.actor.like(f"cli:% as {literal(subject.person_id)}", escape="\\"),
        HistoryRow.actor == f"desk as {subject.person_id}",  # on the review desk
    )


def literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
