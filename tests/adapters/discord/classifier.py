"""The classifier the Discord tests use: the project's real text tier when it is importable, so the tests run the
full pipeline; otherwise a stand-in that knows a handful of Dutch insults (the adapter under test does not care
how the score came about, only what the pipeline does with it)."""

from __future__ import annotations

import re

from moderation.classify.config import ClassifierConfig
from moderation.model import Category, Classification, Evidence
from moderation.ports import Classifier

_STAND_IN_INSULTS = ("klootzak", "sukkel", "idioot", "hufter")


class StandInClassifier:
    def __init__(self) -> None:
        self._pattern = re.compile(r"\b(" + "|".join(_STAND_IN_INSULTS) + r")\b", re.IGNORECASE)

    async def classify(self, text: str) -> Classification:
        found = self._pattern.search(text)
        if found is None:
            return Classification(scores=((Category.INSULT, 0.0),))
        why = f"insult '{found.group(1)}'"
        return Classification(scores=((Category.INSULT, 0.95),), evidence=(Evidence(Category.INSULT, 0.95, why),))


def make_classifier() -> Classifier:
    try:
        from moderation.classify import build_classifier  # type: ignore[attr-defined]
    except ImportError:
        return StandInClassifier()
    return build_classifier(ClassifierConfig(ml=None))  # type: ignore[no-any-return]
