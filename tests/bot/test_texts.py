"""The Dutch texts say everything the core and the adapters ask for: every fixed phrase, every category, severity,
status and reason, and why a card was withdrawn (a new one without Dutch words fails here, not in a chat)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.texts.nl import CATEGORIES, DUTCH, PHRASES, REASONS, SEVERITIES, STATUSES, WITHDRAWN, Dutch
from bot.texts.nl_notices import LOOKED
from moderation.incidents.cards import Card, render_html
from moderation.incidents.routing import COORDINATOR, LEADERSHIP
from moderation.model import ABUSE_CATEGORIES, Category, Severity
from moderation.texts import Phrase, Withdrawal


def test_every_phrase_category_and_level_has_dutch_words() -> None:
    assert set(PHRASES) == set(Phrase)
    assert set(CATEGORIES) == {c.value for c in Category}
    assert set(SEVERITIES) == {int(s) for s in Severity}
    assert set(STATUSES) == {"open", "in-review", "resolved", "dismissed"}
    assert {"mentor", COORDINATOR, LEADERSHIP} <= set(REASONS)
    assert set(WITHDRAWN) == set(Withdrawal)
    assert DUTCH.withdrawn(7, Withdrawal.ERASED) == "Melding #7 is gewist (privacy)."


def test_every_abusive_category_but_self_harm_has_its_own_word_in_a_notice() -> None:
    assert set(LOOKED) == set(ABUSE_CATEGORIES) - {Category.SELF_HARM}  # that notice is care, and names nothing
    said = DUTCH.notices.abusive(Category.INSULT, "klas-2b", staff=False, deleted=True)
    assert said.startswith("Je bericht in #klas-2b lijkt beledigend en is verwijderd")


def test_why_is_said_in_words_with_the_evidence_word() -> None:
    why = DUTCH.why("insult", "insult compound 'kankerlijer' aimed at 'jou'", None)
    assert why == "een scheldwoord of belediging, gericht aan iemand in de chat (de bot zag: ‘kankerlijer’)"
    assert "compound" not in why and "aimed" not in why
    aimed = DUTCH.why("threat", "threat pattern 'ik maak je af'", "Daan Smit (daan)")
    assert aimed == "een bedreiging, gericht aan Daan Smit (daan) (de bot zag: ‘ik maak je af’)"
    assert DUTCH.severity(int(Severity.HIGH)) == "ernstig"


def _card() -> Card:
    return Card(
        id=12,
        status="open",
        platform="matrix",
        room="klas-2b",
        when=datetime(2026, 12, 1, 7, 30, tzinfo=UTC),
        author="Sanne Bakker (sanne)",
        rule_id="R2",
        category="insult",
        severity=2,
        score=0.9,
        scores=(),
        explanation="insult 'sukkel' aimed at 'jou'",
        excerpt="jij sukkel",
        link="https://matrix.to/#/!kamer/$bericht",
        criminal=False,
        escalation=None,
        reviewers=(("Meneer Jansen", "mentor"),),
    )


def test_with_a_desk_every_card_links_to_its_page_there_and_without_one_it_does_not() -> None:
    with_desk = Dutch(desk_url="https://desk.school.nl")
    assert ("Op de desk", "https://desk.school.nl/meldingen/12") in with_desk.card_rows(_card())
    assert '<a href="https://desk.school.nl/meldingen/12">' in render_html(_card(), with_desk)
    assert all(label != "Op de desk" for label, _ in DUTCH.card_rows(_card()))
    assert "desk" not in render_html(_card(), DUTCH)


def test_card_times_are_in_the_schools_time_zone() -> None:
    rows = dict(Dutch(ZoneInfo("America/New_York")).card_rows(_card()))
    assert rows["Wanneer"] == "01-12-2026 02:30" and dict(DUTCH.card_rows(_card()))["Wanneer"] == "01-12-2026 08:30"
