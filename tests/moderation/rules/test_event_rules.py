"""The rules for events that are not a message, called directly: a report (R7), a changed room setting (R10) and
one author's incidents aimed at one person (R2)."""

from __future__ import annotations

from moderation.directory import RosterDirectory
from moderation.model import ActionKind, Category, Person, PersonId, Role, Severity, Verdict
from moderation.rules import REPORT, ROOM_SETTINGS, RepeatedTargeting
from moderation.rules.repeated_targeting import Related, case_reviewers

THREAT = Verdict("R2", "abusive_content", Category.THREAT, Severity.CRITICAL, 0.9, "threat", criminal=True)


def test_a_report_never_deletes_and_keeps_what_the_bot_saw() -> None:
    plain = REPORT.evaluate(None, "  ")
    assert (plain.rule_id, plain.category, plain.severity, plain.actions) == (
        "R7",
        Category.REPORTED,
        Severity.MEDIUM,
        (ActionKind.FLAG,),
    )
    assert plain.explanation == "reported by a member of the school"
    seen = REPORT.evaluate(THREAT, "hij bedreigt me")
    assert seen.severity is Severity.CRITICAL and seen.criminal and seen.actions == (ActionKind.FLAG,)
    assert seen.explanation == "reported by a member of the school: hij bedreigt me; the bot also sees: threat"


def test_a_changed_room_setting_is_r10_for_review() -> None:
    verdict = ROOM_SETTINGS.evaluate(Category.PERMISSION_DRIFT, "students may post again")
    assert (verdict.rule_id, verdict.rule_name, verdict.severity) == ("R10", "room_settings", Severity.MEDIUM)


def test_repeated_targeting_makes_a_case_at_the_threshold() -> None:
    rule = RepeatedTargeting(window_days=14, threshold=3)
    assert rule.evaluate([Related(1, False), Related(2, False)]) is None
    case = rule.evaluate([Related(1, False), Related(4, True), Related(9, False)])
    assert case is not None and case.criminal and (case.rule_id, case.category) == ("R2", Category.HARASSMENT)
    assert case.explanation == "repeated targeting: 3 incidents aimed at the same person within 14 days (#1, #4, #9)"
    assert rule.counts(Category.REPORTED) and not rule.counts(Category.QUIET_HOURS)


def test_a_case_always_reaches_the_coordinator_but_never_its_author() -> None:
    boss = Person(PersonId("dir"), "Directeur", Role.STAFF, is_leadership=True)
    abc = Person(PersonId("abc"), "Coördinator", Role.STAFF, is_coordinator=True, manager=PersonId("dir"))
    tom = Person(PersonId("tom"), "Tom", Role.STAFF, manager=PersonId("dir"))
    directory = RosterDirectory([boss, abc, tom])
    case = RepeatedTargeting(window_days=14, threshold=1).evaluate([Related(1, True)])
    assert case is not None
    by_tom = {(r.person_id, r.reason) for r in case_reviewers(tom, case, directory)}
    assert by_tom == {("dir", "manager"), ("abc", "coordinator")}  # staff too; leadership only as his manager
    assert "abc" not in {r.person_id for r in case_reviewers(abc, case, directory)}
