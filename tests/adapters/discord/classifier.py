"""The classifier the Discord tests use: the project's real text tier (no ML model), so the full pipeline runs."""

from __future__ import annotations

from moderation.classify import build_classifier
from moderation.classify.config import ClassifierConfig
from moderation.ports import Classifier


def make_classifier() -> Classifier:
    return build_classifier(ClassifierConfig(ml=None))
