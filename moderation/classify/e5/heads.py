"""The project's own heads on e5 embeddings: per-category probabilities, numpy only.

The weights are trained by `python -m moderation.classify.training` and stored as JSON (`heads.json`): a small
network (one hidden layer, ReLU) or a plain logistic layer, one sigmoid output per head. With a bank of nearest
exemplars (`exemplars.npz`, named in `heads.json` with its sha256), each head's probability is the mean of the
layer's output and the exemplars' vote. Far from every exemplar the heads are out of their depth (text unlike the
corpus: another language, another register): with a familiarity range (`Familiarity`, chosen by cross-validation
at training), a message whose nearest exemplars are less similar than the range's low end gets each head's
log-odds of a typical harmless training message, so that the combination leans on the text tier; within the
range the heads' log-odds are drawn that way in proportion. Loading refuses a file that was trained on other
embeddings (another model file), that does not have the shapes it says, or whose exemplar bank is not the one it
names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from moderation.classify.e5.exemplars import Exemplars, load_exemplars, save_exemplars
from moderation.classify.ml.errors import ModelIntegrityError, ModelMissingError

FORMAT = "schoolwacht-e5-heads/3"
RETRAIN = "train again with python -m moderation.classify.training train"
EXEMPLARS_FILE = "exemplars.npz"
# Head name -> what it detects. school-threat (weapons, violence at school) also counts as a threat.
HEAD_NAMES = ("insult", "harassment", "threat", "discrimination", "sexual", "self-harm", "school-threat")

Matrix = npt.NDArray[np.float32]


def sigmoid(x: npt.NDArray[np.floating[Any]]) -> npt.NDArray[np.float64]:
    out: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-np.clip(x.astype(np.float64), -40.0, 40.0)))
    return out


def _log_odds(p: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    clipped = np.clip(p, 1e-4, 1.0 - 1e-4)
    out: npt.NDArray[np.float64] = np.log(clipped / (1.0 - clipped))
    return out


@dataclass(frozen=True, slots=True)
class Familiarity:
    """Where the heads are trusted: a familiarity (mean cosine similarity of the nearest exemplars) at or above
    `high` keeps their output, at or below `low` replaces it by `anchor` (per head, the mean log-odds of the
    training split's harmless messages, out of fold), linearly in between."""

    low: float
    high: float
    anchor: tuple[float, ...]

    def apply(
        self, probabilities: npt.NDArray[np.float64], familiarity: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.float64]:
        trust = np.clip((familiarity - self.low) / (self.high - self.low), 0.0, 1.0)[:, None]
        anchor = np.asarray(self.anchor, dtype=np.float64)
        return sigmoid(anchor + trust * (_log_odds(probabilities) - anchor))

    def to_json(self) -> dict[str, Any]:
        return {"low": round(self.low, 6), "high": round(self.high, 6), "anchor": [round(a, 6) for a in self.anchor]}


@dataclass(frozen=True, slots=True)
class Heads:
    names: tuple[str, ...]
    layers: tuple[tuple[Matrix, Matrix], ...]  # (weights in x out, bias); ReLU between layers, sigmoid at the end
    model_sha256: str  # the e5 model file the heads were trained on
    kind: str
    exemplars: Exemplars | None = None
    familiarity: Familiarity | None = None  # needs the exemplar bank

    def probabilities(self, embeddings: Matrix) -> npt.NDArray[np.float64]:
        """(n, len(names)) probabilities for (n, dim) embeddings."""
        x: npt.NDArray[np.floating[Any]] = embeddings
        for index, (weights, bias) in enumerate(self.layers):
            x = x @ weights + bias
            if index < len(self.layers) - 1:
                x = np.maximum(x, 0.0)
        out = sigmoid(x)
        if self.exemplars is not None:
            votes, familiarity = self.exemplars.nearest(embeddings)
            out = (out + votes) / 2.0
            if self.familiarity is not None:
                out = self.familiarity.apply(out, familiarity)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "kind": self.kind,
            "names": list(self.names),
            "model_sha256": self.model_sha256,
            "layers": [{"weights": np.round(w, 6).tolist(), "bias": np.round(b, 6).tolist()} for w, b in self.layers],
            "familiarity": None if self.familiarity is None else self.familiarity.to_json(),
        }

    @classmethod
    def from_json(cls, raw: Any, source: str) -> Heads:
        try:
            if raw["format"] != FORMAT:
                raise ValueError(f"format {raw['format']!r}, expected {FORMAT!r} (an older file: {RETRAIN})")
            names = tuple(str(n) for n in raw["names"])
            layers = tuple(
                (np.asarray(layer["weights"], dtype=np.float32), np.asarray(layer["bias"], dtype=np.float32))
                for layer in raw["layers"]
            )
            reach = raw["familiarity"]
            familiarity = (
                None
                if reach is None
                else Familiarity(float(reach["low"]), float(reach["high"]), tuple(float(a) for a in reach["anchor"]))
            )
            heads = cls(names, layers, str(raw["model_sha256"]), str(raw["kind"]), familiarity=familiarity)
        except (KeyError, TypeError, ValueError) as error:
            raise ModelIntegrityError(f"{source} is damaged: {type(error).__name__}: {error}") from error
        heads.check(source)
        return heads

    def check(self, source: str) -> None:
        if not self.layers:
            raise ModelIntegrityError(f"{source} has no layers")
        width = self.layers[0][0].shape[0]
        for weights, bias in self.layers:
            if weights.ndim != 2 or weights.shape[0] != width or bias.shape != (weights.shape[1],):
                raise ModelIntegrityError(f"{source}: layer shapes do not fit ({weights.shape}, {bias.shape})")
            if not (np.isfinite(weights).all() and np.isfinite(bias).all()):
                raise ModelIntegrityError(f"{source}: weights that are not finite numbers")
            width = weights.shape[1]
        if width != len(self.names):
            raise ModelIntegrityError(f"{source}: {width} outputs for {len(self.names)} heads")
        reach = self.familiarity
        if reach is not None:
            finite = np.isfinite([reach.low, reach.high, *reach.anchor]).all()
            if not finite or not reach.low < reach.high or len(reach.anchor) != len(self.names):
                raise ModelIntegrityError(f"{source}: a familiarity range that does not fit ({reach})")

    @property
    def input_dim(self) -> int:
        return int(self.layers[0][0].shape[0])


