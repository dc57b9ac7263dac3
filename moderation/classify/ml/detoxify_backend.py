"""detoxify's own model in torch (fp32), loaded through detoxify's default path from pre-filled caches.

Only `Detoxify(model)` with no `checkpoint=` stays offline: its `checkpoint=` path still asks the Hugging Face Hub
for the config. So we point TORCH_HOME/HF_HOME at our cache, switch the hub offline before transformers is
imported, and check the checkpoint ourselves first (present, sha256 matching its name).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from moderation.classify.ml.cache import checkpoints_dir, hf_home, point_libraries_at, verify_checkpoint
from moderation.classify.ml.errors import ModelError, ModelLoadError, ModelMissingError
from moderation.classify.ml.labels import DETOXIFY_CATEGORIES, check_mapping_covers, rows_to_categories
from moderation.classify.ml.tier import BatchedTier, Scores
from moderation.classify.ml.tokens import check_tokenizer, input_limit


def checkpoint_path(cache_dir: Path, model: str) -> Path:
    """Where torch.hub keeps detoxify's checkpoint for `model` (the file name carries its hash prefix)."""
    from detoxify import detoxify as detoxify_module

    url = detoxify_module.MODEL_URLS.get(model)
    if url is None:
        known = ", ".join(sorted(detoxify_module.MODEL_URLS))
        raise ModelLoadError(f"unknown detoxify model {model!r}; choose one of: {known}")
    return checkpoints_dir(cache_dir) / Path(urlparse(url).path).name


def load_detoxify(cache_dir: Path, model: str, *, offline: bool = True) -> Any:
    """Verify and load `Detoxify(model)` from the cache; returns the detoxify object (model, tokenizer, labels)."""
    point_libraries_at(cache_dir, offline=offline)
    path = checkpoint_path(cache_dir, model)  # imports detoxify, hence torch and transformers: env is set now
    if offline:
        verify_checkpoint(path)
    from detoxify import Detoxify

    try:
        detox = Detoxify(model)
    except ModelError:
        raise
    except Exception as error:  # a pickle or config that passed the hash but still fails to load
        kind = ModelMissingError if isinstance(error, OSError) and offline else ModelLoadError
        raise kind(f"detoxify could not load {model!r} from {cache_dir}: {type(error).__name__}: {error}") from error
    check_tokenizer(detox.tokenizer, detox.model, f"{model!r} in {hf_home(cache_dir)}")
    return detox


class TorchScorer:
    """Runs detoxify's model on a batch: the same computation as `Detoxify.predict`, with explicit truncation."""

    def __init__(self, detox: Any) -> None:
        import torch

        self._torch = torch
        self._lock = threading.Lock()
        self.model = detox.model.eval()
        self.tokenizer = detox.tokenizer
        self.labels: list[str] = list(detox.class_names)
        self.max_length = input_limit(self.tokenizer, self.model)
        check_mapping_covers(self.labels, DETOXIFY_CATEGORIES, "detoxify")

    def probabilities(self, texts: list[str]) -> list[list[float]]:
        # transformers re-sets the Rust tokenizer's padding/truncation on every call: two threads at once (the
        # batching worker and a bulk `predict`) would collide ("Already borrowed"), hence the lock.
        with self._lock, self._torch.inference_mode():
            inputs = self.tokenizer(
                texts, return_tensors="pt", truncation=True, padding=True, max_length=self.max_length
            )
            logits = self.model(**inputs)[0]
            rows: list[list[float]] = self._torch.sigmoid(logits).tolist()
        return rows

    def __call__(self, texts: list[str]) -> list[Scores]:
        return rows_to_categories(self.labels, self.probabilities(texts), DETOXIFY_CATEGORIES)


def load_detoxify_tier(cache_dir: Path, model: str, *, max_batch: int, max_wait_ms: float) -> BatchedTier:
    scorer = TorchScorer(load_detoxify(cache_dir, model))
    return BatchedTier(f"detoxify-{model}", scorer, max_batch=max_batch, max_wait_ms=max_wait_ms)
