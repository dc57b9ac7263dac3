"""The calibrated combination of the text tier and the e5 tier: logistic stacking, fitted on the project's data.

For every category, one logistic model reads the same features: the text tier's six scores, its strongest
score, how much its context softened them, whether it saw a possible criminal offence, and the e5 heads' six
probabilities (as log-odds) twice: softened by the same context (the heads cannot tell "homo's zijn niet vies" or
"iemand noemde haar een hoer, ik heb het gemeld" from the abuse itself, the text tier can), and as they are. The
text tier softens every quote as shown, not meant, also where the writer stands behind it ('"moslims horen hier
niet" — daar sta ik achter'); the heads, trained on such quotes, often can tell, and with only the softened
log-odds the combination could not hear them there.
Its output is the probability that a reviewer would put the message in that category. Three guarantees sit on
top of the fitted numbers:

- safety first: for threats, self-harm and sexual content the combination never goes below the text tier's
  score (a weapon at school, a hint of self-harm, a demand for nude pictures always reaches a reviewer);
- the safety path: for those same categories the combined probability has its own, lower line (chosen by
  cross-validation on the training split, see `training.safety`): at or above it the message reaches a reviewer.
  The score is stretched, not replaced (the line maps to 0.55, 1 stays 1), so the order of messages is kept. The
  stacking reads the text tier's context (negation, reporting, support, a game) and the heads softened by it, so
  "ik heb het gemeld" or "ik neem geen mes mee" stays low; a bare head is not trusted ("ze gaan de school
  sluiten" makes the school-threat head fire). At 0.5 alone the stacking let most hints of self-harm or a
  weapon at school through, as the text tier saw nothing there;
- the verdict says why: each category's first evidence names both tiers, their scores and the combined score,
  and carries the text tier's own explanation when it had one.

The coefficients are written by `python -m moderation.classify.training` to `combination.json`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from moderation.classify.e5.heads import RETRAIN
from moderation.classify.ml.errors import ModelIntegrityError, ModelMissingError
from moderation.classify.text_tier import TextResult
from moderation.model import ABUSE_CATEGORIES, Category, Classification, Evidence

FORMAT = "schoolwacht-e5-combination/4"
SAFETY_CATEGORIES: frozenset[Category] = frozenset({Category.THREAT, Category.SELF_HARM, Category.SEXUAL})
MIN_EVIDENCE = 0.3
# How far the e5 tier may pull any other category below the text tier: a clear text-tier hit (0.72 and up, an insult
# aimed at someone) still reaches a reviewer when the heads disagree. On text unlike the corpus the heads are the
# less reliable tier (the outside suites), so they may lower the text tier's score, not silence it.
TEXT_FLOOR = 0.7
_LOGIT_LIMIT = 8.0
# What a safety category scores at its line: just reaching a reviewer in every room with the default policy (whose
# highest threshold for a safety category, sexual, is 0.55); above it the score rises linearly to 1, so the order of
# the messages (ROC-AUC) is kept.
SAFETY_PATH_SCORE = 0.55
# Where the text tier saw the hurtful words of a category and its context denies them all ("homo's zijn niet
# vies", "iemand noemde haar een hoer, ik heb het gemeld"), the heads, which cannot read a negation, may not lift
# that category past this (below every default threshold of the non-safety categories, and below the 0.5 at which
# `score_texts` counts a message as one a reviewer must see).
DENIED_CAP = 0.45

FEATURE_NAMES: tuple[str, ...] = (
    *(f"text:{c.value}" for c in ABUSE_CATEGORIES),
    "text:max",
    "text:context",
    "text:criminal",
    *(f"e5:{c.value}" for c in ABUSE_CATEGORIES),
    *(f"e5-unsoftened:{c.value}" for c in ABUSE_CATEGORIES),
)


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1.0 - 1e-4)
    return max(-_LOGIT_LIMIT, min(_LOGIT_LIMIT, float(np.log(p / (1.0 - p)))))


def features(text: TextResult, e5: Mapping[Category, float]) -> list[float]:
    """The stacking features of one message, in FEATURE_NAMES order (training uses this same function)."""
    scores = [text.classification.score(c) for c in ABUSE_CATEGORIES]
    criminal = any(e.criminal for e in text.classification.evidence)
    return [
        *scores,
        max(scores),
        text.context_factor,
        1.0 if criminal else 0.0,
        *(_logit(e5.get(c, 0.0) * text.context_factor) for c in ABUSE_CATEGORIES),
        *(_logit(e5.get(c, 0.0)) for c in ABUSE_CATEGORIES),
    ]


def safety_path(score: float, threshold: float) -> float:
    """A safety category's combined score stretched so that its own line maps to SAFETY_PATH_SCORE (and 1 to 1);
    below the line it is left as it is."""
    if score < threshold or threshold >= 1.0:
        return score
    return max(score, SAFETY_PATH_SCORE + (1.0 - SAFETY_PATH_SCORE) * (score - threshold) / (1.0 - threshold))


@dataclass(frozen=True, slots=True)
class Combination:
    weights: npt.NDArray[np.float64]  # (categories, features)
    bias: npt.NDArray[np.float64]  # (categories,)
    info: Mapping[str, Any]  # what it was fitted on (for the model card and `schoolwacht check`)
    # the safety path's line per safety category (none: no path for it)
    safety_thresholds: Mapping[Category, float] = field(default_factory=dict)

    def probabilities(self, rows: Sequence[Sequence[float]]) -> npt.NDArray[np.float64]:
        x = np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURE_NAMES))
        z = x @ self.weights.T + self.bias
        out: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))
        return out

    def combine(self, text: TextResult, e5: Mapping[Category, float], tier_name: str) -> Classification:
        (stacked,) = self.probabilities([features(text, e5)])
        scores = dict(zip(ABUSE_CATEGORIES, stacked.tolist(), strict=True))
        return explain(text, e5, scores, tier_name, self.safety_thresholds)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "features": list(FEATURE_NAMES),
            "categories": {
                c.value: {"weights": np.round(self.weights[i], 6).tolist(), "bias": round(float(self.bias[i]), 6)}
                for i, c in enumerate(ABUSE_CATEGORIES)
            },
            "safety_floor": sorted(c.value for c in SAFETY_CATEGORIES),
            "safety_path": {c.value: round(t, 6) for c, t in sorted(self.safety_thresholds.items())},
            "text_floor": TEXT_FLOOR,
            "info": dict(self.info),
        }

    @classmethod
    def from_json(cls, raw: Any, source: str) -> Combination:
        try:
            if raw["format"] != FORMAT:
                raise ValueError(f"format {raw['format']!r}, expected {FORMAT!r} (an older file: {RETRAIN})")
            if tuple(raw["features"]) != FEATURE_NAMES:
                raise ValueError(f"features {raw['features']} are not this version's {list(FEATURE_NAMES)}")
            per = raw["categories"]
            weights = np.asarray([per[c.value]["weights"] for c in ABUSE_CATEGORIES], dtype=np.float64)
            bias = np.asarray([per[c.value]["bias"] for c in ABUSE_CATEGORIES], dtype=np.float64)
            if weights.shape != (len(ABUSE_CATEGORIES), len(FEATURE_NAMES)) or not np.isfinite(weights).all():
                raise ValueError(f"weights of shape {weights.shape} or not finite")
            path = {Category(name): float(t) for name, t in raw["safety_path"].items()}
            if not set(path) <= SAFETY_CATEGORIES or not all(0.0 < t <= 1.0 for t in path.values()):
                raise ValueError(f"safety_path {raw['safety_path']} is not a threshold per safety category")
            return cls(weights, bias, dict(raw.get("info", {})), path)
        except (KeyError, TypeError, ValueError) as error:
            raise ModelIntegrityError(f"{source} is damaged: {type(error).__name__}: {error}") from error


def floored(text: Classification, stacked: Mapping[Category, float], category: Category) -> float:
    """The fitted probability, never below the text tier for a safety category, nor below TEXT_FLOOR of it else."""
    return max(stacked[category], text.score(category) * _floor(category))


def final_scores(
    text: Classification,
    stacked: Mapping[Category, float],
    path: Mapping[Category, float] | None = None,
    denied: frozenset[Category] = frozenset(),
) -> dict[Category, float]:
    """The floored probabilities, stretched by the safety path where a safety category has one (`path`: its line
    per category), and held below DENIED_CAP where the text tier's context denies a non-safety category."""
    path = path or {}
    out = {}
    for category in ABUSE_CATEGORIES:
        value = floored(text, stacked, category)
        if category in path:
            value = safety_path(value, path[category])
        if category in denied and category not in SAFETY_CATEGORIES:
            value = min(value, max(DENIED_CAP, text.score(category)))
        out[category] = round(min(1.0, max(0.0, value)), 4)
    return out


