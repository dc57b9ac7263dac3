"""Who is who: the roster in memory, indexed by person and by platform account."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from moderation.model import Account, AccountId, Person, PersonId, Platform, Role
from moderation.storage.people import PersonRow


class RosterDirectory:
    """An immutable snapshot of the roster; the app swaps in a new one after an import."""

    def __init__(self, people: Iterable[Person]) -> None:
        # Ids are case-insensitive: `--as sa4`, `posters = ["sa4"]` and a mentor column saying "sa4" all mean SA4.
        self._people: dict[str, Person] = {fold_id(p.id): p for p in people}
        self._by_account: dict[tuple[Platform, AccountId], Person] = {}
        for person in self._people.values():
            for account in person.accounts:
                self._by_account[(account.platform, _fold(account.platform, account.id))] = person

    def person(self, person_id: PersonId) -> Person | None:
        return self._people.get(fold_id(person_id))

    def person_for(self, platform: Platform, account: AccountId) -> Person | None:
        return self._by_account.get((platform, _fold(platform, account)))

    def coordinators(self) -> Sequence[Person]:
        return [p for p in self._people.values() if p.is_coordinator]

    def leadership(self) -> Sequence[Person]:
        return [p for p in self._people.values() if p.is_leadership]

    def staff(self) -> Sequence[Person]:
        return [p for p in self._people.values() if p.role is Role.STAFF]

    def people(self) -> Sequence[Person]:
        return list(self._people.values())

    def __len__(self) -> int:
        return len(self._people)


class CurrentRoster:
    """The one holder of the roster of the moment, shared by everything in a process that asks who is who. It is a
    Directory itself (each question goes to the snapshot of the moment); `current` hands out the snapshot for work
    that must see one roster throughout. An import swaps it with `reload`."""

    def __init__(self, directory: RosterDirectory, sessions: sessionmaker[Session] | None = None) -> None:
        self._directory = directory
        self._sessions = sessions

    def current(self) -> RosterDirectory:
        return self._directory

    def replace(self, directory: RosterDirectory) -> None:
        self._directory = directory

    def reload(self) -> None:
        """Read the roster again from the database (after an import)."""
        if self._sessions is None:
            raise RuntimeError("this roster was not given a database to reload from")
        self._directory = load_directory(self._sessions)

    def person(self, person_id: PersonId) -> Person | None:
        return self._directory.person(person_id)

    def person_for(self, platform: Platform, account: AccountId) -> Person | None:
        return self._directory.person_for(platform, account)

    def coordinators(self) -> Sequence[Person]:
        return self._directory.coordinators()

    def leadership(self) -> Sequence[Person]:
        return self._directory.leadership()

    def staff(self) -> Sequence[Person]:
        return self._directory.staff()

    def people(self) -> Sequence[Person]:
        return self._directory.people()

    def __len__(self) -> int:
        return len(self._directory)


def fold_id(person_id: str) -> str:
    """The form in which two roster ids are the same person."""
    return person_id.casefold()


def _fold(platform: Platform, account: str) -> AccountId:
    # Console names are typed by hand; platform ids are exact.
    return AccountId(account.lower() if platform is Platform.CONSOLE else account)


def load_directory(sessions: sessionmaker[Session]) -> RosterDirectory:
    """The active people of the roster, as stored by the last import."""
    return RosterDirectory(load_people(sessions, active=True))


def load_people(sessions: sessionmaker[Session], *, active: bool, leadership_only: bool = False) -> list[Person]:
    """The people on the roster (`active`), or those who left it; or only school leadership among them."""
    query = select(PersonRow).where(PersonRow.active.is_(active))
    if leadership_only:
        query = query.where(PersonRow.is_leadership.is_(True))
    with sessions() as session:
        rows = session.scalars(query.options(selectinload(PersonRow.accounts), selectinload(PersonRow.mentors))).all()
        return [person_from_row(row) for row in rows]


def person_from_row(row: PersonRow) -> Person:
    return Person(
        id=PersonId(row.id),
        name=row.name,
        role=Role(row.role),
        class_name=row.class_name,
        mentors=tuple(PersonId(m.mentor_id) for m in row.mentors),
        manager=PersonId(row.manager_id) if row.manager_id else None,
        is_coordinator=row.is_coordinator,
        is_leadership=row.is_leadership,
        is_privacy_officer=row.is_privacy_officer,
        accounts=tuple(Account(Platform(a.platform), AccountId(a.account_id)) for a in row.accounts),
    )
