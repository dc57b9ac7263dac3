"""The heads file: what ships loads and fits the engine; a damaged or foreign file is refused with its reason."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from moderation.classify.e5.backend import HEADS_FILE, E5Scorer
from moderation.classify.e5.engine import DIM, MODEL_SHA256, Embedder
from moderation.classify.e5.heads import HEAD_NAMES, Heads, load_heads, save_heads
from moderation.classify.ml.errors import ModelIntegrityError, ModelMissingError
from moderation.model import ABUSE_CATEGORIES


def _heads(sha: str = MODEL_SHA256, dim: int = DIM) -> Heads:
    rng = np.random.default_rng(1)
    weights = rng.normal(size=(dim, len(HEAD_NAMES))).astype(np.float32)
    return Heads(HEAD_NAMES, ((weights, np.zeros(len(HEAD_NAMES), np.float32)),), sha, "logistic")


def test_the_shipped_heads_load_and_are_small() -> None:
    heads = load_heads(HEADS_FILE)
    assert heads.names == HEAD_NAMES
    assert heads.input_dim == DIM
    assert heads.model_sha256 == MODEL_SHA256
    assert HEADS_FILE.stat().st_size < 400_000


def test_heads_survive_a_round_trip(tmp_path: Path) -> None:
    heads = _heads()
    save_heads(heads, tmp_path / "heads.json")
    again = load_heads(tmp_path / "heads.json")
    x = np.random.default_rng(2).normal(size=(4, DIM)).astype(np.float32)
    assert np.allclose(heads.probabilities(x), again.probabilities(x), atol=1e-4)


def test_a_hidden_layer_is_applied_with_relu() -> None:
    w1 = np.eye(2, dtype=np.float32)
    w2 = np.ones((2, 1), dtype=np.float32)
    heads = Heads(("insult",), ((w1, np.zeros(2, np.float32)), (w2, np.zeros(1, np.float32))), "x", "mlp")
    (row,) = heads.probabilities(np.asarray([[2.0, -3.0]], dtype=np.float32))
    assert row[0] == pytest.approx(1 / (1 + np.exp(-2.0)))  # -3 is cut to 0 by the ReLU


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("not json", "damaged"),
        ('{"format": "other/1"}', "damaged"),
        ('{"format": "schoolwacht-e5-heads/1", "names": ["insult"], "model_sha256": "x", "kind": "k"}', "damaged"),
    ],
)
def test_a_damaged_heads_file_is_refused(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "heads.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelIntegrityError, match=reason):
        load_heads(path)


def test_shapes_that_do_not_fit_are_refused(tmp_path: Path) -> None:
    raw = _heads().to_json()
    raw["layers"][0]["bias"] = [0.0]
    path = tmp_path / "heads.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ModelIntegrityError, match="shapes"):
        load_heads(path)
    raw = _heads().to_json()
    raw["layers"][0]["weights"][0][0] = float("nan")
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ModelIntegrityError, match="not finite"):
        load_heads(path)


def test_missing_heads_are_reported_as_missing(tmp_path: Path) -> None:
    with pytest.raises(ModelMissingError):
        load_heads(tmp_path / "absent.json")


def test_heads_trained_on_another_model_are_refused(embedder: Embedder) -> None:
    with pytest.raises(ModelIntegrityError, match="another e5 model"):
        E5Scorer(embedder, _heads(sha="0" * 64))
    with pytest.raises(ModelIntegrityError, match="read 12 numbers"):
        E5Scorer(embedder, _heads(dim=12))


def test_the_scorer_gives_every_category_and_folds_school_threat_into_threat(embedder: Embedder) -> None:
    scorer = E5Scorer(embedder, load_heads(HEADS_FILE))
    (scores,) = scorer(["ik neem morgen een mes mee naar school"])
    assert set(scores) == set(ABUSE_CATEGORIES)
    rows = scorer.heads.probabilities(embedder.embed(["ik neem morgen een mes mee naar school"]))[0]
    by_name = dict(zip(HEAD_NAMES, rows.tolist(), strict=True))
    assert scores[ABUSE_CATEGORIES[2]] == pytest.approx(max(by_name["threat"], by_name["school-threat"]))
