"""A local Hugging Face text-classification folder with a label map from config."""

from __future__ import annotations

import logging
import random
import shutil
from pathlib import Path
from typing import Any

import pytest

from moderation.classify.config import MLConfig
from moderation.classify.ml import ModelLoadError, load_ml_tier
from moderation.classify.ml.tier import BatchedTier
from moderation.model import Category
from tests.moderation.classify.ml.conftest import Installed
from tests.support.tiny_models import synthetic_message

LABEL_MAP = (("scheldwoord", Category.INSULT), ("bedreiging", Category.THREAT))


def _config(installed: Installed, folder: Path | None = None, **changes: Any) -> MLConfig:
    return MLConfig(
        backend="hf",
        cache_dir=installed.cache.cache_dir,
        hf_model_dir=folder or installed.hf_folder,
        hf_labels=changes.pop("hf_labels", LABEL_MAP),
        **changes,
    )


def test_the_label_map_turns_model_labels_into_categories(installed: Installed, network_attempts: list[Any]) -> None:
    tier = load_ml_tier(_config(installed))
    assert isinstance(tier, BatchedTier)
    rng = random.Random(99)
    try:
        insults = tier.predict([synthetic_message("insult", rng) for _ in range(20)])
        threats = tier.predict([synthetic_message("threat", rng) for _ in range(20)])
        calm = tier.predict([synthetic_message("neutral", rng) for _ in range(20)])
    finally:
        tier.close()
    assert set(insults[0]) == {Category.INSULT, Category.THREAT}  # "neutral" maps to nothing: ignored
    assert sum(s[Category.INSULT] > 0.5 for s in insults) >= 18
    assert sum(s[Category.THREAT] > 0.5 for s in threats) >= 18
    assert sum(max(s.values()) < 0.5 for s in calm) >= 18
    for scores in insults + threats + calm:
        assert sum(scores.values()) <= 1.0 + 1e-6  # single-label model: a softmax over its labels
    assert network_attempts == []


def test_a_map_naming_a_label_the_model_lacks_is_refused(installed: Installed) -> None:
    with pytest.raises(ModelLoadError, match=r"labels the model does not have: \['pesten'\]"):
        load_ml_tier(_config(installed, hf_labels=(("pesten", Category.HARASSMENT),)))


def test_an_empty_map_is_refused(installed: Installed) -> None:
    with pytest.raises(ModelLoadError, match="needs a label map"):
        load_ml_tier(_config(installed, hf_labels=()))


def test_a_missing_folder_gives_none_and_a_warning(
    installed: Installed, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="moderation.classify.ml"):
        assert load_ml_tier(_config(installed, folder=tmp_path / "nowhere")) is None
    assert "classifier.hf_model_dir" in caplog.text


def test_a_folder_without_weights_is_a_load_error(installed: Installed, tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    shutil.copytree(installed.hf_folder, folder)
    for weights in folder.glob("*.safetensors"):
        weights.unlink()
    with pytest.raises(ModelLoadError, match="could not load"):
        load_ml_tier(_config(installed, folder=folder))
