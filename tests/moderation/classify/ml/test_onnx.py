"""The ONNX Runtime int8 export of the tiny detoxify model: agreement with torch, integrity, no torch at run time."""

from __future__ import annotations

import json
import logging
import random
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from moderation.classify.config import MLConfig
from moderation.classify.ml import ModelIntegrityError, load_ml_tier
from moderation.classify.ml.cache import onnx_dir
from moderation.classify.ml.detoxify_backend import TorchScorer, load_detoxify
from moderation.classify.ml.onnx_backend import MANIFEST, MODEL_FILE, TOKENIZER_FILE, WEIGHTS_FILE, OnnxScorer
from moderation.classify.ml.onnx_export import TOLERANCE, agreement
from moderation.classify.ml.tier import BatchedTier
from tests.moderation.classify.ml.conftest import Installed
from tests.support.tiny_models import synthetic_message


def _onnx_config(installed: Installed) -> MLConfig:
    return MLConfig(backend="onnx", model=installed.cache.model, cache_dir=installed.cache.cache_dir)


def test_the_export_checked_its_agreement_with_torch(installed: Installed) -> None:
    assert installed.export.max_abs_diff <= TOLERANCE
    manifest = json.loads((installed.export.folder / MANIFEST).read_text())
    assert manifest["max_abs_diff"] == installed.export.max_abs_diff
    assert manifest["quantisation"].startswith("int8")


def test_int8_agrees_with_torch_within_tolerance_on_new_messages(installed: Installed) -> None:
    rng = random.Random(31337)
    texts = [
        synthetic_message(rng.choice(["insult", "threat", "identity", "sexual", "neutral"]), rng) for _ in range(40)
    ]
    texts += ["", "😀", "Ik   MAAK je AF!!!", "x" * 5000]
    torch_scorer = TorchScorer(load_detoxify(installed.cache.cache_dir, installed.cache.model))
    onnx_scorer = OnnxScorer(onnx_dir(installed.cache.cache_dir, installed.cache.model))
    assert onnx_scorer.labels == torch_scorer.labels
    assert agreement(torch_scorer, onnx_scorer, texts) <= TOLERANCE


async def test_the_onnx_tier_loads_and_batches(installed: Installed, network_attempts: list[Any]) -> None:
    tier = load_ml_tier(_onnx_config(installed))
    assert isinstance(tier, BatchedTier)
    rng = random.Random(5)
    try:
        threat = synthetic_message("threat", rng)
        (scores,) = tier.predict([threat])
        assert await tier.apredict(threat) == pytest.approx(scores, abs=1e-5)
    finally:
        tier.close()
    assert tier.name == f"onnx-int8-{installed.cache.model}"
    assert network_attempts == []


def test_a_missing_export_gives_none_and_names_export_onnx(
    installed: Installed, caplog: pytest.LogCaptureFixture
) -> None:
    (onnx_dir(installed.cache.cache_dir, installed.cache.model) / MANIFEST).unlink()
    with caplog.at_level(logging.WARNING, logger="moderation.classify.ml"):
        assert load_ml_tier(_onnx_config(installed)) is None
    assert "schoolwacht model export-onnx" in caplog.text


@pytest.mark.parametrize("name", [MODEL_FILE, WEIGHTS_FILE, TOKENIZER_FILE])
def test_a_changed_onnx_file_is_refused(installed: Installed, name: str) -> None:
    path = onnx_dir(installed.cache.cache_dir, installed.cache.model) / name
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ModelIntegrityError, match="does not match its manifest"):
        load_ml_tier(_onnx_config(installed))


def test_a_damaged_manifest_is_refused(installed: Installed) -> None:
    (onnx_dir(installed.cache.cache_dir, installed.cache.model) / MANIFEST).write_text('{"model": "x"')
    with pytest.raises(ModelIntegrityError, match="is damaged"):
        load_ml_tier(_onnx_config(installed))


def test_the_onnx_tier_never_imports_torch_or_transformers(installed: Installed) -> None:
    # A fresh process: this one has torch loaded already. No torch is what keeps the memory small.
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from moderation.classify.config import MLConfig
        from moderation.classify.ml import load_ml_tier
        tier = load_ml_tier(MLConfig(backend="onnx", model={installed.cache.model!r},
                                     cache_dir=Path({str(installed.cache.cache_dir)!r})))
        assert tier is not None
        print(sorted(tier.predict(["hoi"])[0]))
        tier.close()
        heavy = [m for m in ("torch", "transformers", "detoxify") if m in sys.modules]
        assert not heavy, heavy
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[4]
    )
    assert done.returncode == 0, done.stderr
    assert "discrimination" in done.stdout
