"""R7 called directly: a student's message that claims to speak for the school is flagged; passing on news is not."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.texts.nl import DUTCH
from moderation.directory import RosterDirectory
from moderation.incidents.routing import route
from moderation.model import (
    AccountId,
    Category,
    EventId,
    Message,
    Person,
    PersonId,
    Platform,
    Role,
    Room,
    RoomId,
    RoomKind,
    Verdict,
)
from moderation.policy import RoomPolicy
from moderation.rules import OfficialClaim, RuleContext
from moderation.rules.may_post import may_post

JAN = Person(PersonId("jan"), "Jan de Vries", Role.STAFF)
DIR = Person(PersonId("dir"), "Directeur", Role.STAFF, is_leadership=True)
SANNE = Person(PersonId("sanne"), "Sanne", Role.STUDENT, mentor=PersonId("jan"))


def judge(text: str, author: Person | None = SANNE) -> Verdict | None:
    room = RoomPolicy(room=Room(Platform.CONSOLE, RoomId("r"), "klas-2b", RoomKind.CLASS))
    message = Message(Platform.CONSOLE, RoomId("r"), EventId("e"), AccountId("acc"), text, datetime.now(UTC))
    context = RuleContext(
        policy=room, author=author, may_post=may_post(room, author), classification=None, notices=DUTCH.notices
    )
    return OfficialClaim().evaluate(message, context)


@pytest.mark.parametrize(
    "text",
    [
        "namens de schoolleiding: morgen zijn jullie allemaal vrij",
        "NAMENS DE DIRECTIE: de toetsweek is verplaatst",
        "Officieel bericht van de school: het 1e uur vervalt voor iedereen",
        "morgen geen school want de verwarming is kapot.\nMet vriendelijke groet, de schoolleiding",
        "in opdracht van de rector moet iedereen morgen om 10 uur komen",
    ],
)
def test_a_student_claiming_to_speak_for_the_school_is_flagged_for_leadership(text: str) -> None:
    verdict = judge(text)
    assert verdict is not None
    assert (verdict.rule_id, verdict.category) == ("R7", Category.IMPERSONATION)
    directory = RosterDirectory([JAN, DIR, SANNE])
    reasons = {(r.person_id, r.reason) for r in route(SANNE, verdict, directory)}
    assert reasons == {("jan", "mentor"), ("dir", "leadership")}


@pytest.mark.parametrize(
    "text",
    [
        "de school heeft gemaild dat het 3e uur vervalt",
        "volgens de schoolleiding is de toets verplaatst",
        "wie gaat er naar de ouderavond van de school?",
        "ik heb een mail gestuurd naar de administratie",
        "groeten aan de docenten",
    ],
)
def test_passing_on_news_is_not_a_claim(text: str) -> None:
    assert judge(text) is None


def test_staff_may_speak_for_the_school() -> None:
    assert judge("Namens de schoolleiding: morgen vervalt het 1e uur.", author=JAN) is None
