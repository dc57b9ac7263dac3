"""detoxify's own model in torch (fp32), built from pre-filled caches without detoxify's loader.

detoxify's loader unpickles its checkpoint with `weights_only=False` (any code in the file runs). So we read the
checkpoint ourselves (checkpoints.py: a known full sha256, then `weights_only=True`) and hand the weights to
detoxify's `get_model_and_tokenizer`, which builds the transformers model and tokenizer from the Hugging Face
config in HF_HOME. TORCH_HOME/HF_HOME point at our cache and the hub is offline before transformers is imported.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from moderation.classify.ml.cache import checkpoints_dir, hf_home, point_libraries_at, verify_checkpoint
from moderation.classify.ml.checkpoints import class_names, read_checkpoint
from moderation.classify.ml.errors import ModelError, ModelIntegrityError, ModelLoadError, ModelMissingError
from moderation.classify.ml.labels import DETOXIFY_CATEGORIES, check_mapping_covers, rows_to_categories
from moderation.classify.ml.tier import BatchedTier, Scores
from moderation.classify.ml.tokens import check_tokenizer, input_limit


def _url(model: str) -> str:
    from detoxify import detoxify as detoxify_module

    url = detoxify_module.MODEL_URLS.get(model)
    if url is None:
        known = ", ".join(sorted(detoxify_module.MODEL_URLS))
        raise ModelLoadError(f"unknown detoxify model {model!r}; choose one of: {known}")
    return str(url)


def checkpoint_path(cache_dir: Path, model: str) -> Path:
    """Where torch.hub keeps detoxify's checkpoint for `model` (the file name carries its hash prefix)."""
    return checkpoints_dir(cache_dir) / Path(urlparse(_url(model)).path).name


@dataclass(frozen=True, slots=True)
class LoadedDetoxify:
    """What detoxify's `Detoxify` object holds: the model, its tokenizer and the label names."""

    model: Any
    tokenizer: Any
    class_names: list[str]


def load_detoxify(cache_dir: Path, model: str, *, offline: bool = True) -> LoadedDetoxify:
    """Verify and load detoxify's `model` from the cache. Online (`schoolwacht model download`), a missing
    checkpoint is downloaded first — and checked like any other before it is opened."""
    point_libraries_at(cache_dir, offline=offline)
    path = checkpoint_path(cache_dir, model)  # imports detoxify, hence torch and transformers: env is set now
    fetched = not offline and not path.is_file()
    if fetched:
        _download(_url(model), path)
    try:
        verify_checkpoint(path)
        checkpoint = read_checkpoint(path)
    except ModelIntegrityError:
        if fetched:
            path.unlink(missing_ok=True)  # so that the next attempt downloads it afresh
        raise
    from detoxify.detoxify import get_model_and_tokenizer

    try:
        built, tokenizer = get_model_and_tokenizer(
            **checkpoint["config"]["arch"]["args"], state_dict=checkpoint["state_dict"]
        )
    except ModelError:
        raise
    except Exception as error:  # a config or tokenizer that is missing, or weights that do not fit the model
        kind = ModelMissingError if isinstance(error, OSError) and offline else ModelLoadError
        raise kind(f"detoxify could not load {model!r} from {cache_dir}: {type(error).__name__}: {error}") from error
    detox = LoadedDetoxify(built.eval(), tokenizer, class_names(checkpoint))
    check_tokenizer(detox.tokenizer, detox.model, f"{model!r} in {hf_home(cache_dir)}")
    return detox


def _download(url: str, path: Path) -> None:
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        torch.hub.download_url_to_file(url, str(path), progress=False)
    except Exception as error:
        raise ModelMissingError(f"could not download {url}: {type(error).__name__}: {error}") from error


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
