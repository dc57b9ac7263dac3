"""Reviewers' direct rooms made ahead: at start, for everyone with a reviewer role (mentors, managers, the
coordinator, school leadership), so that the first card of an incident does not wait for a new (encrypted) room.

Made one after another in the background, after the adapter started: moderation does not wait for them, and a room
that cannot be made now is simply made when its first card is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from adapters.matrix.calls import MatrixCallFailed
from adapters.matrix.reviewers import matrix_account
from moderation.directory import RosterDirectory
from moderation.model import AccountId, Person, PersonId
from moderation.ports import Directory

log = logging.getLogger(__name__)


def reviewers(directory: Directory) -> list[Person]:
    """Everyone a card may be routed to: school leadership, the coordinators, and every mentor and manager."""
    found: dict[PersonId, Person] = {p.id: p for p in [*directory.leadership(), *directory.coordinators()]}
    if isinstance(directory, RosterDirectory):
        named = {m for p in directory.people() for m in (*p.mentors, *((p.manager,) if p.manager else ()))}
        for person_id in sorted(named):
            person = directory.person(person_id)
            if person is not None:
                found.setdefault(person.id, person)
    return list(found.values())


async def prepare_reviewer_rooms(
    directory: Directory, known: Callable[[AccountId], bool], direct_room: Callable[[AccountId], Awaitable[str]]
) -> int:
    """Make the direct room of each reviewer who has a Matrix account and no room yet; how many were made."""
    made = 0
    for person in reviewers(directory):
        account = matrix_account(person)
        if account is None or known(account):
            continue
        try:
            await direct_room(account)
        except MatrixCallFailed as exc:
            log.warning("matrix: direct room with %s not made ahead (made at their first card): %s", account, exc)
            continue
        made += 1
    if made:
        log.info("matrix: made %d reviewer direct room(s) ahead", made)
    return made
