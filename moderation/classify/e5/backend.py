"""The e5 tier: embeddings from the embedded engine, then the project's own heads, in the batching worker."""

from __future__ import annotations

import threading
from pathlib import Path

from threadpoolctl import ThreadpoolController

from moderation.classify.e5.engine import MODEL_SHA256, Embedder, load_embedder
from moderation.classify.e5.heads import Heads, load_heads
from moderation.classify.ml.errors import ModelIntegrityError
from moderation.classify.ml.tier import BatchedTier, Scores
from moderation.model import Category

DATA = Path(__file__).parent
HEADS_FILE = DATA / "heads.json"
COMBINATION_FILE = DATA / "combination.json"
TIER_NAME = "e5"
# The batcher does not wait for company: an engine call costs ~1.5 ms besides its tokens, so a 4 ms wait would
# cost a lone message more than batching saves; texts that arrive while the engine runs form the next batch.
MAX_WAIT_MS = 0.0

# Head -> category. A weapon or violence at school is a threat: the threat score is the higher of the two heads.
HEAD_CATEGORIES: dict[str, Category] = {
    "insult": Category.INSULT,
    "harassment": Category.HARASSMENT,
    "threat": Category.THREAT,
    "discrimination": Category.DISCRIMINATION,
    "sexual": Category.SEXUAL,
    "self-harm": Category.SELF_HARM,
    "school-threat": Category.THREAT,
}


class E5Scorer:
    def __init__(self, embedder: Embedder, heads: Heads) -> None:
        if heads.model_sha256 != MODEL_SHA256:
            raise ModelIntegrityError("the e5 heads were trained on another e5 model file; train them again")
        if heads.input_dim != embedder.dim:
            raise ModelIntegrityError(f"the e5 heads read {heads.input_dim} numbers, the engine gives {embedder.dim}")
        unknown = set(heads.names) - set(HEAD_CATEGORIES)
        if unknown:
            raise ModelIntegrityError(f"the e5 heads have outputs without a category: {sorted(unknown)}")
        self.embedder = embedder
        self.heads = heads
        self._blas = ThreadpoolController().select(user_api="blas")
        self._blas_lock = threading.Lock()  # one limit at a time, so each restores what it found

    def __call__(self, texts: list[str]) -> list[Scores]:
        embeddings = self.embedder.embed(texts)
        # The exemplar vote is one matrix product of ~2 MFLOP a message: numpy's BLAS would hand it to its own
        # threads, whose wake-up cost more than the product (4-12 ms on a busy machine against 0.3 ms alone), and
        # whose split of the sums depends on the core count. On one thread the figures do not depend on the cores.
        with self._blas_lock, self._blas.limit(limits=1):
            rows = self.heads.probabilities(embeddings)
        out: list[Scores] = []
        for row in rows.tolist():
            scores: Scores = {}
            for name, value in zip(self.heads.names, row, strict=True):
                category = HEAD_CATEGORIES[name]
                scores[category] = max(scores.get(category, 0.0), float(value))
            out.append(scores)
        return out


def load_e5_scorer(heads_file: Path = HEADS_FILE, *, threads: int | None = None) -> E5Scorer:
    return E5Scorer(load_embedder(threads=threads), load_heads(heads_file))


def load_e5_tier(
    *,
    max_batch: int,
    max_wait_ms: float | None = None,
    threads: int | None = None,
    heads_file: Path = HEADS_FILE,
) -> BatchedTier:
    """`max_wait_ms` None: MAX_WAIT_MS. `threads` None: the engine's default (see `load_embedder`)."""
    scorer = load_e5_scorer(heads_file, threads=threads)
    wait = MAX_WAIT_MS if max_wait_ms is None else max_wait_ms
    return BatchedTier(TIER_NAME, scorer, max_batch=max_batch, max_wait_ms=wait, on_close=scorer.embedder.close)