def _floor(category: Category) -> float:
    """The share of the text tier's score the combination keeps at least."""
    return 1.0 if category in SAFETY_CATEGORIES else TEXT_FLOOR


def explain(
    text: TextResult,
    e5: Mapping[Category, float],
    stacked: Mapping[Category, float],
    tier_name: str,
    path: Mapping[Category, float] | None = None,
) -> Classification:
    classification = text.classification
    path = path or {}
    scores = final_scores(classification, stacked, path, text.denied)
    lines: list[Evidence] = []
    for category in sorted(ABUSE_CATEGORIES, key=lambda c: scores[c], reverse=True):
        combined = scores[category]
        if combined < MIN_EVIDENCE:
            continue
        own = [e for e in classification.evidence if e.category is category]
        text_score, e5_score = classification.score(category), e5.get(category, 0.0)
        floor = _floor(category)
        kept = combined == round(text_score * floor, 4) and text_score * floor > stacked[category]
        # named only where the path made the difference: the message would not have reached a reviewer without it
        before = floored(classification, stacked, category)
        by_path = category in path and before < SAFETY_PATH_SCORE <= combined
        why = own[0].explanation if own else f"{category.value} from the {tier_name} tier (own heads on e5 embeddings)"
        how = ("text tier kept (safety)" if floor == 1.0 else "text tier's floor") if kept else "combined"
        if by_path:
            how = f"safety path (combined {before:.2f}, its line {path[category]:.2f})"
        if category in text.denied and combined < before:
            how = f"held below a flag: the text tier's context denies it (combined {before:.2f})"
        line = f"{why}; text tier {text_score:.2f}, {tier_name} tier {e5_score:.2f}, {how} {combined:.2f}"
        criminal = any(e.criminal for e in own) and combined >= 0.5
        lines.append(Evidence(category, combined, line, criminal, bool(own) and own[0].disclosure))
    evidence = (*lines, *classification.evidence)
    return Classification(tuple((c, scores[c]) for c in ABUSE_CATEGORIES), evidence, classification.note)


def load_combination(path: Path) -> Combination:
    if not path.is_file():
        raise ModelMissingError(f"the combination {path} is not installed")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ModelIntegrityError(f"{path} is damaged: {type(error).__name__}: {error}") from error
    return Combination.from_json(raw, str(path))


def save_combination(combination: Combination, path: Path) -> None:
    path.write_text(json.dumps(combination.to_json(), indent=1) + "\n", encoding="utf-8")
