"""Crafted detoxify checkpoints — pickles that would run code while loading — are refused and never run."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from moderation.classify.config import MLConfig
from moderation.classify.ml import ModelIntegrityError, load_ml_tier
from moderation.classify.ml.checkpoints import KNOWN_CHECKPOINTS
from moderation.classify.ml.detoxify_backend import TorchScorer, load_detoxify
from tests.moderation.classify.ml.conftest import block_network
from tests.support.tiny_models import DetoxifyCache, build_detoxify_cache, one_torch_thread, register_model, use_cache


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> DetoxifyCache:
    """A tiny detoxify model in its caches (briefly trained: these tests load it, they do not score with it)."""
    root = tmp_path_factory.mktemp("tiny-detoxify")
    with pytest.MonkeyPatch.context() as mp:
        block_network(mp, [])
        use_cache(root, mp)
        with one_torch_thread():
            return build_detoxify_cache(root, train_steps=5)


@dataclass(frozen=True, slots=True)
class Installed:
    cache: DetoxifyCache  # a private copy this test may damage


@pytest.fixture
def installed(tiny: DetoxifyCache, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Installed:
    cache_dir = tmp_path / "models"
    shutil.copytree(tiny.cache_dir, cache_dir)
    cache = DetoxifyCache(cache_dir, tiny.model, cache_dir / tiny.checkpoint.relative_to(tiny.cache_dir), tiny.url)
    use_cache(cache_dir, monkeypatch)
    register_model(cache, monkeypatch)
    return Installed(cache)


class RunsCode:
    """Pickles as a call of `exec`: whoever unpickles it without restrictions writes the marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return exec, (f"open({str(self.marker)!r}, 'w').write('ran')",)


def _crafted(installed: Installed, marker: Path) -> bytes:
    """The installed checkpoint's own weights and config, plus one object that runs code when unpickled."""
    import torch

    real = torch.load(installed.cache.checkpoint, map_location="cpu", weights_only=True)
    draft = marker.parent / "crafted.ckpt"
    torch.save({**real, "callbacks": RunsCode(marker)}, draft)
    return draft.read_bytes()


def _named_by_its_own_hash(installed: Installed, payload: bytes, monkeypatch: pytest.MonkeyPatch) -> str:
    """Install `payload` as a model of its own whose file name carries its hash prefix (what the name checks)."""
    from detoxify import detoxify as detoxify_module

    name = f"crafted-{hashlib.sha256(payload).hexdigest()[:8]}.ckpt"
    (installed.cache.checkpoint.parent / name).write_bytes(payload)
    monkeypatch.setitem(detoxify_module.MODEL_URLS, "crafted", f"https://models.invalid/{name}")
    return name


def _config(installed: Installed, model: str) -> MLConfig:
    return MLConfig(backend="detoxify", model=model, cache_dir=installed.cache.cache_dir)


def test_a_crafted_checkpoint_named_after_its_own_hash_is_refused_unopened(
    installed: Installed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "ran"
    _named_by_its_own_hash(installed, _crafted(installed, marker), monkeypatch)
    with pytest.raises(ModelIntegrityError, match="not one schoolwacht knows"):
        load_ml_tier(_config(installed, "crafted"))
    assert not marker.exists()


def test_a_crafted_checkpoint_in_place_of_the_known_one_is_refused_unopened(
    installed: Installed, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    installed.cache.checkpoint.write_bytes(_crafted(installed, marker))
    with pytest.raises(ModelIntegrityError, match="damaged or not the published file"):
        load_ml_tier(_config(installed, installed.cache.model))
    assert not marker.exists()


def test_even_a_pinned_checkpoint_is_read_as_weights_only_and_never_runs_code(
    installed: Installed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "ran"
    payload = _crafted(installed, marker)
    name = _named_by_its_own_hash(installed, payload, monkeypatch)
    monkeypatch.setitem(KNOWN_CHECKPOINTS, name, hashlib.sha256(payload).hexdigest())  # type: ignore[index]
    with pytest.raises(ModelIntegrityError, match="holds more than weights"):
        load_detoxify(installed.cache.cache_dir, "crafted")
    assert not marker.exists()


def test_the_known_checkpoint_still_loads(installed: Installed) -> None:
    detox = load_detoxify(installed.cache.cache_dir, installed.cache.model)
    assert detox.class_names and detox.model.training is False
    (scores,) = TorchScorer(detox)(["jij bent een sukkel"])
    assert scores and all(0.0 <= value <= 1.0 for value in scores.values())
