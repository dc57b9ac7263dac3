"""Export the loaded detoxify model to ONNX, quantise it to int8, and prove it still agrees with torch.

The export is refused (nothing is left behind) unless every label on every sample text stays within
`tolerance` of torch's probability.
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from moderation.classify.ml.cache import onnx_dir, sha256_file
from moderation.classify.ml.detoxify_backend import TorchScorer, load_detoxify
from moderation.classify.ml.errors import ModelIntegrityError
from moderation.classify.ml.labels import prepare
from moderation.classify.ml.onnx_backend import FILES, MODEL_FILE, TOKENIZER_FILE, WEIGHTS_FILE, Manifest, OnnxScorer

TOLERANCE = 0.02

# Varied, invented texts for the agreement check: Dutch and English, friendly and abusive, short and long, and
# the awkward inputs (empty, emoji, mixed scripts, very long) that move activations the most.
SAMPLE_TEXTS: tuple[str, ...] = (
    "",
    "hoi",
    "Hoe laat begint de les morgen?",
    "Wie heeft de aantekeningen van biologie voor mij?",
    "je bent echt een sukkel, niemand vindt jou leuk",
    "ik weet waar je woont en ik kom je halen",
    "wat een mooie foto van het schoolreisje 😍😍",
    "you are such a loser lol",
    "Thanks for the help with the homework!",
    "I will find you after school and hurt you",
    "🔥🔥🔥💀💀",
    "Привет, как дела? and hallo allemaal",
    "k u t w i j f",
    "Ons project over klimaatverandering moet vrijdag af zijn, vergeet de bronnenlijst niet. " * 40,
)


@dataclass(frozen=True, slots=True)
class ExportReport:
    folder: Path
    max_abs_diff: float
    samples: int
    size_bytes: int
    quantisation: str


def _probabilities_module(model: Any) -> Any:
    """The classifier with detoxify's sigmoid at the end, so the ONNX graph returns probabilities."""
    import torch

    class Probabilities(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return torch.sigmoid(self.inner(input_ids=input_ids, attention_mask=attention_mask)[0])

    return Probabilities().eval()


def _export_fp32(scorer: TorchScorer, path: Path) -> None:
    import torch

    example = scorer.tokenizer(["hallo allemaal", "hoi"], return_tensors="pt", padding=True)
    with warnings.catch_warnings(), torch.inference_mode():
        # The TorchScript exporter warns that it is deprecated and about tracing; the agreement check below is
        # what tells us the graph is right.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _probabilities_module(scorer.model),
            (example["input_ids"], example["attention_mask"]),
            str(path),
            input_names=["input_ids", "attention_mask"],
            output_names=["probabilities"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "probabilities": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )


# Tried in order: everything int8 (the embedding table too: most of the memory), then the matrix products only
# (the embedding table stays fp32) for a model whose embeddings do not survive int8; then both again with unsigned
# weights, for x86 CPUs without VNNI (AVX2, plain AVX-512), whose signed int8 kernels can saturate (ONNX Runtime's
# quantization guide advises U8U8 there). The first that agrees wins.
QUANTISATIONS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("int8: matmul+embeddings", ("MatMul", "Gather"), False),
    ("int8: matmul, fp32 embeddings", ("MatMul",), False),
    ("int8, unsigned weights: matmul+embeddings", ("MatMul", "Gather"), True),
    ("int8, unsigned weights: matmul, fp32 embeddings", ("MatMul",), True),
)


def _quantize(source: Path, target: Path, op_types: tuple[str, ...], unsigned: bool) -> None:
    """Quantise, then store the weights in a file of their own (WEIGHTS_FILE).

    With the weights inside the graph file, ONNX Runtime holds the parsed file and its own copy of every weight
    at once while loading (peak ~600 MB at xlm-roberta-base size); from a separate file it maps them (~300 MB).
    """
    import logging

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # onnxruntime logs a "consider pre-processing" hint on the root logger
    try:
        quantize_dynamic(
            str(source),
            str(target),
            weight_type=QuantType.QUInt8 if unsigned else QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=list(op_types),
        )
    finally:
        root.setLevel(level)
    graph = onnx.load(str(target))
    (target.parent / WEIGHTS_FILE).unlink(missing_ok=True)
    onnx.save_model(graph, str(target), save_as_external_data=True, all_tensors_to_one_file=True, location=WEIGHTS_FILE)


def _save_tokenizer(scorer: TorchScorer, path: Path) -> tuple[int, str]:
    backend = scorer.tokenizer.backend_tokenizer
    backend.no_truncation()
    backend.no_padding()
    backend.save(str(path))
    return int(scorer.tokenizer.pad_token_id), str(scorer.tokenizer.pad_token)


def agreement(torch_scorer: TorchScorer, onnx_scorer: OnnxScorer, texts: list[str]) -> float:
    """The largest per-label difference in probability between the two, over all texts (batched and single)."""
    texts = prepare(texts)
    worst = 0.0
    for batch in [texts, *([text] for text in texts)]:
        for want, got in zip(torch_scorer.probabilities(batch), onnx_scorer.probabilities(batch), strict=True):
            worst = max(worst, *(abs(a - b) for a, b in zip(want, got, strict=True)))
    return worst


def export_onnx(cache_dir: Path, model: str, *, tolerance: float = TOLERANCE) -> ExportReport:
    torch_scorer = TorchScorer(load_detoxify(cache_dir, model))
    target = onnx_dir(cache_dir, model)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{model}-") as scratch:
        work = Path(scratch) / "out"
        work.mkdir()
        fp32 = Path(scratch) / "model-fp32.onnx"
        _export_fp32(torch_scorer, fp32)
        pad_id, pad_token = _save_tokenizer(torch_scorer, work / TOKENIZER_FILE)
        tried = []
        for quantisation, op_types, unsigned in QUANTISATIONS:
            _quantize(fp32, work / MODEL_FILE, op_types, unsigned)
            files = {name: sha256_file(work / name) for name in FILES}
            manifest = Manifest(
                model, tuple(torch_scorer.labels), torch_scorer.max_length, pad_id, pad_token, files, 1.0, quantisation
            )
            manifest.write(work)
            diff = agreement(torch_scorer, OnnxScorer(work), list(SAMPLE_TEXTS))
            tried.append(f"{quantisation}: {diff:.4f}")
            if diff <= tolerance:
                break
        else:
            raise ModelIntegrityError(
                f"the int8 model disagrees with torch by more than {tolerance} on a label ({'; '.join(tried)}); "
                "export refused"
            )
        replace(manifest, max_abs_diff=diff).write(work)
        if target.exists():
            shutil.rmtree(target)
        work.rename(target)
    size = sum((target / name).stat().st_size for name in (MODEL_FILE, WEIGHTS_FILE))
    return ExportReport(target, diff, len(SAMPLE_TEXTS), size, quantisation)
