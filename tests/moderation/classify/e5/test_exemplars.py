"""The exemplar bank: nearest messages vote by similarity and say how familiar a message is; the bank and the range
in which the heads are trusted travel with the heads and are checked."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from moderation.classify.e5.backend import HEADS_FILE
from moderation.classify.e5.engine import DIM, MODEL_SHA256
from moderation.classify.e5.exemplars import Exemplars
from moderation.classify.e5.heads import EXEMPLARS_FILE, HEAD_NAMES, Familiarity, Heads, load_heads, save_heads
from moderation.classify.ml.errors import ModelIntegrityError, ModelMissingError


def _unit(rows: list[list[float]]) -> np.ndarray:
    x = np.asarray(rows, dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_the_nearest_exemplars_vote_and_the_closer_one_counts_more() -> None:
    vectors = _unit([[1, 0], [0.9, 0.1], [0, 1]])
    labels = np.asarray([[1.0], [0.0], [0.0]], dtype=np.float32)
    bank = Exemplars(vectors, labels, neighbours=2, temperature=20.0)
    (near_first, near_third) = bank.votes(_unit([[1, 0.01], [0.01, 1]]))
    assert 0.5 < near_first[0] < 1.0  # its two nearest: the labelled one (closer) and the harmless one
    assert near_third[0] < 0.05  # its two nearest are both harmless: the labelled one is not among them
    assert Exemplars(vectors, labels, neighbours=2, temperature=0.0).votes(_unit([[1, 0.01]]))[0, 0] == 0.5


def _heads_with_bank(n: int = 20) -> Heads:
    rng = np.random.default_rng(3)
    weights = rng.normal(size=(DIM, len(HEAD_NAMES))).astype(np.float32)
    vectors = rng.normal(size=(n, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = (rng.random((n, len(HEAD_NAMES))) < 0.3).astype(np.float32)
    layer = (weights, np.zeros(len(HEAD_NAMES), np.float32))
    return Heads(HEAD_NAMES, (layer,), MODEL_SHA256, "logistic", Exemplars(vectors, labels, 3, 20.0))


def test_heads_average_their_output_with_the_vote() -> None:
    heads = _heads_with_bank()
    assert heads.exemplars is not None
    x = heads.exemplars.vectors[:4]
    alone = replace(heads, exemplars=None).probabilities(x)
    assert np.allclose(heads.probabilities(x), (alone + heads.exemplars.votes(x)) / 2)


def test_the_bank_is_saved_beside_the_heads_and_loads_back(tmp_path: Path) -> None:
    heads = _heads_with_bank()
    save_heads(heads, tmp_path / "heads.json")
    assert (tmp_path / EXEMPLARS_FILE).is_file()
    again = load_heads(tmp_path / "heads.json")
    x = np.random.default_rng(4).normal(size=(5, DIM)).astype(np.float32)
    assert np.allclose(heads.probabilities(x), again.probabilities(x), atol=2e-3)  # the bank is float16


def test_a_bank_that_is_not_the_one_the_heads_name_is_refused(tmp_path: Path) -> None:
    save_heads(_heads_with_bank(), tmp_path / "heads.json")
    other = tmp_path / "other"
    other.mkdir()
    save_heads(_heads_with_bank(n=21), other / "heads.json")
    (tmp_path / EXEMPLARS_FILE).write_bytes((other / EXEMPLARS_FILE).read_bytes())
    with pytest.raises(ModelIntegrityError, match="not the exemplar bank"):
        load_heads(tmp_path / "heads.json")
    (tmp_path / EXEMPLARS_FILE).unlink()
    with pytest.raises(ModelMissingError):
        load_heads(tmp_path / "heads.json")


def test_a_bank_of_the_wrong_shape_is_refused() -> None:
    heads = _heads_with_bank()
    assert heads.exemplars is not None
    with pytest.raises(ModelIntegrityError, match="shape"):
        heads.exemplars.check("bank", DIM + 1, len(HEAD_NAMES))
    with pytest.raises(ModelIntegrityError, match="labels"):
        heads.exemplars.check("bank", DIM, len(HEAD_NAMES) + 1)


def test_the_shipped_bank_fits_the_shipped_heads() -> None:
    heads = load_heads(HEADS_FILE)
    assert heads.exemplars is not None
    assert heads.exemplars.vectors.shape[1] == DIM
    assert heads.exemplars.labels.shape == (len(heads.exemplars.vectors), len(HEAD_NAMES))
    assert (HEADS_FILE.parent / EXEMPLARS_FILE).stat().st_size < 8_000_000


def test_familiarity_is_the_mean_similarity_of_the_nearest_exemplars() -> None:
    vectors = _unit([[1, 0], [0.8, 0.6], [0, 1]])
    bank = Exemplars(vectors, np.zeros((3, 1), dtype=np.float32), neighbours=2, temperature=20.0)
    votes, familiarity = bank.nearest(_unit([[1, 0]]))
    assert familiarity[0] == pytest.approx((1.0 + 0.8) / 2)
    assert np.array_equal(votes, bank.votes(_unit([[1, 0]])))


def _with_range(heads: Heads, low: float, high: float) -> Heads:
    return replace(heads, familiarity=Familiarity(low, high, tuple(-3.0 for _ in HEAD_NAMES)))


def test_far_from_every_exemplar_the_heads_say_what_a_harmless_message_gets() -> None:
    heads = _heads_with_bank()
    assert heads.exemplars is not None
    familiar = heads.exemplars.vectors[:2]  # themselves in the bank: familiarity near 1
    far = np.random.default_rng(5).normal(size=(2, DIM)).astype(np.float32)
    far /= np.linalg.norm(far, axis=1, keepdims=True)  # random directions: similarity near 0
    ranged = _with_range(heads, 0.2, 0.3)  # three neighbours: itself (1) and two near 0 make ~0.4
    assert np.allclose(ranged.probabilities(familiar), heads.probabilities(familiar), atol=1e-6)
    assert np.allclose(ranged.probabilities(far), 1 / (1 + np.exp(3.0)))
    # within the range the head's log-odds are drawn towards the anchor in proportion
    (similarity,) = heads.exemplars.nearest(familiar[:1])[1]
    half = _with_range(heads, similarity - 1.0, similarity + 1.0).probabilities(familiar[:1])
    raw = heads.probabilities(familiar[:1])
    assert np.allclose(np.log(half / (1 - half)), (np.log(raw / (1 - raw)) - 3.0) / 2, atol=1e-4)


def test_the_familiarity_range_travels_with_the_heads(tmp_path: Path) -> None:
    heads = _with_range(_heads_with_bank(), 0.2, 0.6)
    save_heads(heads, tmp_path / "heads.json")
    assert load_heads(tmp_path / "heads.json").familiarity == heads.familiarity


def test_a_familiarity_range_without_a_bank_or_that_does_not_fit_is_refused(tmp_path: Path) -> None:
    heads = _with_range(_heads_with_bank(), 0.2, 0.6)
    raw = replace(heads, exemplars=None).to_json()
    path = tmp_path / "heads.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ModelIntegrityError, match="no exemplar bank"):
        load_heads(path)
    raw["familiarity"] = {"low": 0.6, "high": 0.2, "anchor": [0.0] * len(HEAD_NAMES)}
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ModelIntegrityError, match="familiarity range"):
        load_heads(path)


def test_heads_of_the_format_before_the_familiarity_range_are_refused_with_what_to_do(tmp_path: Path) -> None:
    raw = _heads_with_bank().to_json()
    raw["format"] = "schoolwacht-e5-heads/2"
    path = tmp_path / "heads.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ModelIntegrityError, match="train again"):
        load_heads(path)


def test_the_shipped_heads_trust_the_corpus_and_not_what_is_far_from_it() -> None:
    heads = load_heads(HEADS_FILE)
    assert heads.familiarity is not None and heads.exemplars is not None
    assert heads.familiarity.low < heads.familiarity.high
    # the training messages themselves are familiar: their heads are used as they are
    assert np.median(heads.exemplars.nearest(heads.exemplars.vectors[:200])[1]) > heads.familiarity.high
