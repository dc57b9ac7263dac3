"""R2/R7 called directly: category scores and the room's thresholds become a verdict, its actions and its notice."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from bot.texts.nl import DUTCH
from moderation.judge import Judge
from moderation.model import (
    AccountId,
    ActionKind,
    Category,
    Classification,
    EventId,
    Evidence,
    Message,
    Person,
    PersonId,
    Platform,
    Role,
    Room,
    RoomId,
    RoomKind,
    Severity,
    Verdict,
)
from moderation.policy import DEFAULT_THRESHOLDS, AbuseAction, RoomPolicy
from moderation.rules import ALL_RULES, AbusiveContent, RuleContext

SANNE = Person(PersonId("sanne"), "Sanne", Role.STUDENT, mentor=PersonId("jan"))
EVA = Person(PersonId("eva"), "Eva", Role.STAFF, manager=PersonId("dir"))
MESSAGE = Message(Platform.CONSOLE, RoomId("r"), EventId("e"), AccountId("a"), "tekst", datetime.now(UTC))


def room(**options: object) -> RoomPolicy:
    return RoomPolicy(room=Room(Platform.CONSOLE, RoomId("r"), "klas-2b", RoomKind.CLASS), **options)  # type: ignore[arg-type]


def scores(**by_category: float) -> Classification:
    return Classification(scores=tuple((Category(k.replace("_", "-")), v) for k, v in by_category.items()))


def judge(
    result: Classification | None, policy: RoomPolicy | None = None, author: Person | None = SANNE
) -> Verdict | None:
    context = RuleContext(
        policy=policy or room(), author=author, may_post=True, classification=result, notices=DUTCH.notices
    )
    return AbusiveContent().evaluate(MESSAGE, context)


def test_without_a_classification_the_rule_is_silent() -> None:
    assert judge(None) is None


def test_the_threshold_is_inclusive_and_per_room() -> None:
    at = DEFAULT_THRESHOLDS[Category.INSULT]
    assert judge(scores(insult=at - 0.01)) is None
    assert judge(scores(insult=at)) is not None
    strict = room(thresholds={**DEFAULT_THRESHOLDS, Category.INSULT: 0.3})
    verdict = judge(scores(insult=0.35), strict)
    assert verdict is not None and verdict.category is Category.INSULT and verdict.rule_id == "R2"


def test_a_category_the_room_sets_no_threshold_for_is_never_flagged() -> None:
    no_sexual = room(thresholds={c: t for c, t in DEFAULT_THRESHOLDS.items() if c is not Category.SEXUAL})
    assert judge(scores(sexual=0.99), no_sexual) is None


def test_the_more_severe_category_wins_over_a_higher_score() -> None:
    verdict = judge(scores(insult=0.95, threat=0.6))
    assert verdict is not None and verdict.category is Category.THREAT and verdict.severity is Severity.HIGH
    assert dict(verdict.scores) == {"insult": 0.95, "threat": 0.6}  # the reviewer sees every score


def test_evidence_explains_and_criminal_evidence_is_critical() -> None:
    result = Classification(
        scores=((Category.THREAT, 0.9),),
        evidence=(Evidence(Category.THREAT, 0.9, "threat pattern 'ik maak je af' in '1k m44k j3 af'", criminal=True),),
        note="judged the first 20,000 of 1,048,576 characters",
    )
    verdict = judge(result)
    assert verdict is not None and verdict.criminal and verdict.severity is Severity.CRITICAL
    assert verdict.explanation == (
        "threat pattern 'ik maak je af' in '1k m44k j3 af' (judged the first 20,000 of 1,048,576 characters)"
    )
    bare = judge(scores(discrimination=0.7))
    assert bare is not None and bare.explanation == "discrimination score 0.70" and bare.rule_id == "R7"


def test_actions_follow_the_room() -> None:
    flagged = judge(scores(insult=0.9))
    assert flagged is not None and flagged.actions == (ActionKind.FLAG, ActionKind.NOTIFY_SENDER)
    deleted = judge(scores(insult=0.9), room(abuse_action=AbuseAction.DELETE, notify_sender=False))
    assert deleted is not None and deleted.actions == (ActionKind.DELETE,)


def test_self_harm_is_care_never_deletion() -> None:
    verdict = judge(scores(self_harm=0.8), room(abuse_action=AbuseAction.DELETE, notify_sender=False))
    assert verdict is not None and verdict.category is Category.SELF_HARM
    assert verdict.actions == (ActionKind.FLAG, ActionKind.NOTIFY_SENDER)
    assert verdict.notice is not None and "113" in verdict.notice and "verwijderd" not in verdict.notice


@pytest.mark.parametrize("category", [Category.SEXUAL, Category.THREAT])
def test_a_student_telling_of_it_being_done_to_them_is_care_never_deletion(category: Category) -> None:
    told = Evidence(category, 0.95, "sexual pattern 'nudes te sturen' (softened: reported speech)", disclosure=True)
    result = Classification(scores=((category, 0.95),), evidence=(told,))
    verdict = judge(result, room(abuse_action=AbuseAction.DELETE))
    assert verdict is not None and verdict.category is category
    assert verdict.actions == (ActionKind.FLAG, ActionKind.NOTIFY_SENDER)
    assert verdict.notice is not None and "Goed dat je dit vertelt" in verdict.notice
    assert "verwijderd" not in verdict.notice


def test_the_same_words_said_by_the_writer_are_deleted() -> None:
    said = Evidence(Category.SEXUAL, 0.95, "sexual pattern 'nudes te sturen' (softened: reported speech)")
    result = Classification(scores=((Category.SEXUAL, 0.95),), evidence=(said,))
    verdict = judge(result, room(abuse_action=AbuseAction.DELETE))
    assert verdict is not None and ActionKind.DELETE in verdict.actions
    assert verdict.notice is not None and "is verwijderd" in verdict.notice


def test_the_notice_names_the_right_reviewer_and_what_happened() -> None:
    student = judge(scores(insult=0.9))
    staff = judge(scores(insult=0.9), author=EVA)
    deleted = judge(scores(insult=0.9), room(abuse_action=AbuseAction.DELETE))
    assert student is not None and student.notice is not None and "doorgestuurd naar je mentor" in student.notice
    assert staff is not None and staff.notice is not None and "je leidinggevende" in staff.notice
    assert "mentor" not in staff.notice  # R13: staff are never sent to a mentor
    assert deleted is not None and deleted.notice is not None and "is verwijderd" in deleted.notice
    assert "#klas-2b" in student.notice


async def test_without_a_classifier_the_judge_says_so_and_abuse_is_not_checked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="moderation.judge"):
        judge_ = Judge(ALL_RULES, classifier=None, notices=DUTCH.notices)
    assert "no classifier configured: abusive content is NOT checked" in caplog.text
    assert not judge_.has_classifier
    assert await judge_.judge(MESSAGE, room(), SANNE) is None
