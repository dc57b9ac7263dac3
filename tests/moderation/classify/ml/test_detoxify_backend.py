"""detoxify's model loading a tiny checkpoint from pre-filled caches, with the network blocked; crafted checkpoints
that would run code are refused and never run."""

from __future__ import annotations

import asyncio
import logging
import random
import sys
from typing import Any

import pytest

from moderation.classify.config import MLConfig
from moderation.classify.ml import ModelIntegrityError, ModelLoadError, load_ml_tier
from moderation.classify.ml.tier import BatchedTier
from moderation.model import Category
from tests.moderation.classify.ml.conftest import Installed
from tests.support.tiny_models import synthetic_message


def _config(installed: Installed, **changes: Any) -> MLConfig:
    return MLConfig(backend="detoxify", model=installed.cache.model, cache_dir=installed.cache.cache_dir, **changes)


def _load(installed: Installed, **changes: Any) -> BatchedTier:
    tier = load_ml_tier(_config(installed, **changes))
    assert isinstance(tier, BatchedTier)
    return tier


def test_loads_through_detoxify_offline_and_scores_meaningfully(
    installed: Installed, network_attempts: list[Any]
) -> None:
    tier = _load(installed)
    rng = random.Random(2024)  # messages the model was not trained on (other seed), same kinds
    try:
        threats = tier.predict([synthetic_message("threat", rng) for _ in range(20)])
        calm = tier.predict([synthetic_message("neutral", rng) for _ in range(20)])
        sexual = tier.predict([synthetic_message("sexual", rng) for _ in range(20)])
    finally:
        tier.close()
    assert tier.name == f"detoxify-{installed.cache.model}"
    assert sum(s[Category.THREAT] > 0.5 for s in threats) >= 18
    assert sum(s[Category.INSULT] < 0.5 and s[Category.THREAT] < 0.5 for s in calm) >= 18
    assert sum(s[Category.SEXUAL] > 0.5 for s in sexual) >= 18
    assert set(threats[0]) == {Category.INSULT, Category.THREAT, Category.DISCRIMINATION, Category.SEXUAL}
    assert network_attempts == []


def test_a_checkpoint_with_a_bad_hash_is_refused(installed: Installed) -> None:
    data = bytearray(installed.cache.checkpoint.read_bytes())
    data[len(data) // 2] ^= 0xFF
    installed.cache.checkpoint.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="damaged or not the published file"):
        load_ml_tier(_config(installed))


def test_a_truncated_checkpoint_is_refused(installed: Installed) -> None:
    data = installed.cache.checkpoint.read_bytes()
    installed.cache.checkpoint.write_bytes(data[: len(data) // 3])
    with pytest.raises(ModelIntegrityError, match="copy it again"):
        load_ml_tier(_config(installed))


def test_a_missing_model_gives_none_and_a_warning_naming_the_install_command(
    installed: Installed, caplog: pytest.LogCaptureFixture, network_attempts: list[Any]
) -> None:
    installed.cache.checkpoint.unlink()
    with caplog.at_level(logging.WARNING, logger="moderation.classify.ml"):
        assert load_ml_tier(_config(installed)) is None
    (record,) = [r for r in caplog.records if r.name.startswith("moderation.classify.ml")]
    assert "schoolwacht model download" in record.getMessage()
    assert "text tier runs alone" in record.getMessage()
    assert network_attempts == []  # detoxify never got the chance to try downloading it


def test_missing_tokenizer_files_count_as_a_missing_model(
    installed: Installed, caplog: pytest.LogCaptureFixture, network_attempts: list[Any]
) -> None:
    for snapshot_file in (installed.cache.cache_dir / "HF_HOME").rglob("tokenizer*.json"):
        snapshot_file.unlink()
    with caplog.at_level(logging.WARNING, logger="moderation.classify.ml"):
        assert load_ml_tier(_config(installed)) is None
    assert "schoolwacht model download" in caplog.text
    assert network_attempts == []


def test_an_unknown_model_name_is_a_clear_error(installed: Installed) -> None:
    with pytest.raises(ModelLoadError, match="unknown detoxify model 'dutch-large'; choose one of"):
        load_ml_tier(MLConfig(backend="detoxify", model="dutch-large", cache_dir=installed.cache.cache_dir))


async def test_concurrent_apredict_calls_are_micro_batched_and_match_predict(installed: Installed) -> None:
    tier = _load(installed, max_batch=16, max_wait_ms=20)
    rng = random.Random(7)
    texts = [synthetic_message(rng.choice(["insult", "threat", "neutral"]), rng) for _ in range(48)]
    try:
        together = await asyncio.gather(*(tier.apredict(text) for text in texts))
        one_by_one = [tier.predict([text])[0] for text in texts]
    finally:
        tier.close()
    assert tier.batcher.batches_run < len(texts)  # 48 messages, at most 16 per model call
    assert tier.batcher.batches_run >= 3
    for batched, single in zip(together, one_by_one, strict=True):
        assert batched.keys() == single.keys()
        assert all(abs(batched[c] - single[c]) < 1e-4 for c in single)  # padding in a batch changes nothing


@pytest.mark.parametrize(
    "text",
    ["", "🔥🔥💀", "hoi \ud800 daar", "Привет ik maak je af", "stomme idioot " * 80_000],
    ids=["empty", "emoji-only", "lone-surrogate", "mixed-scripts", "one-megabyte"],
)
async def test_awkward_input_gets_scores_not_a_crash(installed: Installed, text: str) -> None:
    tier = _load(installed)
    try:
        (scores,) = tier.predict([text])
        assert scores == await tier.apredict(text) or all(
            abs(scores[c] - v) < 1e-4 for c, v in (await tier.apredict(text)).items()
        )
    finally:
        tier.close()
    assert all(0.0 <= value <= 1.0 for value in scores.values())


def test_without_the_ml_libraries_installed_the_text_tier_runs_alone(
    installed: Installed, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "detoxify", None)  # what `import detoxify` meets on a server without it
    with caplog.at_level(logging.WARNING, logger="moderation.classify.ml"):
        assert load_ml_tier(_config(installed)) is None
    assert "pip install 'schoolwacht[ml]'" in caplog.text


def test_loads_offline_even_when_huggingface_hub_was_imported_online_elsewhere(
    installed: Installed, monkeypatch: pytest.MonkeyPatch, network_attempts: list[Any]
) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)  # as imported by a process without our environment
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(installed.cache.cache_dir.parent / "someone-elses-cache"))
    tier = _load(installed)
    tier.close()
    assert constants.HF_HUB_OFFLINE is True
    assert network_attempts == []  # online mode would have asked the Hub about the config first


async def test_bulk_predict_in_threads_alongside_apredict_is_safe(installed: Installed) -> None:
    # The batching worker and bulk `predict` calls share one tokenizer and model.
    tier = _load(installed, max_batch=8, max_wait_ms=1)
    rng = random.Random(3)
    texts = [synthetic_message(rng.choice(["insult", "neutral"]), rng) for _ in range(64)]
    try:
        bulk = asyncio.gather(*(asyncio.to_thread(tier.predict, texts[i : i + 16]) for i in range(0, 64, 16)))
        singles = asyncio.gather(*(tier.apredict(text) for text in texts))
        batches, alone_scores = await asyncio.gather(bulk, singles)
    finally:
        tier.close()
    flat = [scores for batch in batches for scores in batch]
    for from_bulk, alone in zip(flat, alone_scores, strict=True):
        assert all(abs(from_bulk[c] - alone[c]) < 1e-4 for c in alone)
