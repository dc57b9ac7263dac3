"""Nearest exemplars: how the training messages closest to a message were labelled, numpy only.

The bank (`exemplars.npz`, written by `python -m moderation.classify.training`) holds the e5 embeddings of the
corpus's training messages and their labels per head. A message's vote per head is the similarity-weighted share
of its nearest exemplars that carry that label: a neutral mention of faith or a plan for tomorrow at school sits
among the harmless messages written to look like it, which a linear head on the same embeddings cannot see.
How close those nearest exemplars are (their mean cosine similarity) is the message's familiarity: how much it is
like anything the heads were trained on (`heads.Familiarity` uses it).
Loaded with `allow_pickle=False` (numbers only), and refused when its sha256 is not the one the heads name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from moderation.classify.ml.cache import sha256_file
from moderation.classify.ml.errors import ModelIntegrityError, ModelMissingError

Matrix = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Exemplars:
    vectors: Matrix  # (n, dim), L2-normalised e5 embeddings of the training messages
    labels: Matrix  # (n, heads), 0 or 1
    neighbours: int  # how many nearest exemplars vote
    temperature: float  # how much a closer exemplar counts more: weight exp(temperature * cosine similarity)

    def votes(self, embeddings: Matrix) -> npt.NDArray[np.float64]:
        """(m, heads) similarity-weighted label shares of each message's nearest exemplars."""
        return self.nearest(embeddings)[0]

    def nearest(self, embeddings: Matrix) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """The votes, and (m,) each message's familiarity: the mean cosine similarity of its nearest exemplars."""
        if len(embeddings) == 0:
            return np.zeros((0, self.labels.shape[1])), np.zeros(0)
        similarity = embeddings.astype(np.float32) @ self.vectors.T
        k = min(self.neighbours, len(self.vectors))
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        close = np.take_along_axis(similarity, nearest, axis=1).astype(np.float64)
        weights = np.exp((close - close.max(axis=1, keepdims=True)) * self.temperature)
        weights /= weights.sum(axis=1, keepdims=True)
        votes: npt.NDArray[np.float64] = np.einsum("mk,mkh->mh", weights, self.labels[nearest].astype(np.float64))
        familiarity: npt.NDArray[np.float64] = close.mean(axis=1)
        return votes, familiarity

    def check(self, source: str, dim: int, heads: int) -> None:
        if self.vectors.ndim != 2 or self.vectors.shape[1] != dim or len(self.vectors) == 0:
            raise ModelIntegrityError(f"{source}: exemplar vectors of shape {self.vectors.shape}, expected (n, {dim})")
        if self.labels.shape != (len(self.vectors), heads) or not np.isin(self.labels, (0.0, 1.0)).all():
            raise ModelIntegrityError(f"{source}: exemplar labels of shape {self.labels.shape} or not 0/1")
        if not np.isfinite(self.vectors).all() or self.neighbours < 1 or not np.isfinite(self.temperature):
            raise ModelIntegrityError(f"{source}: exemplars that are not finite, or no neighbours")


def save_exemplars(exemplars: Exemplars, path: Path) -> str:
    """Writes the bank (vectors as float16: 2 bytes a number) and returns the file's sha256."""
    with path.open("wb") as handle:
        np.savez_compressed(
            handle,
            vectors=exemplars.vectors.astype(np.float16),
            labels=exemplars.labels.astype(np.uint8),
            neighbours=np.asarray(exemplars.neighbours),
            temperature=np.asarray(exemplars.temperature),
        )
    return sha256_file(path)


def load_exemplars(path: Path, expected_sha256: str) -> Exemplars:
    if not path.is_file():
        raise ModelMissingError(f"the e5 exemplar bank {path} is not installed")
    actual = sha256_file(path)
    if actual != expected_sha256:
        raise ModelIntegrityError(
            f"{path} is not the exemplar bank the heads were trained with (sha256 {actual[:16]}…, "
            f"expected {expected_sha256[:16]}…)"
        )
    try:
        with np.load(path, allow_pickle=False) as raw:
            loaded: dict[str, Any] = {name: raw[name] for name in ("vectors", "labels", "neighbours", "temperature")}
    except (OSError, KeyError, ValueError) as error:
        raise ModelIntegrityError(f"{path} is damaged: {type(error).__name__}: {error}") from error
    return Exemplars(
        np.ascontiguousarray(loaded["vectors"], dtype=np.float32),
        np.asarray(loaded["labels"], dtype=np.float32),
        int(loaded["neighbours"]),
        float(loaded["temperature"]),
    )
