"""The text tier combined with a real ML tier: the tiny detoxify model the ML tests build (real `Detoxify`
loading, offline, network blocked), through `build_classifier`."""

from __future__ import annotations

import random

from moderation.classify import build_classifier
from moderation.classify.classifier import TieredClassifier
from moderation.classify.config import ClassifierConfig, MLConfig
from moderation.model import Category
from tests.moderation.classify.ml.conftest import (  # noqa: F401 (fixtures: built once per session, shared)
    Installed,
    built_models,
    installed,
    network_attempts,
)
from tests.support.tiny_models import synthetic_message


async def test_text_and_ml_tier_combine(installed: Installed, network_attempts: list[object]) -> None:  # noqa: F811
    config = ClassifierConfig(
        ml=MLConfig(backend="detoxify", model=installed.cache.model, cache_dir=installed.cache.cache_dir)
    )
    classifier = build_classifier(config)
    assert isinstance(classifier, TieredClassifier)
    try:
        assert classifier.ml_tier is not None
        assert classifier.name == f"text+{classifier.ml_tier.name}"
        # The text tier's Dutch threat stands whatever the (English-trained) model thinks.
        dutch = await classifier.classify("1k m44k j3 af")
        assert dutch.score(Category.THREAT) >= 0.9
        assert dutch.evidence[0].explanation == "threat pattern 'ik maak je af' in '1k m44k j3 af'"
        # A message only the model recognises: the model's insult score lifts the text tier's 0.
        rng = random.Random(3)
        insults = [synthetic_message("insult", rng) for _ in range(8)]
        results = classifier.classify_many(insults)
        model_scores = classifier.ml_tier.predict(insults)
        for text, result, model in zip(insults, results, model_scores, strict=True):
            text_only = classifier.text_tier.classify(text)
            assert result.score(Category.INSULT) >= text_only.score(Category.INSULT)
            if model[Category.INSULT] >= 0.5 and text_only.score(Category.INSULT) == 0.0:
                assert any(e.explanation.startswith(f"model {classifier.ml_tier.name}") for e in result.evidence)
        assert max(r.score(Category.INSULT) for r in results) >= 0.4
    finally:
        classifier.close()
    assert network_attempts == []