def load_heads(path: Path) -> Heads:
    if not path.is_file():
        raise ModelMissingError(f"the e5 heads {path} are not installed")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ModelIntegrityError(f"{path} is damaged: {type(error).__name__}: {error}") from error
    heads = Heads.from_json(raw, str(path))
    bank = raw.get("exemplars")
    if bank is None:
        if heads.familiarity is not None:
            raise ModelIntegrityError(f"{path} has a familiarity range but no exemplar bank to measure it with")
        return heads
    try:
        file, digest = path.parent / str(bank["file"]), str(bank["sha256"])
    except (KeyError, TypeError) as error:
        raise ModelIntegrityError(f"{path} is damaged: {type(error).__name__}: {error}") from error
    exemplars = load_exemplars(file, digest)
    exemplars.check(str(file), heads.input_dim, len(heads.names))
    return replace(heads, exemplars=exemplars)


def save_heads(heads: Heads, path: Path) -> None:
    """heads.json, and the exemplar bank beside it (named there with its sha256)."""
    raw = heads.to_json()
    if heads.exemplars is not None:
        bank = path.with_name(EXEMPLARS_FILE)
        raw["exemplars"] = {"file": bank.name, "sha256": save_exemplars(heads.exemplars, bank)}
    path.write_text(json.dumps(raw, separators=(",", ":")) + "\n", encoding="utf-8")
