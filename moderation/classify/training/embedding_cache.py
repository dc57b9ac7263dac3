"""Embeddings of corpus texts, kept on disk between training runs (embedding ~4,000 texts takes about a minute).

The cache is keyed by the e5 model file's sha256 and by text: another model, or an edited text, is embedded anew.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from moderation.classify.e5.engine import DIM, MODEL_SHA256, Embedder, Embeddings

BATCH = 32


def embed_cached(embedder: Embedder, texts: Sequence[str], path: Path | None) -> Embeddings:
    known: dict[str, np.ndarray] = {}
    if path is not None and path.is_file():
        with np.load(path, allow_pickle=False) as saved:
            if str(saved["model_sha256"]) == MODEL_SHA256:
                known = dict(zip(saved["texts"].tolist(), saved["vectors"], strict=True))
    missing = sorted({t for t in texts if t not in known})
    for start in range(0, len(missing), BATCH):
        batch = missing[start : start + BATCH]
        known.update(zip(batch, embedder.embed(batch), strict=True))
    if path is not None and missing:
        path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(known)
        np.savez(
            path,
            model_sha256=np.asarray(MODEL_SHA256),
            texts=np.asarray(keys),
            vectors=np.asarray([known[k] for k in keys], dtype=np.float32).reshape(len(keys), DIM),
        )
    return np.asarray([known[t] for t in texts], dtype=np.float32).reshape(len(texts), DIM)
