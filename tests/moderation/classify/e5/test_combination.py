"""The combination's contract: calibrated numbers from the fitted file, never below the text tier where safety
is at stake, and every verdict names the tiers and their scores."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.classify.e5.backend import COMBINATION_FILE
from moderation.classify.e5.combination import (
    FEATURE_NAMES,
    SAFETY_CATEGORIES,
    SAFETY_PATH_SCORE,
    TEXT_FLOOR,
    Combination,
    features,
    load_combination,
)
from moderation.classify.ml.errors import ModelIntegrityError
from moderation.classify.text_tier import TextResult, TextTier
from moderation.model import ABUSE_CATEGORIES, Category, Classification, Evidence

SHIPPED = load_combination(COMBINATION_FILE)
unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
category_scores = st.fixed_dictionaries({c: unit for c in ABUSE_CATEGORIES})


def _text(scores: dict[Category, float], criminal: bool = False, context: float = 1.0) -> TextResult:
    evidence = tuple(
        Evidence(c, v, f"text evidence for {c.value}", criminal and c is Category.THREAT)
        for c, v in scores.items()
        if v
    )
    return TextResult(Classification(tuple(scores.items()), evidence), context)


def _pessimist() -> Combination:
    """A combination that believes nothing: every category's fitted probability is about 0."""
    weights = np.zeros((len(ABUSE_CATEGORIES), len(FEATURE_NAMES)))
    return Combination(weights, np.full(len(ABUSE_CATEGORIES), -20.0), {})


@settings(max_examples=200, deadline=None)
@given(text=category_scores, e5=category_scores, criminal=st.booleans())
def test_safety_categories_never_go_below_the_text_tier(
    text: dict[Category, float], e5: dict[Category, float], criminal: bool
) -> None:
    for combination in (SHIPPED, _pessimist()):
        result = combination.combine(_text(text, criminal), e5, "e5")
        for category in SAFETY_CATEGORIES:
            assert result.score(category) >= round(text[category], 4) - 1e-9
        for category in set(ABUSE_CATEGORIES) - SAFETY_CATEGORIES:
            assert result.score(category) >= round(text[category] * TEXT_FLOOR, 4) - 1e-9
        if criminal and text[Category.THREAT] >= 0.5:
            assert any(e.criminal for e in result.evidence if e.category is Category.THREAT)
        assert all(0.0 <= v <= 1.0 for _, v in result.scores)


def test_a_pessimistic_combination_still_keeps_a_weapon_threat_and_says_so() -> None:
    result = _pessimist().combine(_text({Category.THREAT: 0.95, Category.INSULT: 0.7}, criminal=True), {}, "e5")
    assert result.score(Category.THREAT) == 0.95
    assert result.score(Category.INSULT) == round(0.7 * TEXT_FLOOR, 4)  # not a safety category: only the floor
    first = result.evidence[0]
    assert first.category is Category.THREAT and first.criminal
    assert "text tier 0.95" in first.explanation and "e5 tier 0.00" in first.explanation
    assert "text tier kept (safety)" in first.explanation


def test_evidence_names_the_e5_tier_when_only_it_saw_something() -> None:
    weights = np.zeros((len(ABUSE_CATEGORIES), len(FEATURE_NAMES)))
    weights[:, FEATURE_NAMES.index("e5:insult")] = 1.0
    combination = Combination(weights, np.zeros(len(ABUSE_CATEGORIES)), {})
    result = combination.combine(_text({c: 0.0 for c in ABUSE_CATEGORIES}), {Category.INSULT: 0.99}, "e5")
    insult = next(e for e in result.evidence if e.category is Category.INSULT)
    assert "insult from the e5 tier" in insult.explanation
    assert "text tier 0.00, e5 tier 0.99" in insult.explanation
    assert not insult.criminal


def test_the_real_text_tier_feeds_the_features_it_saw(tier: TextTier) -> None:
    result = tier.analyse("ik maak je af")
    row = features(result, {Category.THREAT: 0.9})
    assert len(row) == len(FEATURE_NAMES)
    assert row[FEATURE_NAMES.index("text:threat")] == result.classification.score(Category.THREAT)
    assert row[FEATURE_NAMES.index("e5:threat")] == pytest.approx(np.log(0.9 / 0.1))
    assert row[FEATURE_NAMES.index("e5:insult")] < -5  # no opinion reads as "very unlikely", bounded


