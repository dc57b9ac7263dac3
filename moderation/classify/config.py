"""How the classifier is put together: plain values, filled from the settings file by the composition root."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from moderation.model import Category

MLBackend = Literal["e5", "detoxify", "onnx", "hf"]


@dataclass(frozen=True, slots=True)
class MLConfig:
    """The second tier. Everything is local: nothing is ever fetched at run time.

    "e5" (the default) is embedded in the install; the others are optional heavier models a school adds.
    """

    backend: MLBackend = "e5"
    model: str = "multilingual"  # detoxify's model name: original, unbiased, multilingual
    cache_dir: Path = Path("var/models")  # holds TORCH_HOME/ and HF_HOME/ as `schoolwacht model download` fills them
    hf_model_dir: Path | None = None  # backend "hf": a local text-classification model folder
    hf_labels: tuple[tuple[str, Category], ...] = ()  # backend "hf": model label -> category
    max_batch: int = 32
    max_wait_ms: float | None = None  # how long the batcher waits for more texts; None: the backend's own
    threads: int | None = None  # backend "e5": engine calls at once; None: the CPUs available, at most 4


@dataclass(frozen=True, slots=True)
class ClassifierConfig:
    languages: tuple[str, ...] = ("nl", "en")
    lexicon_files: tuple[Path, ...] = ()  # a school's own additions, same format as the bundled lexicon
    allow_terms: tuple[str, ...] = ()  # words a school never wants flagged (a surname, a place)
    ml: MLConfig | None = field(default_factory=MLConfig)  # None: text tier only
