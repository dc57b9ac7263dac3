"""The daily digest as a Discord DM, through the same `send_digests` the scheduler runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from moderation.digest import DigestSink, build_digests, send_digests
from moderation.model import Account, AccountId, Person, PersonId, Platform, Role
from tests.adapters.discord.classifier import make_classifier
from tests.support.fake_discord.review_school import Reviewing, review_school

INSULT = "daan je bent echt een klootzak"


@pytest.fixture
async def r(tmp_path: Path) -> AsyncIterator[Reviewing]:
    async with review_school(tmp_path, make_classifier()) as running:
        yield running


def digest_dms(r: Reviewing, user_name: str) -> list[str]:
    user = r.school.accounts[user_name]
    return [m.content for m in r.dm_messages(user) if m.content.startswith("Dagoverzicht")]


async def test_the_digest_reaches_each_reviewer_with_open_incidents_by_dm(r: Reviewing) -> None:
    first = await r.flagged(r.school.sanne, INSULT)
    second = await r.flagged(r.school.daan, "sanne je bent een sukkel")
    assert isinstance(r.adapter, DigestSink)  # how the scheduler finds it
    run = await send_digests(r.core.sessions, r.core.directory, r.core.clock, [r.adapter])
    # Leadership has one open too: the R10 drift the adapter found and restored at start.
    assert set(run.sent) == {PersonId("jan"), PersonId("abc"), PersonId("dir")} and not run.undeliverable
    [digest] = digest_dms(r, "jan")
    assert "Dagoverzicht voor Meneer Jansen: 2 open melding(en)" in digest
    assert digest.index(f"#{first} ") < digest.index(f"#{second} ")  # oldest first
    [leadership] = digest_dms(r, "dir")
    assert f"#{first} " not in leadership and "de instellingen van een mededelingenkanaal zijn veranderd" in leadership
    assert not digest_dms(r, "eva")  # nothing open for her: nothing sent
    assert ("jan", "digest") in [(actor, action) for actor, action, _ in r.history(first)]


async def test_no_discord_account_or_closed_dms_is_false_so_another_platform_may_try(r: Reviewing) -> None:
    await r.flagged(r.school.sanne, INSULT)
    with r.core.sessions() as session:
        digest = next(d for d in build_digests(session, r.core.directory) if d.reviewer == "jan")
    jan = r.core.directory.person(PersonId("jan"))
    assert jan is not None
    matrix_only = Person(PersonId("jan"), jan.name, Role.STAFF, accounts=(Account(Platform.MATRIX, AccountId("@j:x")),))
    assert await r.adapter.send_digest(matrix_only, digest) is False
    r.school.teacher.accepts_dms = False
    assert await r.adapter.send_digest(jan, digest) is False
    assert not digest_dms(r, "jan")
    r.school.teacher.accepts_dms = True
    assert await r.adapter.send_digest(jan, digest) is True


async def test_a_long_digest_comes_in_messages_discord_accepts(r: Reviewing) -> None:
    posted = [
        r.world.create_message(r.school.sanne.id, r.school.klas.id, f"daan je bent een klootzak {n}") for n in range(30)
    ]
    for message in posted:  # all at once: one after the other, each would wait out the cards' burst window
        await r.settled(message)
    with r.core.sessions() as session:
        digest = next(d for d in build_digests(session, r.core.directory) if d.reviewer == "jan")
    jan = r.core.directory.person(PersonId("jan"))
    assert jan is not None and len(digest.cards) == 30
    before = len(r.dm_messages(r.school.teacher))
    assert await r.adapter.send_digest(jan, digest)
    sent = [m.content for m in r.dm_messages(r.school.teacher)[before:]]
    assert sent[0].startswith("Dagoverzicht voor Meneer Jansen: 30 open melding(en)")
    assert len(sent) >= 2 and all(len(chunk) <= 2000 for chunk in sent)
    assert (
        sum(chunk.count(" · een scheldwoord of belediging · klas-2b · ") for chunk in sent) == 30
    )  # every incident line arrived