def test_the_heads_are_read_both_softened_by_the_context_and_as_they_are(tier: TextTier) -> None:
    # a quote the writer stands behind: the text tier softens it as shown, not meant
    result = tier.analyse('"jij bent een vieze slet" zei ik, en ik meen het')
    assert result.context_factor < 1.0
    row = features(result, {Category.INSULT: 0.9})
    assert row[FEATURE_NAMES.index("e5-unsoftened:insult")] == pytest.approx(np.log(0.9 / 0.1))
    assert row[FEATURE_NAMES.index("e5:insult")] < row[FEATURE_NAMES.index("e5-unsoftened:insult")]


def test_a_combination_of_the_format_before_the_unsoftened_heads_is_refused_with_what_to_do(tmp_path: Path) -> None:
    raw = json.loads(COMBINATION_FILE.read_text(encoding="utf-8"))
    raw["format"] = "schoolwacht-e5-combination/3"
    path = tmp_path / "combination.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ModelIntegrityError, match="train again"):
        load_combination(path)


def test_the_shipped_file_says_what_it_was_fitted_on() -> None:
    assert SHIPPED.info["fitted_on"] == "out-of-fold head probabilities of the training split"
    assert int(SHIPPED.info["train_messages"]) > 0


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda raw: raw.update(format="x/1"), "format"),
        (lambda raw: raw.update(features=["text:insult"]), "features"),
        (lambda raw: raw["categories"].pop("insult"), "insult"),
        (lambda raw: raw["categories"]["threat"].update(weights=[1.0]), "shape"),
    ],
)
def test_a_damaged_combination_is_refused(tmp_path: Path, change: object, reason: str) -> None:
    raw = json.loads(COMBINATION_FILE.read_text(encoding="utf-8"))
    change(raw)  # type: ignore[operator]
    path = tmp_path / "combination.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ModelIntegrityError, match=reason):
        load_combination(path)


def test_a_clear_text_tier_insult_still_reaches_a_reviewer_when_the_heads_disagree() -> None:
    result = _pessimist().combine(_text({Category.INSULT: 0.88}), {Category.INSULT: 0.0}, "e5")
    assert result.score(Category.INSULT) >= 0.6
    assert "text tier's floor" in result.evidence[0].explanation


def _with_path(lines: dict[Category, float]) -> Combination:
    """A combination whose fitted probability per category is the e5 head softened by the text tier's context
    (weight 1 on that head's log-odds), with the given safety lines."""
    weights = np.zeros((len(ABUSE_CATEGORIES), len(FEATURE_NAMES)))
    for i, category in enumerate(ABUSE_CATEGORIES):
        weights[i, FEATURE_NAMES.index(f"e5:{category.value}")] = 1.0
    return Combination(weights, np.zeros(len(ABUSE_CATEGORIES)), {}, lines)


CLEAN = {c: 0.0 for c in ABUSE_CATEGORIES}


def test_a_self_harm_hint_above_its_line_reaches_a_reviewer_and_says_so() -> None:
    result = _with_path({Category.SELF_HARM: 0.3}).combine(_text(CLEAN), {Category.SELF_HARM: 0.4}, "e5")
    assert result.score(Category.SELF_HARM) >= SAFETY_PATH_SCORE
    first = result.evidence[0]
    assert first.category is Category.SELF_HARM and "safety path (combined 0.40, its line 0.30)" in first.explanation
    assert not first.criminal  # the path reaches a reviewer; it never makes a crime of a head's guess


def test_the_path_stays_shut_below_its_line_and_for_categories_without_one() -> None:
    result = _with_path({Category.SELF_HARM: 0.3}).combine(
        _text(CLEAN), {Category.SELF_HARM: 0.29, Category.THREAT: 0.4}, "e5"
    )
    assert result.score(Category.SELF_HARM) == pytest.approx(0.29, abs=1e-3)
    assert result.score(Category.THREAT) == pytest.approx(0.4, abs=1e-3)


