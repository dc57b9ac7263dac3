"""Sanity checks on a loaded tokenizer: how long an input may be, and whether its vocabulary is really there."""

from __future__ import annotations

from typing import Any

from moderation.classify.ml.errors import ModelMissingError


def input_limit(tokenizer: Any, model: Any) -> int:
    """The longest input (in tokens) the model accepts, even when the tokenizer config does not say (then 1e30).

    RoBERTa-style models reserve two position slots, hence `positions - 2` when only the model tells us.
    """
    positions = int(getattr(model.config, "max_position_embeddings", 512))
    declared = int(min(getattr(tokenizer, "model_max_length", positions), 1 << 20))
    return declared if declared <= positions else positions - 2


def check_tokenizer(tokenizer: Any, model: Any, name: str) -> None:
    """transformers 5 quietly builds an empty tokenizer when its files are missing: every word would be <unk>."""
    expected = int(getattr(model.config, "vocab_size", 0))
    if len(tokenizer) < expected // 2:
        raise ModelMissingError(
            f"the tokenizer files of {name} are missing (the tokenizer has {len(tokenizer)} of {expected} tokens)"
        )
