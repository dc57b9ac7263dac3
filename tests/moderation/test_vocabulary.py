"""The typed vocabulary: stored strings stay what they were (no migration), and one table says what each category
means to the protocol."""

from __future__ import annotations

from moderation.model import (
    ABUSE_CATEGORIES,
    BULLYING_CATEGORIES,
    CATEGORIES,
    CLOSED_STATUSES,
    TARGETING_CATEGORIES,
    ActionKind,
    Category,
    HistoryAction,
    IncidentStatus,
    Leadership,
)


def test_statuses_and_history_actions_are_the_strings_already_stored() -> None:
    assert [s.value for s in IncidentStatus] == ["open", "in-review", "resolved", "dismissed"]
    assert {s for s in IncidentStatus if s.closed} == CLOSED_STATUSES == {"resolved", "dismissed"}
    assert HistoryAction.escalated("police") == "escalated:police"
    assert [HistoryAction.of(kind) for kind in ActionKind] == [kind.value for kind in ActionKind]


def test_every_category_has_one_meaning() -> None:
    assert set(CATEGORIES) == set(Category)
    assert {Category.INSULT, Category.HARASSMENT, Category.THREAT, Category.DISCRIMINATION} == BULLYING_CATEGORIES
    assert BULLYING_CATEGORIES <= TARGETING_CATEGORIES and Category.REPORTED in TARGETING_CATEGORIES
    assert Category.SELF_HARM not in TARGETING_CATEGORIES  # a cry for help is aimed at nobody
    assert ABUSE_CATEGORIES[0] is Category.INSULT and len(ABUSE_CATEGORIES) == 6  # the classifiers' column order
    leadership_only = {c for c, m in CATEGORIES.items() if m.leadership is Leadership.ONLY}
    assert leadership_only == {Category.PERMISSION_DRIFT, Category.RULE_ERROR, Category.ONE_TO_ONE}
