"""The training command end to end on a small invented corpus: real engine, real fitting, files that load."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from moderation.classify.e5.backend import E5Scorer
from moderation.classify.e5.combination import load_combination
from moderation.classify.e5.engine import load_embedder
from moderation.classify.e5.heads import load_heads
from moderation.classify.training.__main__ import main
from moderation.classify.training.fit import HeadRecipe
from moderation.classify.training.metrics import figures, roc_auc
from moderation.classify.training.train import FAMILIARITY_HIGH_QUANTILES, train
from moderation.model import Category
from tests.moderation.classify.ml.conftest import block_network

HARMFUL = [
    ("jij bent echt een sukkel {}", ["insult"]),
    ("niemand wil jou erbij, ga weg {}", ["harassment"]),
    ("ik sla je morgen in elkaar {}", ["threat"]),
    ("ik ben het leven zo zat {}", ["self-harm"]),
]
HARMLESS = ["hoe laat begint de les {}", "wie heeft de aantekeningen {}", "ik kill je in fortnite haha {}"]


def _corpus(folder: Path) -> Path:
    folder.mkdir()
    rows = [
        {"text": t.format(i), "labels": labels, "kind": "t", "register": "chat"}
        for t, labels in HARMFUL
        for i in range(6)
    ]
    rows += [{"text": t.format(i), "labels": [], "kind": "t", "register": "chat"} for t in HARMLESS for i in range(8)]
    held = [
        {"text": "jij bent zo'n sukkel man", "labels": ["insult"], "kind": "t", "register": "polite"},
        {"text": "hoe laat is de toets", "labels": [], "kind": "t", "register": "polite"},
    ]
    (folder / "small.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (folder / "small_heldout.jsonl").write_text("".join(json.dumps(r) + "\n" for r in held), encoding="utf-8")
    return folder


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    block_network(monkeypatch, [])


def test_training_writes_heads_and_combination_that_the_tier_loads(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    code = main(
        ["train", "--quick", "--corpus", str(corpus), "--out", str(out), "--cache", str(tmp_path / "cache.npz")]
    )
    assert code == 0
    heads = load_heads(out / "heads.json")
    combination = load_combination(out / "combination.json")
    card = (out / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "Held-out split (never trained or tuned on)" in card and "- 2 messages" in card
    assert "train --quick" in card  # a quick run says so on its card: it is not a model to ship
    assert combination.info["train_messages"] == 48
    cry, question = E5Scorer(load_embedder(), heads)(["ik ben het leven zo zat 99", "hoe laat begint de les 99"])
    assert cry[Category.SELF_HARM] > question[Category.SELF_HARM]  # seen in training: the heads learnt it


@pytest.mark.parametrize(
    "recipe", [HeadRecipe("logistic", 1.0), HeadRecipe("mlp", 1e-2, 8), HeadRecipe("logistic", 1.0, neighbours=3)]
)
def test_training_is_reproducible(tmp_path: Path, recipe: HeadRecipe) -> None:
    corpus = _corpus(tmp_path / "corpus")
    cache = tmp_path / "cache.npz"
    first = train([corpus], cache=cache, recipes=(recipe,), harmless_weights=(1.0, 3.0), log=False)
    second = train([corpus], cache=cache, recipes=(recipe,), harmless_weights=(1.0, 3.0), log=False)
    assert first.heads.kind == recipe.name and len(first.heads.layers) == (2 if recipe.kind == "mlp" else 1)
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(first.heads.layers, second.heads.layers, strict=True))
    assert np.array_equal(first.combination.weights, second.combination.weights)
    assert (first.heads.exemplars is not None) == bool(recipe.neighbours)
    if first.heads.exemplars is not None and second.heads.exemplars is not None:
        assert first.heads.exemplars.vectors.shape == (48, 384)  # every training message, out of fold too
        assert np.array_equal(first.heads.exemplars.labels, second.heads.exemplars.labels)
    assert first.heldout_eval is not None and len(first.heldout) == 2
    # the familiarity range is tried (and kept or not) only where there is a bank to measure it with
    assert len(first.familiarity_choice) == (len(FAMILIARITY_HIGH_QUANTILES) if recipe.neighbours else 0)
    assert first.heads.familiarity == second.heads.familiarity
    if first.heads.familiarity is not None:
        assert first.heads.familiarity.low < first.heads.familiarity.high
        assert first.chosen in first.cv and "familiarity" in first.chosen


def test_a_broken_corpus_stops_training_with_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "x.jsonl").write_text('{"text": "hoi"}\n', encoding="utf-8")
    assert main(["train", "--corpus", str(corpus), "--out", str(tmp_path / "out")]) == 2
    assert "x.jsonl:1" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_metrics_match_their_definitions() -> None:
    assert roc_auc([True, False, True, False], [0.9, 0.1, 0.4, 0.4]) == pytest.approx(0.875)
    assert roc_auc([True, True], [0.1, 0.2]) is None
    f = figures([True, True, False, False], [0.9, 0.2, 0.7, 0.1], [False, False, True, True])
    assert f.f1 == pytest.approx(0.5) and f.false_alarms == pytest.approx(0.5) and f.recall == pytest.approx(0.5)
