"""The classifier the pipeline uses: the text tier, plus the ML tier when one is configured and installed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from moderation.classify.combine import combine
from moderation.classify.config import ClassifierConfig, MLConfig
from moderation.classify.normalize import strip_invisible
from moderation.classify.text_tier import FirstNames, TextResult, TextTier
from moderation.model import Category, Classification

if TYPE_CHECKING:
    from moderation.classify.ml import MLTier, Scores

log = logging.getLogger(__name__)

SCORE_BATCH = 32  # texts per ML `predict` call in `classify_many`
INLINE_LIMIT = 2_000  # characters; longer texts are judged in a worker thread (tens of µs per 100 characters)


def visible(text: str) -> str:
    """What the ML tier reads: the text without invisible characters, which would otherwise fill its window of
    tokens and hide the words after them (20,000 soft hyphens before an insult)."""
    return strip_invisible(text)[0]


def _load_ml(config: MLConfig) -> MLTier | None:
    """The ML tier, or None when it is not installed (the loader has logged how to install it)."""
    try:
        from moderation.classify.ml import load_ml_tier
    except ImportError as exc:  # the ML package or its dependencies are absent: the text tier runs alone
        log.warning("the ML tier cannot be imported (%s); the text tier runs alone", exc)
        return None
    return load_ml_tier(config)


class Combiner(Protocol):
    """How the text tier's result and the ML tier's scores become one classification."""

    def combine(self, text: TextResult, ml: Mapping[Category, float], tier_name: str) -> Classification: ...


class MarginCombiner:
    """For the optional models (detoxify, ONNX, a school's HF model): the rules in `combine.py`."""

    def combine(self, text: TextResult, ml: Mapping[Category, float], tier_name: str) -> Classification:
        return combine(text.classification, text.context_factor, ml, tier_name)


class TieredClassifier:
    """Implements `moderation.ports.Classifier`."""

    def __init__(
        self,
        text_tier: TextTier,
        ml_tier: MLTier | None = None,
        combiner: Combiner | None = None,
        ml_reads: Callable[[str], str] = visible,
    ) -> None:
        """`ml_reads`: what the ML tier is given of a message (the e5 tier: the text tier's reading, on which its
        heads were trained)."""
        self.text_tier = text_tier
        self.ml_tier = ml_tier
        self.combiner: Combiner = combiner or MarginCombiner()
        self.ml_reads = ml_reads

    @property
    def name(self) -> str:
        return "text" if self.ml_tier is None else f"text+{self.ml_tier.name}"

    async def classify(self, text: str) -> Classification:
        huge = len(text) > INLINE_LIMIT  # a huge message takes milliseconds: keep the event loop free meanwhile
        ml_pending = await self._ask_ml(
            text, huge
        )  # queued first: the ML tier's worker wakes while the text tier reads
        try:
            if huge:
                result = await asyncio.to_thread(self.text_tier.analyse, text)
            else:
                result = self.text_tier.analyse(text)
        except BaseException:
            if ml_pending is not None:
                ml_pending.cancel()
            raise
        if self.ml_tier is None or ml_pending is None:
            return result.classification
        try:
            ml_scores = await ml_pending
        except Exception as exc:  # the second tier failing must not throw away the first tier's judgement
            log.exception("the ML tier %s failed; this message is judged by the text tier alone", self.ml_tier.name)
            failed = f"ML tier {self.ml_tier.name} failed ({type(exc).__name__}: {exc}); text tier only"
            note = "; ".join(n for n in (result.classification.note, failed) if n)
            return replace(result.classification, note=note)
        return self.combiner.combine(result, ml_scores, self.ml_tier.name)

    async def _ask_ml(self, text: str, huge: bool) -> asyncio.Future[Scores] | None:
        """The ML tier's answer to come (a failure to queue is its answer too), or None without an ML tier."""
        if self.ml_tier is None:
            return None
        try:
            read = await asyncio.to_thread(self.ml_reads, text) if huge else self.ml_reads(text)
            return asyncio.ensure_future(self.ml_tier.apredict(read))
        except Exception as exc:
            failed: asyncio.Future[Scores] = asyncio.get_running_loop().create_future()
            failed.set_exception(exc)
            return failed

    def classify_many(self, texts: Sequence[str]) -> list[Classification]:
        """Blocking, batched: for evaluation and bulk scoring, never from the event loop."""
        results = [self.text_tier.analyse(t) for t in texts]
        if self.ml_tier is None:
            return [r.classification for r in results]
        out: list[Classification] = []
        for start in range(0, len(texts), SCORE_BATCH):
            batch = list(texts[start : start + SCORE_BATCH])
            predictions = self.ml_tier.predict([self.ml_reads(t) for t in batch])
            for result, ml_scores in zip(results[start : start + len(batch)], predictions, strict=True):
                out.append(self.combiner.combine(result, ml_scores, self.ml_tier.name))
        return out

    def close(self) -> None:
        if self.ml_tier is not None:
            self.ml_tier.close()


def review_probability(classification: Classification) -> float:
    """One number per text: the chance a reviewer must see it, i.e. its highest category, self-harm care included."""
    return max((v for _, v in classification.scores), default=0.0)


def abuse_probability(classification: Classification) -> float:
    """The highest abuse category, leaving out self-harm (which calls for care, not sanction)."""
    return max((v for c, v in classification.scores if c is not Category.SELF_HARM), default=0.0)


def _combiner(config: MLConfig, ml_tier: MLTier | None) -> Combiner | None:
    if ml_tier is None or config.backend != "e5":
        return None
    from moderation.classify.e5 import COMBINATION_FILE, load_combination

    return load_combination(COMBINATION_FILE)


def build_classifier(config: ClassifierConfig, first_names: FirstNames | None = None) -> TieredClassifier:
    """The text tier, combined with the ML tier when `config.ml` is set and its model is installed.
    `first_names`: the roster's first names of the moment (people the text tier takes for targets).

    Raises LexiconError (naming the file and entry) when a school's lexicon file is malformed.
    """
    text_tier = TextTier.from_config(config, first_names)
    ml_tier = _load_ml(config.ml) if config.ml is not None else None
    combiner = _combiner(config.ml, ml_tier) if config.ml is not None else None
    reads = text_tier.reading if config.ml is not None and config.ml.backend == "e5" else visible
    return TieredClassifier(text_tier, ml_tier, combiner, reads)
