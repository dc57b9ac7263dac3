"""Reviewers' direct rooms made ahead at start: who counts as a reviewer, and that a room that cannot be made now
is left for the first card (pure logic; the real rooms are made in test_reviewer_rooms on Synapse)."""

from __future__ import annotations

from adapters.matrix.calls import MatrixCallFailed
from adapters.matrix.reviewer_rooms import prepare_reviewer_rooms, reviewers
from moderation.directory import RosterDirectory
from moderation.model import AccountId
from moderation.roster import parse_roster
from tests.support.core import SAMPLE_PEOPLE, roster_csv

# The sample school without Visser and her student, plus Kok, who mentors and manages nobody.
PEOPLE = [{**p, "matrix_id": f"@{p['id']}:school.test"} for p in SAMPLE_PEOPLE if p["id"] not in ("eva", "noor")]
PEOPLE.append({"id": "kok", "name": "Meneer Kok", "role": "staff", "manager": "dir", "matrix_id": "@kok:school.test"})


def directory() -> RosterDirectory:
    return RosterDirectory(parse_roster(roster_csv(PEOPLE)))


def test_reviewers_are_leadership_coordinators_mentors_and_managers() -> None:
    found = sorted(p.id for p in reviewers(directory()))
    assert found == ["abc", "dir", "jan"]  # Kok is no reviewer


async def test_rooms_are_made_for_reviewers_without_one_and_a_refusal_is_left_for_later() -> None:
    made: list[str] = []

    async def direct_room(account: AccountId) -> str:
        if account == "@abc:school.test":
            raise MatrixCallFailed("create direct room", "500: try later")
        made.append(account)
        return f"!{account}"

    count = await prepare_reviewer_rooms(directory(), lambda a: a == "@dir:school.test", direct_room)
    assert (count, made) == (1, ["@jan:school.test"])
