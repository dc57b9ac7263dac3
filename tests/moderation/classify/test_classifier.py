"""build_classifier, the combiner with an ML tier, and the stable score_texts API."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from moderation.classify import build_classifier, score_texts
from moderation.classify.classifier import TieredClassifier, abuse_probability
from moderation.classify.combine import ML_MARGIN, combine
from moderation.classify.config import ClassifierConfig
from moderation.classify.ml.tier import BatchedTier
from moderation.classify.text_tier import TextResult, TextTier
from moderation.model import Category, Classification
from moderation.ports import Classifier


class FixedModel:
    """A stand-in ML tier with fixed scores (pure logic: the real tiers are tested in ml/)."""

    name = "fixed"

    def __init__(self, scores: dict[Category, float]) -> None:
        self.scores = scores
        self.closed = False
        self.batches: list[int] = []
        self.read: list[str] = []

    def predict(self, texts: Sequence[str]) -> list[dict[Category, float]]:
        self.batches.append(len(texts))
        self.read += texts
        return [dict(self.scores) for _ in texts]

    async def apredict(self, text: str) -> dict[Category, float]:
        self.read.append(text)
        return dict(self.scores)

    def close(self) -> None:
        self.closed = True


def tiered(tier: TextTier, scores: dict[Category, float]) -> tuple[TieredClassifier, FixedModel]:
    model = FixedModel(scores)
    return TieredClassifier(tier, model), model


async def test_text_tier_alone_implements_the_port() -> None:
    classifier: Classifier = build_classifier(ClassifierConfig(ml=None))
    result = await classifier.classify("ik maak je af")
    assert result.score(Category.THREAT) >= 0.9


def test_missing_model_falls_back_to_the_text_tier(tmp_path: Path) -> None:
    # In a fresh interpreter: the ML loader must run before anything imports transformers.
    code = (
        "import asyncio, logging; logging.basicConfig(level=logging.WARNING)\n"
        "from pathlib import Path\n"
        "from moderation.classify import build_classifier, ClassifierConfig, MLConfig\n"
        "from moderation.model import Category\n"
        f"ml = MLConfig(backend='detoxify', cache_dir=Path({str(tmp_path / 'models')!r}))\n"
        "c = build_classifier(ClassifierConfig(ml=ml))\n"
        "print(c.ml_tier is None, asyncio.run(c.classify('jij bent een kankerlijer')).score(Category.INSULT))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == ["True", "0.9"]
    assert "schoolwacht model download" in done.stderr


async def test_ml_raises_a_category_the_text_tier_missed(tier: TextTier) -> None:
    classifier, _ = tiered(tier, {Category.INSULT: 0.95, Category.THREAT: 0.02})
    result = await classifier.classify("you absolute walnut")
    assert result.score(Category.INSULT) == pytest.approx(0.95 - ML_MARGIN)
    assert any("model fixed scored insult 0.95" in e.explanation for e in result.evidence)


async def test_lukewarm_ml_changes_nothing_and_cannot_lower_the_text_tier(tier: TextTier) -> None:
    classifier, _ = tiered(tier, {Category.INSULT: 0.45, Category.THREAT: 0.0})
    assert (await classifier.classify("hoi, hoe gaat het")).score(Category.INSULT) < 0.4
    assert (await classifier.classify("ik maak je af")).score(Category.THREAT) >= 0.9


async def test_counter_speech_context_softens_the_ml_score(tier: TextTier) -> None:
    classifier, _ = tiered(tier, {Category.DISCRIMINATION: 0.9})
    softened = await classifier.classify('stop met mensen "vieze flikker" te noemen, dat is kwetsend')
    plain = await classifier.classify("vieze flikker")
    assert softened.score(Category.DISCRIMINATION) < 0.5
    assert plain.score(Category.DISCRIMINATION) >= 0.8


class BrokenModel(FixedModel):
    async def apredict(self, text: str) -> dict[Category, float]:
        raise RuntimeError("onnxruntime: out of memory")


async def test_a_failing_ml_tier_leaves_the_text_tiers_judgement_and_says_so(
    tier: TextTier, caplog: pytest.LogCaptureFixture
) -> None:
    classifier = TieredClassifier(tier, BrokenModel({}))
    result = await classifier.classify("jij bent een kankerlijer")
    assert result.score(Category.INSULT) >= 0.8
    assert result.note == "ML tier fixed failed (RuntimeError: onnxruntime: out of memory); text tier only"
    assert "the ML tier fixed failed" in caplog.text


def test_ml_has_no_opinion_on_categories_without_a_label() -> None:
    text = Classification(((Category.HARASSMENT, 0.88), (Category.INSULT, 0.0)))
    combined = combine(text, 1.0, {Category.INSULT: 0.3})
    assert combined.score(Category.HARASSMENT) == 0.88
    assert combined.score(Category.INSULT) == 0.2


def test_classify_many_batches_the_model(tier: TextTier) -> None:
    classifier, model = tiered(tier, {Category.INSULT: 0.0})
    results = classifier.classify_many([f"bericht {i}" for i in range(70)])
    assert len(results) == 70
    assert model.batches == [32, 32, 6]
    classifier.close()
    assert model.closed


async def test_the_ml_tier_is_given_what_ml_reads_makes_of_the_message(tier: TextTier) -> None:
    model = FixedModel({Category.INSULT: 0.0})
    plain = TieredClassifier(tier, model)
    await plain.classify("ze is echt SL.IM\u00ad")
    assert model.read == ["ze is echt SL.IM"]  # by default: the visible text
    model.read.clear()
    reading = TieredClassifier(tier, model, ml_reads=tier.reading)
    await reading.classify("ze is echt SL.IM")
    reading.classify_many(["jij bent een k-l00tz4k"])
    assert model.read == ["ze is echt slim", "jij bent een klootzak"]


def test_the_reading_undoes_the_tricks_and_nothing_else(tier: TextTier) -> None:
    assert tier.reading("\u00ad" * 20_000 + "Jij BENT een h😂oer!") == "jij bent een hoer!"
    assert tier.reading("moslims vieren het s u i k e r f e e s t") == "moslims vieren het suikerfeest"
    assert tier.reading("wat je zegt klopt") == "wat je zegt klopt"  # two words, though "watje" is one too
    assert tier.reading("ze gaan de school sluuuuuiten") == "ze gaan de school sluiten"
    assert tier.reading("bij de fietsenstalli ng, jij kank er") == "bij de fietsenstalling, jij kanker"
    assert tier.reading("kijk   hier https://example.org  #huiswerk") == "kijk hier huiswerk"
    assert len(tier.reading("echt waar " * 10_000)) <= 2000


def test_abuse_probability_leaves_self_harm_out() -> None:
    result = Classification(((Category.SELF_HARM, 0.9), (Category.INSULT, 0.2)))
    assert abuse_probability(result) == 0.2


def test_score_texts_shape_and_range() -> None:
    texts = ["ik maak je af", "hallo allemaal", "", "jij bent een kankerlijer", "😂", "\ud800", "x" * 1_000_000]
    scores = score_texts(texts)
    assert len(scores) == len(texts)
    assert all(isinstance(s, float) and 0.0 <= s <= 1.0 for s in scores)
    assert scores[0] >= 0.8 and scores[3] >= 0.8
    assert scores[1] < 0.5 and scores[2] < 0.5  # calibrated probabilities: low, not necessarily 0
    assert score_texts([]) == []


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return done.stdout.strip()


def test_importing_does_no_work() -> None:
    out = _run(
        "import sys, moderation.classify as c; "
        "print(c._default_classifier.cache_info().currsize, 'torch' in sys.modules, 'transformers' in sys.modules)"
    )
    assert out == "0 False False"


def test_moderation_imports_no_platform_sdk() -> None:
    out = _run(
        "import importlib, pkgutil, sys, moderation\n"
        "for m in pkgutil.walk_packages(moderation.__path__, 'moderation.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in ('discord', 'nio')))"
    )
    assert out == "[]"


async def test_a_huge_message_is_judged_off_the_event_loop(tier: TextTier) -> None:
    classifier = TieredClassifier(tier)
    result = await classifier.classify("jij bent een kankerlijer " + "bla " * 300_000)
    assert result.score(Category.INSULT) >= 0.8
    assert result.note == "judged the first 131,072 of 1,200,025 visible characters; judged in 73 overlapping parts"


def test_score_texts_looks_for_the_model_where_the_environment_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import moderation.classify as classify

    monkeypatch.setenv("SCHOOLWACHT_MODEL_DIR", str(tmp_path / "models"))
    classify._default_classifier.cache_clear()
    try:
        assert classify.score_texts(["hallo"]) == [0.0]
    finally:
        classify._default_classifier.cache_clear()
    assert str(tmp_path / "models") in caplog.text  # the missing-model warning names the folder it looked in


async def test_the_ml_tier_is_asked_before_the_text_tier_reads(tier: TextTier) -> None:
    # The ML tier's worker thread starts on the message while the text tier reads it on the event loop.
    started = threading.Event()
    seen: list[bool] = []

    def run(texts: list[str]) -> list[dict[Category, float]]:
        started.set()
        return [{Category.INSULT: 0.0} for _ in texts]

    model = BatchedTier("fixed", run, max_batch=4, max_wait_ms=0)
    analyse = tier.analyse

    def read(text: str) -> TextResult:
        seen.append(started.wait(5))  # the worker runs meanwhile (this wait lets go of the GIL)
        return analyse(text)

    classifier = TieredClassifier(tier, model)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(tier, "analyse", read)
            result = await classifier.classify("ik maak je af")
    finally:
        classifier.close()
    assert seen == [True] and model.batcher.batches_run == 1
    assert result.score(Category.THREAT) >= 0.9


async def test_an_ml_tier_that_cannot_take_the_text_leaves_the_text_tiers_judgement(tier: TextTier) -> None:
    model = BatchedTier("fixed", lambda texts: [{} for _ in texts], max_batch=4, max_wait_ms=0)
    classifier = TieredClassifier(tier, model)
    model.close()  # queueing now fails at once, before the text tier has read anything
    result = await classifier.classify("jij bent een kankerlijer")
    assert result.score(Category.INSULT) >= 0.8
    assert result.note == "ML tier fixed failed (RuntimeError: the ML tier is closed); text tier only"
