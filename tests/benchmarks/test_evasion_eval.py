"""Each evasion trick keeps at least 95% of the plain spelling's recall and adds at most 1 point of false alarms."""

from __future__ import annotations

import pytest

from benchmarks.evasion_eval import ABUSIVE, HARMLESS, TRICKS, apply, evaluate, text_tier_flags
from moderation.classify.text_tier import TextTier


def test_the_tricks_rewrite_only_the_marked_word() -> None:
    assert (
        apply("wat ben jij een [kankerlijer] zeg", TRICKS["dot inside (kan.ker)"]) == "wat ben jij een kanke.rlijer zeg"
    )
    assert apply("[kanker] op", TRICKS["split by a space (kank er)"]) == "kank er op"
    assert apply("[kanker] op", TRICKS["censored (k*nker)"]) == "k*nker op"
    assert all("[" in s for s in ABUSIVE + HARMLESS)


@pytest.fixture(scope="module")
def results(tier: TextTier) -> dict[str, tuple[float, float, float]]:
    return {r.name: (r.recall, r.kept, r.false_alarms) for r in evaluate(text_tier_flags(tier))}


def test_every_trick_keeps_the_recall_and_adds_no_false_alarms(
    results: dict[str, tuple[float, float, float]],
) -> None:
    _, _, plain_false_alarms = results["plain"]
    assert results["plain"][0] == 1.0
    for name, (_, kept, false_alarms) in results.items():
        assert kept >= 0.95, (name, kept)
        assert false_alarms - plain_false_alarms <= 0.01, (name, false_alarms)
