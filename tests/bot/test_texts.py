"""The Dutch texts say everything the core and the adapters ask for: every fixed phrase, every category, severity,
status and reason, and why a card was withdrawn (a new one without Dutch words fails here, not in a chat)."""

from __future__ import annotations

from bot.texts.nl import CATEGORIES, DUTCH, PHRASES, REASONS, SEVERITIES, STATUSES, WITHDRAWN
from moderation.incidents.routing import COORDINATOR, LEADERSHIP
from moderation.model import Category, Severity
from moderation.texts import Phrase, Withdrawal


def test_every_phrase_category_and_level_has_dutch_words() -> None:
    assert set(PHRASES) == set(Phrase)
    assert set(CATEGORIES) == {c.value for c in Category}
    assert set(SEVERITIES) == {int(s) for s in Severity}
    assert set(STATUSES) == {"open", "in-review", "resolved", "dismissed"}
    assert {"mentor", COORDINATOR, LEADERSHIP} <= set(REASONS)
    assert set(WITHDRAWN) == set(Withdrawal)
    assert DUTCH.withdrawn(7, Withdrawal.ERASED) == "Melding #7 is gewist (privacy)."


def test_why_is_said_in_words_with_the_evidence_word() -> None:
    why = DUTCH.why("insult", "insult compound 'kankerlijer' aimed at 'jou'", None)
    assert why == "een scheldwoord of belediging, gericht aan iemand in de chat (de bot zag: ‘kankerlijer’)"
    assert "compound" not in why and "aimed" not in why
    aimed = DUTCH.why("threat", "threat pattern 'ik maak je af'", "Daan Smit (daan)")
    assert aimed == "een bedreiging, gericht aan Daan Smit (daan) (de bot zag: ‘ik maak je af’)"
    assert DUTCH.severity(int(Severity.HIGH)) == "ernstig"