def test_the_text_tiers_context_keeps_a_reported_threat_below_the_line() -> None:
    combination = _with_path({Category.THREAT: 0.3})
    reported = _text(CLEAN, context=0.2)  # e.g. "ik heb het gemeld"
    assert combination.combine(reported, {Category.THREAT: 0.9}, "e5").score(Category.THREAT) < SAFETY_PATH_SCORE
    meant = _text(CLEAN)
    assert combination.combine(meant, {Category.THREAT: 0.9}, "e5").score(Category.THREAT) >= SAFETY_PATH_SCORE


@settings(max_examples=100, deadline=None)
@given(low=unit, high=unit)
def test_the_path_keeps_the_order_of_messages(low: float, high: float) -> None:
    low, high = sorted((low, high))
    combination = _with_path({Category.SEXUAL: 0.25})
    scores = [combination.combine(_text(CLEAN), {Category.SEXUAL: p}, "e5").score(Category.SEXUAL) for p in (low, high)]
    assert scores[0] <= scores[1] <= 1.0


def test_the_real_text_tier_keeps_a_report_to_an_adult_below_the_line(tier: TextTier) -> None:
    combination = _with_path({Category.THREAT: 0.3})
    reported = tier.analyse("iemand riep 'ik maak je af' naar hem, ik heb het gemeld bij de mentor")
    assert reported.context_factor <= 0.3
    assert combination.combine(reported, {Category.THREAT: 0.9}, "e5").score(Category.THREAT) < SAFETY_PATH_SCORE


def test_the_shipped_file_has_a_safety_line_below_one_half_for_safety_categories_only() -> None:
    assert SHIPPED.safety_thresholds
    assert set(SHIPPED.safety_thresholds) <= SAFETY_CATEGORIES
    assert all(0.0 < t < SAFETY_PATH_SCORE for t in SHIPPED.safety_thresholds.values())


def test_a_safety_path_outside_the_safety_categories_is_refused(tmp_path: Path) -> None:
    raw = json.loads(COMBINATION_FILE.read_text(encoding="utf-8"))
    raw["safety_path"] = {"insult": 0.3}
    path = tmp_path / "combination.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ModelIntegrityError, match="safety_path"):
        load_combination(path)


def test_the_path_is_named_only_where_it_made_the_difference() -> None:
    result = _with_path({Category.SELF_HARM: 0.3}).combine(_text(CLEAN), {Category.SELF_HARM: 0.8}, "e5")
    assert result.score(Category.SELF_HARM) >= 0.8  # stretched, as every score above the line
    assert "safety path" not in result.evidence[0].explanation and "combined" in result.evidence[0].explanation


def _optimist() -> Combination:
    """A combination that believes everything: every category's fitted probability is about 1."""
    weights = np.zeros((len(ABUSE_CATEGORIES), len(FEATURE_NAMES)))
    return Combination(weights, np.full(len(ABUSE_CATEGORIES), 20.0), {})


def test_a_category_the_text_tier_denies_stays_below_a_flag_whatever_the_heads_say(tier: TextTier) -> None:
    text = tier.analyse("homo's zijn niet vies")
    assert Category.DISCRIMINATION in text.denied
    result = _optimist().combine(text, {c: 1.0 for c in ABUSE_CATEGORIES}, "e5")
    assert result.score(Category.DISCRIMINATION) < 0.5
    said = next(e for e in result.evidence if e.category is Category.DISCRIMINATION)
    assert "denies it" in said.explanation


def test_a_denial_next_to_abuse_that_is_meant_does_not_hold_it_back(tier: TextTier) -> None:
    text = tier.analyse("ik zeg niet dat je dom bent, jij bent gewoon een vieze klootzak")
    assert Category.INSULT not in text.denied
    result = _optimist().combine(text, {c: 1.0 for c in ABUSE_CATEGORIES}, "e5")
    assert result.score(Category.INSULT) >= 0.9


def test_a_denied_safety_category_keeps_its_guarantees(tier: TextTier) -> None:
    text = tier.analyse("ik neem geen mes mee naar school")
    result = _optimist().combine(text, {c: 1.0 for c in ABUSE_CATEGORIES}, "e5")
    assert result.score(Category.THREAT) >= 0.9  # the heads may still see a threat: safety is never capped
