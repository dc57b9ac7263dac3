"""detoxify's model as ONNX Runtime int8: no torch at run time, a fraction of the memory, several times faster.

Reads what `schoolwacht model export-onnx` wrote (see onnx_export.py): the int8 model, the tokenizer as a
`tokenizers` file, and a manifest with the labels and the sha256 of both files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from moderation.classify.ml.cache import onnx_dir, sha256_file
from moderation.classify.ml.errors import ModelIntegrityError, ModelLoadError, ModelMissingError
from moderation.classify.ml.labels import DETOXIFY_CATEGORIES, check_mapping_covers, rows_to_categories
from moderation.classify.ml.tier import BatchedTier, Scores

MANIFEST = "manifest.json"
MODEL_FILE = "model-int8.onnx"
WEIGHTS_FILE = "model-int8.onnx.data"  # the weights beside the graph: ONNX Runtime maps them, never copies them
TOKENIZER_FILE = "tokenizer.json"
FILES = (MODEL_FILE, WEIGHTS_FILE, TOKENIZER_FILE)


@dataclass(frozen=True, slots=True)
class Manifest:
    model: str
    labels: tuple[str, ...]
    max_length: int
    pad_id: int
    pad_token: str
    files: dict[str, str]  # file name -> sha256
    max_abs_diff: float  # the agreement with torch measured at export
    quantisation: str = ""  # which weights are int8

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        path = folder / MANIFEST
        if not path.is_file():
            raise ModelMissingError(f"no ONNX export in {folder}")
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                model=str(raw["model"]),
                labels=tuple(str(label) for label in raw["labels"]),
                max_length=int(raw["max_length"]),
                pad_id=int(raw["pad_id"]),
                pad_token=str(raw["pad_token"]),
                files={str(k): str(v) for k, v in raw["files"].items()},
                max_abs_diff=float(raw["max_abs_diff"]),
                quantisation=str(raw.get("quantisation", "")),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ModelIntegrityError(f"{path} is damaged: {type(error).__name__}: {error}") from error

    def write(self, folder: Path) -> None:
        raw = {
            "model": self.model,
            "labels": list(self.labels),
            "max_length": self.max_length,
            "pad_id": self.pad_id,
            "pad_token": self.pad_token,
            "files": self.files,
            "max_abs_diff": self.max_abs_diff,
            "quantisation": self.quantisation,
        }
        (folder / MANIFEST).write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")


class OnnxScorer:
    def __init__(self, folder: Path, *, verify: bool = True, threads: int = 0) -> None:
        self.manifest = Manifest.read(folder)
        if verify:
            for name in FILES:
                path = folder / name
                if not path.is_file():
                    raise ModelIntegrityError(f"{path} is missing; run `schoolwacht model export-onnx` again")
                if sha256_file(path) != self.manifest.files.get(name):
                    raise ModelIntegrityError(f"{path} does not match its manifest; run export-onnx again")
        check_mapping_covers(self.manifest.labels, DETOXIFY_CATEGORIES, "the ONNX model")
        import numpy
        import onnxruntime
        from tokenizers import Tokenizer

        self._numpy = numpy
        try:
            self.tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = threads
            options.log_severity_level = 3
            self.session = onnxruntime.InferenceSession(
                str(folder / MODEL_FILE), options, providers=["CPUExecutionProvider"]
            )
        except Exception as error:
            raise ModelLoadError(f"ONNX Runtime could not load {folder}: {type(error).__name__}: {error}") from error
        self.tokenizer.enable_truncation(self.manifest.max_length)
        self.tokenizer.enable_padding(pad_id=self.manifest.pad_id, pad_token=self.manifest.pad_token)
        self.labels = list(self.manifest.labels)

    def probabilities(self, texts: list[str]) -> list[list[float]]:
        np = self._numpy
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
        (probs,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
        rows: list[list[float]] = probs.astype(np.float64).tolist()
        return rows

    def __call__(self, texts: list[str]) -> list[Scores]:
        return rows_to_categories(self.labels, self.probabilities(texts), DETOXIFY_CATEGORIES)


def load_onnx_tier(cache_dir: Path, model: str, *, max_batch: int, max_wait_ms: float) -> BatchedTier:
    scorer = OnnxScorer(onnx_dir(cache_dir, model))
    return BatchedTier(f"onnx-int8-{model}", scorer, max_batch=max_batch, max_wait_ms=max_wait_ms)
