"""Fixtures for the text tier tests: one tier built from the bundled lexicon (building is cheap, ~50 ms)."""

from __future__ import annotations

import pytest

from moderation.classify.config import ClassifierConfig
from moderation.classify.text_tier import TextTier


@pytest.fixture(scope="module")
def tier() -> TextTier:
    return TextTier.from_config(ClassifierConfig(ml=None))
