"""Abusive-content classification: a Dutch-first text tier, optionally combined with an ML tier.

Importing this package does no work: lexicons and models load when a classifier is built.
"""

from __future__ import annotations

import logging
import os
from functools import cache
from pathlib import Path

from moderation.classify.classifier import TieredClassifier, build_classifier, review_probability
from moderation.classify.config import ClassifierConfig, MLConfig
from moderation.classify.lexicon import LexiconError
from moderation.classify.text_tier import FirstNames

__all__ = [
    "ClassifierConfig",
    "FirstNames",
    "LexiconError",
    "MLConfig",
    "TieredClassifier",
    "build_classifier",
    "score_texts",
]


# Names a folder with the optional detoxify model for `score_texts` to use instead of the embedded e5 tier; the bot
# itself takes its backend and folder from its settings file.
MODEL_DIR_ENV = "SCHOOLWACHT_MODEL_DIR"


@cache
def _default_classifier() -> TieredClassifier:
    folder = os.environ.get(MODEL_DIR_ENV)
    config = ClassifierConfig(ml=MLConfig(backend="detoxify", cache_dir=Path(folder))) if folder else ClassifierConfig()
    try:
        return build_classifier(config)
    except Exception as exc:  # an unusable installed model must not stop an evaluation run: say so, go on
        from moderation.classify.ml import ModelError

        if not isinstance(exc, ModelError):
            raise
        logging.getLogger(__name__).error("score_texts: the ML tier could not load (%s); text tier only", exc)
        return build_classifier(ClassifierConfig(ml=None))


def score_texts(texts: list[str]) -> list[float]:
    """STABLE API: for each text, the probability (0..1) that a reviewer must see it: any abuse category, or a
    self-harm care signal.

    Uses the default offline configuration: the text tier and the embedded e5 tier with their fitted combination
    (the text tier alone where the e5 engine cannot run). With $SCHOOLWACHT_MODEL_DIR set, the optional detoxify
    model installed in that folder takes the e5 tier's place. Built on first call and reused; the ML tier runs in
    batches.
    """
    classifier = _default_classifier()
    return [review_probability(c) for c in classifier.classify_many(list(texts))]
