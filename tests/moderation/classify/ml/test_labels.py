from __future__ import annotations

from types import SimpleNamespace

import pytest

from moderation.classify.ml.errors import ModelLoadError
from moderation.classify.ml.labels import (
    DETOXIFY_CATEGORIES,
    MAX_CHARS,
    check_mapping_covers,
    prepare,
    to_categories,
)
from moderation.classify.ml.tokens import input_limit
from moderation.model import Category


def test_detoxify_labels_fold_into_categories_taking_the_highest() -> None:
    scores = to_categories(
        {
            "toxicity": 0.2,
            "severe_toxicity": 0.1,
            "insult": 0.7,
            "threat": 0.9,
            "identity_attack": 0.3,
            "obscene": 0.6,
            "sexual_explicit": 0.1,
            "male": 0.99,  # unbiased's identity mention: not an attack, dropped
        },
        DETOXIFY_CATEGORIES,
    )
    assert scores == {
        Category.INSULT: 0.7,
        Category.THREAT: 0.9,
        Category.DISCRIMINATION: 0.3,
        Category.SEXUAL: 0.6,
    }


def test_categories_detoxify_cannot_judge_are_absent_not_zero() -> None:
    scores = to_categories(dict.fromkeys(DETOXIFY_CATEGORIES, 0.0), DETOXIFY_CATEGORIES)
    assert Category.HARASSMENT not in scores
    assert Category.SELF_HARM not in scores


def test_prepare_bounds_length_and_repairs_lone_surrogates() -> None:
    huge, broken, empty = prepare(["a" * 1_048_576, "hoi \ud800 daar", ""])
    assert len(huge) == MAX_CHARS
    assert broken.encode("utf-8") and "\ud800" not in broken
    assert empty == ""


def test_a_model_whose_labels_map_to_nothing_is_refused() -> None:
    with pytest.raises(ModelLoadError, match="maps to a category"):
        check_mapping_covers(["LABEL_0", "LABEL_1"], DETOXIFY_CATEGORIES, "some model")


@pytest.mark.parametrize(
    ("declared", "positions", "limit"),
    [(512, 514, 512), (int(1e30), 514, 512), (512, 512, 512), (128, 130, 128)],
)
def test_input_limit(declared: int, positions: int, limit: int) -> None:
    tokenizer = SimpleNamespace(model_max_length=declared)
    model = SimpleNamespace(config=SimpleNamespace(max_position_embeddings=positions))
    assert input_limit(tokenizer, model) == limit
