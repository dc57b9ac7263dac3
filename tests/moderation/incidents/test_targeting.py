"""R2 repeated targeting: the same author aiming at the same person within the window becomes one bullying case."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from adapters.console import mentions_in as console_mentions
from adapters.discord.translate import mentions_in as discord_mentions
from adapters.matrix.translate import mentions_in as matrix_mentions
from moderation.directory import RosterDirectory
from moderation.model import Account, AccountId, EventId, Message, Person, PersonId, Platform, Role, RoomId
from moderation.rules.repeated_targeting import CASE_RULE_NAME, find_target
from moderation.storage.incidents import IncidentRow
from tests.support.review import School, make_school

WHEN = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def school(tmp_path: Path, database_url: str) -> Iterator[School]:
    """On SQLite and on the real PostgreSQL server."""
    school = make_school(
        tmp_path,
        database_url=database_url,
        extra_settings={"review": {"repeat_window_days": 14, "repeat_threshold": 3}},
    )
    yield school
    school.core.close()


def cases(school: School) -> list[IncidentRow]:
    with school.core.sessions() as session:
        return list(
            session.scalars(select(IncidentRow).where(IncidentRow.rule_name == CASE_RULE_NAME).order_by(IncidentRow.id))
        )


def members(school: School, case_id: int) -> list[int]:
    with school.core.sessions() as session:
        return list(session.scalars(select(IncidentRow.id).where(IncidentRow.case_id == case_id)))


async def test_three_incidents_at_the_same_person_become_one_case_for_the_coordinator(school: School) -> None:
    first = await school.incident("sanne", "[insult] @daan sukkel")
    school.clock.advance(days=3)
    await school.incident("sanne", "[insult] @noor jij ook")  # someone else: not part of it
    second = await school.incident("sanne", "[harassment] @daan niemand wil je")
    assert cases(school) == []
    school.clock.advance(days=5)
    third = await school.incident("sanne", "[threat] @Daan wacht maar")
    [case] = cases(school)
    assert sorted(members(school, case.id)) == [first, second, third]
    assert (case.author_person_id, case.target_person_id, case.category, case.rule_id) == (
        "sanne",
        "daan",
        "harassment",
        "R2",
    )
    assert f"#{first}, #{second}, #{third}" in case.explanation

    coordinator = school.review.actor_by_id("abc")
    assert coordinator is not None
    assert school.review.show(case.id, coordinator).ok  # the coordinator's case
    mentor = school.review.actor_by_id("jan")
    assert mentor is not None and school.review.show(case.id, mentor).ok  # and sanne's mentor's
    other = school.review.actor_by_id("eva")
    assert other is not None and not school.review.show(case.id, other).ok

    fourth = await school.incident("sanne", "[insult] @daan nog eens")  # joins the open case
    assert len(cases(school)) == 1 and fourth in members(school, case.id)


async def test_outside_the_window_nothing_is_joined(school: School) -> None:
    await school.incident("sanne", "[insult] @daan een")
    school.clock.advance(days=10)
    await school.incident("sanne", "[insult] @daan twee")
    school.clock.advance(days=10)  # the first is now 20 days old: outside the 14-day window
    await school.incident("sanne", "[insult] @daan drie")
    assert cases(school) == []


async def test_dismissed_false_positives_do_not_count(school: School) -> None:
    first = await school.incident("sanne", "[insult] @daan een")
    jan = school.review.actor_by_id("jan")
    assert jan is not None
    school.review.dismiss(first, jan, "grapje onder vrienden")
    await school.incident("sanne", "[insult] @daan twee")
    await school.incident("sanne", "[insult] @daan drie")
    assert cases(school) == []


async def test_replies_count_as_aimed_at_the_replied_to_author(school: School) -> None:
    target = await school.post("daan", "[insult] begin")  # daan's message is itself flagged (stored)
    assert target.incident is not None
    for n in range(3):
        await school.post("sanne", f"[insult] antwoord {n}", reply_to="klas-2b-1")
    [case] = cases(school)
    assert case.target_person_id == "daan" and len(members(school, case.id)) == 3


async def test_a_new_case_starts_after_the_old_one_was_closed(school: School) -> None:
    for n in range(3):
        await school.incident("sanne", f"[insult] @daan {n}")
    [case] = cases(school)
    coordinator = school.review.actor_by_id("abc")
    assert coordinator is not None
    assert school.review.resolve(case.id, coordinator, "gesprek met beiden", parents_informed=True).ok
    for n in range(2):
        await school.incident("sanne", f"[insult] @daan opnieuw {n}")
    assert len(cases(school)) == 1  # two new ones are not yet a pattern on their own
    await school.incident("sanne", "[insult] @daan opnieuw 3")
    assert len(cases(school)) == 2


def test_targets_from_mentions_per_platform() -> None:
    daan = Person(
        PersonId("daan"),
        "Daan",
        Role.STUDENT,
        accounts=(
            Account(Platform.DISCORD, AccountId("123456789012345678")),
            Account(Platform.MATRIX, AccountId("@daan:school.nl")),
            Account(Platform.CONSOLE, AccountId("daan")),
        ),
    )
    sanne = Person(PersonId("sanne"), "Sanne", Role.STUDENT, accounts=(Account(Platform.CONSOLE, AccountId("sanne")),))
    directory = RosterDirectory([daan, sanne])

    mentions = {
        Platform.DISCORD: discord_mentions,
        Platform.MATRIX: matrix_mentions,
        Platform.CONSOLE: console_mentions,
    }

    def message(platform: Platform, text: str, author: str = "sanne") -> Message:
        return Message(
            platform, RoomId("r"), EventId("e"), AccountId(author), text, WHEN, mentions=mentions[platform](text)
        )

    assert discord_mentions("hey <@!123456789012345678> en <@42> en <@123456789012345678>") == ("123456789012345678",)
    assert matrix_mentions("@daan:school.nl: sukkel") == ("@daan:school.nl",)
    assert console_mentions("mail me op a@b.nl, @Daan") == ("daan",)
    found = find_target(message(Platform.DISCORD, "<@123456789012345678> sukkel"), directory, None)
    assert found is not None and found.person == daan
    assert find_target(message(Platform.CONSOLE, "@sanne ik zelf"), directory, None) is None  # yourself: nobody
    outsider = find_target(message(Platform.CONSOLE, "@iemand"), directory, None)
    assert outsider is not None and outsider.person is None and outsider.account == "iemand"
    by_reply = find_target(message(Platform.CONSOLE, "@iemand"), directory, AccountId("daan"))
    assert by_reply is not None and by_reply.person == daan  # the replied-to author comes first
