"""A local Hugging Face text-classification folder (e.g. a Dutch RobBERT toxicity model a school downloaded).

The folder is loaded with local files only; `MLConfig.hf_labels` says which of the model's labels mean which
category. Labels not in the map (e.g. "neutral") are ignored. Multi-label models get a sigmoid per label,
single-label models a softmax over labels, as their config says.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from moderation.classify.ml.errors import ModelLoadError, ModelMissingError
from moderation.classify.ml.labels import rows_to_categories
from moderation.classify.ml.tier import BatchedTier, Scores
from moderation.classify.ml.tokens import check_tokenizer, input_limit
from moderation.model import Category


class HFScorer:
    def __init__(self, folder: Path, mapping: Mapping[str, Category]) -> None:
        if not (folder / "config.json").is_file():
            raise ModelMissingError(f"no Hugging Face model folder at {folder} (config.json missing)")
        if not mapping:
            raise ModelLoadError("the hf backend needs a label map (ml.hf_labels): which label means which category")
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self._torch = torch
        self._lock = threading.Lock()
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
            self.model = AutoModelForSequenceClassification.from_pretrained(str(folder), local_files_only=True)
        except Exception as error:
            raise ModelLoadError(f"could not load the model in {folder}: {type(error).__name__}: {error}") from error
        self.model.eval()
        check_tokenizer(self.tokenizer, self.model, str(folder))
        config = self.model.config
        self.labels: list[str] = [str(config.id2label[i]) for i in range(config.num_labels)]
        unknown = sorted(set(mapping) - set(self.labels))
        if unknown:
            raise ModelLoadError(f"ml.hf_labels names labels the model does not have: {unknown}; it has {self.labels}")
        self.mapping = dict(mapping)
        self.multi_label = config.problem_type == "multi_label_classification"
        self.max_length = input_limit(self.tokenizer, self.model)

    def probabilities(self, texts: list[str]) -> list[list[float]]:
        torch = self._torch
        # transformers re-sets the Rust tokenizer's padding/truncation on every call: two threads at once (the
        # batching worker and a bulk `predict`) would collide ("Already borrowed"), hence the lock.
        with self._lock, torch.inference_mode():
            inputs = self.tokenizer(
                texts, return_tensors="pt", truncation=True, padding=True, max_length=self.max_length
            )
            logits: Any = self.model(**inputs).logits
            probs = torch.sigmoid(logits) if self.multi_label else torch.softmax(logits, dim=-1)
            rows: list[list[float]] = probs.tolist()
        return rows

    def __call__(self, texts: list[str]) -> list[Scores]:
        return rows_to_categories(self.labels, self.probabilities(texts), self.mapping)


def load_hf_tier(folder: Path, mapping: Mapping[str, Category], *, max_batch: int, max_wait_ms: float) -> BatchedTier:
    scorer = HFScorer(folder, mapping)
    return BatchedTier(f"hf-{folder.name}", scorer, max_batch=max_batch, max_wait_ms=max_wait_ms)
