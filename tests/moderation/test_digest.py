"""The daily digest: each reviewer's open incidents, oldest first; nothing for whoever has nothing open."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.texts.nl import DUTCH
from moderation.digest import MAX_CARDS, Digest, build_digests, send_digests
from moderation.model import Person, PersonId
from moderation.storage.incidents import HistoryRow
from tests.support.review import School, make_school


@pytest.fixture
def school(tmp_path: Path) -> Iterator[School]:
    school = make_school(tmp_path)
    yield school
    school.core.close()


@dataclass
class Inbox:
    """A platform that can reach some people (or everyone), and remembers what it delivered."""

    reaches: set[str] | None = None
    broken: bool = False
    got: dict[str, Digest] = field(default_factory=dict)

    async def send_digest(self, reviewer: Person, digest: Digest) -> bool:
        if self.broken:
            raise ConnectionError("platform down")
        if self.reaches is not None and reviewer.id not in self.reaches:
            return False
        self.got[reviewer.id] = digest
        return True


async def test_each_reviewer_gets_their_open_incidents_oldest_first(school: School) -> None:
    first = await school.incident("sanne", "[sexual] eerste")
    school.clock.advance(hours=1)
    second = await school.incident("daan", "[insult] tweede")  # bullying: jan and the coordinator
    school.clock.advance(hours=1)
    closed = await school.incident("sanne", "[sexual] al opgelost")
    jan = school.review.actor_by_id("jan")
    assert jan is not None
    school.review.resolve(closed, jan, "klaar")
    in_review = await school.incident("sanne", "[sexual] in behandeling")
    school.review.acknowledge(in_review, jan)
    unrouted = await school.incident("stranger", "[sexual] onbekend")

    with school.core.sessions() as session:
        digests = {d.reviewer: [c.id for c in d.cards] for d in build_digests(session, school.core.directory)}
    assert digests == {
        "jan": [first, second, in_review],
        "abc": [second],
        "dir": [unrouted],
    }  # eva, mgr and the students have nothing open: no digest at all


async def test_send_records_the_read_and_skips_the_unreachable(school: School) -> None:
    incident = await school.incident("sanne", "[sexual] x")
    bullying = await school.incident("noor", "[insult] y", room="klas-3a")  # eva + coordinator abc
    down, matrix, discord = Inbox(broken=True), Inbox(reaches={"jan"}), Inbox(reaches={"eva"})
    run = await send_digests(school.core.sessions, school.core.directory, school.clock, [down, matrix, discord])
    assert set(matrix.got) == {"jan"} and set(discord.got) == {"eva"}
    assert [c.id for c in matrix.got["jan"].cards] == [incident]
    assert set(run.sent) == {"jan", "eva"} and run.undeliverable == ("abc",)
    with school.core.sessions() as session:
        reads = {
            (h.incident_id, h.actor) for h in session.scalars(select(HistoryRow).where(HistoryRow.action == "digest"))
        }
    assert reads == {(incident, "jan"), (bullying, "eva")}  # abc's digest never arrived: no read recorded


async def test_nobody_gets_a_digest_when_nothing_is_open(school: School) -> None:
    inbox = Inbox()
    run = await send_digests(school.core.sessions, school.core.directory, school.clock, [inbox])
    assert inbox.got == {} and run.sent == ()


async def test_rendered_digest_lists_every_card(school: School) -> None:
    a = await school.incident("sanne", "[sexual] a")
    b = await school.incident("daan", "[sexual] b")
    inbox = Inbox()
    await send_digests(school.core.sessions, school.core.directory, school.clock, [inbox])
    jan = school.core.directory.person(PersonId("jan"))
    assert jan is not None
    text = DUTCH.digest(jan, inbox.got["jan"])
    assert "2 open melding(en)" in text
    assert text.index(f"#{a} ") < text.index(f"#{b} ")


async def test_a_long_digest_shows_the_oldest_and_counts_the_rest(school: School) -> None:
    ids = [await school.incident("sanne", f"[sexual] bericht {n}") for n in range(MAX_CARDS + 2)]
    with school.core.sessions() as session:
        [digest] = build_digests(session, school.core.directory)
    assert [c.id for c in digest.cards] == ids[:MAX_CARDS] and digest.total == MAX_CARDS + 2
    jan = school.core.directory.person(PersonId("jan"))
    assert jan is not None
    assert DUTCH.digest(jan, digest).endswith("… en nog 2: typ !lijst open (of `schoolwacht incidents list`)")
