"""Fitting the heads on e5 embeddings and the combination on top of them (scikit-learn, at training time only).

The combination is fitted on out-of-fold head probabilities: on messages the heads did not see, as at run time.
The familiarity range (`heads.Familiarity`) is read off the out-of-fold familiarity of the training messages: its
low end is as unfamiliar as the least familiar of them, its high end a quantile chosen by cross-validation.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier

from moderation.classify.e5.backend import HEAD_CATEGORIES
from moderation.classify.e5.combination import Combination, features, final_scores
from moderation.classify.e5.engine import MODEL_SHA256, Embeddings
from moderation.classify.e5.exemplars import Exemplars
from moderation.classify.e5.heads import HEAD_NAMES, Familiarity, Heads
from moderation.classify.ml.tier import Scores
from moderation.classify.text_tier import TextResult
from moderation.classify.training.corpus import Example
from moderation.model import ABUSE_CATEGORIES, Category

Array = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class HeadRecipe:
    kind: str  # "logistic" or "mlp"
    strength: float  # logistic: C (inverse regularisation); mlp: alpha (L2)
    hidden: int = 0
    neighbours: int = 0  # > 0: each head's probability is averaged with the vote of this many nearest exemplars
    temperature: float = 20.0  # exemplar weight exp(temperature * cosine similarity)

    @property
    def name(self) -> str:
        if self.kind == "logistic":
            base = f"logistic C={self.strength:g}"
        else:
            base = f"mlp {self.hidden} hidden, alpha={self.strength:g}"
        if self.neighbours:
            base += f" + {self.neighbours} nearest exemplars (t={self.temperature:g})"
        return base


# A small network (HeadRecipe("mlp", 1e-2, 64)) cross-validated no better than the logistic heads on the first
# corpus (review ROC-AUC 0.848 against 0.855) at ten times the training time, so it is not among the defaults.
# The exemplar vote (k=10, t=20) was chosen over k=20, t=30 by cross-validation on the training split.
RECIPES = (
    HeadRecipe("logistic", 1.0),
    HeadRecipe("logistic", 4.0),
    HeadRecipe("logistic", 16.0),
    HeadRecipe("logistic", 4.0, neighbours=10),
    HeadRecipe("logistic", 16.0, neighbours=10),
)


def head_targets(examples: Sequence[Example]) -> npt.NDArray[np.int64]:
    return np.asarray([[int(name in e.labels) for name in HEAD_NAMES] for e in examples], dtype=np.int64)


def category_targets(examples: Sequence[Example]) -> npt.NDArray[np.int64]:
    return np.asarray([[int(c.value in e.labels) for c in ABUSE_CATEGORIES] for e in examples], dtype=np.int64)


def strata(examples: Sequence[Example]) -> list[str]:
    """For stratified folds: the rarest label of a message, or 'harmless'."""
    order = {name: index for index, name in enumerate(HEAD_NAMES)}
    return [max(e.labels, key=lambda label: order.get(label, -1)) if e.labels else "harmless" for e in examples]


def folds(examples: Sequence[Example], k: int, seed: int) -> list[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]]:
    labels = strata(examples)
    counts = {label: labels.count(label) for label in set(labels)}
    safe = [label if counts[label] >= k else "rare" for label in labels]
    if 0 < safe.count("rare") < k:  # too few rare ones for a stratum of their own: they join the largest
        largest = max(counts, key=lambda label: counts[label])
        safe = [largest if label == "rare" else label for label in safe]
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(safe)), safe))


def _constant(prior: float) -> tuple[Array, float]:
    p = min(max(prior, 1e-3), 1 - 1e-3)
    return np.zeros(0), float(np.log(p / (1 - p)))


def fit_heads(x: Embeddings, y: npt.NDArray[np.int64], recipe: HeadRecipe, seed: int) -> Heads:
    heads = _fit_layers(x, y, recipe, seed)
    if not recipe.neighbours:
        return heads
    bank = Exemplars(np.asarray(x, dtype=np.float32), y.astype(np.float32), recipe.neighbours, recipe.temperature)
    return replace(heads, exemplars=bank)


def _fit_layers(x: Embeddings, y: npt.NDArray[np.int64], recipe: HeadRecipe, seed: int) -> Heads:
    dim = x.shape[1]
    if recipe.kind == "mlp":
        mlp = MLPClassifier(hidden_layer_sizes=(recipe.hidden,), alpha=recipe.strength, max_iter=200, random_state=seed)
        usable = y.copy()
        usable[0, usable.sum(axis=0) == 0] = 1  # a head without positives: sklearn needs two classes per column
        with warnings.catch_warnings():  # a fixed number of passes is the regularisation chosen here
            warnings.simplefilter("ignore", ConvergenceWarning)
            mlp.fit(x, usable)
        layers = tuple(
            (np.asarray(w, dtype=np.float32), np.asarray(b, dtype=np.float32))
            for w, b in zip(mlp.coefs_, mlp.intercepts_, strict=True)
        )
        return Heads(HEAD_NAMES, layers, MODEL_SHA256, recipe.name)
    weights = np.zeros((dim, len(HEAD_NAMES)), dtype=np.float32)
    bias = np.zeros(len(HEAD_NAMES), dtype=np.float32)
    for j in range(len(HEAD_NAMES)):
        column = y[:, j]
        if column.min() == column.max():
            _, bias[j] = _constant(float(column.mean()))
            continue
        model = LogisticRegression(C=recipe.strength, class_weight="balanced", max_iter=3000)
        model.fit(x, column)
        weights[:, j] = model.coef_[0]
        bias[j] = model.intercept_[0]
    return Heads(HEAD_NAMES, ((weights, bias),), MODEL_SHA256, recipe.name)


def to_scores(rows: Array, names: Sequence[str] = HEAD_NAMES) -> list[Scores]:
    out: list[Scores] = []
    for row in rows.tolist():
        scores: Scores = {}
        for name, value in zip(names, row, strict=True):
            category = HEAD_CATEGORIES[name]
            scores[category] = max(scores.get(category, 0.0), float(value))
        out.append(scores)
    return out


def out_of_fold_heads(
    x: Embeddings,
    y: npt.NDArray[np.int64],
    recipe: HeadRecipe,
    splits: Sequence[tuple[npt.NDArray[np.intp], ...]],
    seed: int,
) -> tuple[Array, Array | None]:
    """Each message's head probabilities from the heads fitted on the other folds, and its familiarity to their
    exemplar bank (None without one)."""
    out = np.zeros((x.shape[0], len(HEAD_NAMES)))
    familiarity = np.zeros(x.shape[0]) if recipe.neighbours else None
    for train, test in splits:
        heads = fit_heads(x[train], y[train], recipe, seed)
        out[test] = heads.probabilities(x[test])
        if familiarity is not None and heads.exemplars is not None:
            familiarity[test] = heads.exemplars.nearest(x[test])[1]
    return out, familiarity


# The familiarity range's low end: the least familiar training messages (this quantile of their out-of-fold
# familiarity) are as far as the corpus reaches; below it the heads have nothing to go on.
FAMILIARITY_LOW_QUANTILE = 0.001


def fit_familiarity(
    probabilities: Array, familiarity: Array, harmless: npt.NDArray[np.bool_], high_quantile: float
) -> Familiarity:
    """The range from FAMILIARITY_LOW_QUANTILE to `high_quantile` of the out-of-fold familiarity, anchored at the
    mean out-of-fold log-odds of the harmless training messages."""
    low, high = np.quantile(familiarity, [FAMILIARITY_LOW_QUANTILE, high_quantile]).tolist()
    clipped = np.clip(probabilities[harmless], 1e-4, 1.0 - 1e-4)
    anchor = np.log(clipped / (1.0 - clipped)).mean(axis=0)
    return Familiarity(float(low), float(max(high, low + 1e-6)), tuple(float(a) for a in anchor))


def fit_combination(
    rows: Array, targets: npt.NDArray[np.int64], info: dict[str, object], harmless_weight: float = 1.0
) -> Combination:
    """One logistic model per category. Harmless messages weigh `harmless_weight` times the harmful ones in
    total, so the corpus's share of harmful messages does not become the prior of every message the bot reads,
    and a false alarm can be made to cost more than a miss."""
    harmful = targets.max(axis=1) > 0
    n_harmful, n_harmless = int(harmful.sum()), int((~harmful).sum())
    balance = n_harmful / n_harmless if n_harmless else 1.0
    sample_weight = np.where(harmful, 1.0, balance * harmless_weight)
    weights = np.zeros((len(ABUSE_CATEGORIES), rows.shape[1]))
    bias = np.zeros(len(ABUSE_CATEGORIES))
    for i in range(len(ABUSE_CATEGORIES)):
        column = targets[:, i]
        if column.min() == column.max():
            _, bias[i] = _constant(float(column.mean()))
            continue
        model = LogisticRegression(C=1.0, max_iter=5000)
        model.fit(rows, column, sample_weight=sample_weight)
        weights[i] = model.coef_[0]
        bias[i] = model.intercept_[0]
    return Combination(weights, bias, info)


def combined_scores(
    combination: Combination, text: Sequence[TextResult], e5: Sequence[Scores]
) -> list[dict[Category, float]]:
    stacked = combination.probabilities(feature_rows(text, e5).tolist())
    return [
        final_scores(
            t.classification, dict(zip(ABUSE_CATEGORIES, row, strict=True)), combination.safety_thresholds, t.denied
        )
        for t, row in zip(text, stacked.tolist(), strict=True)
    ]


def feature_rows(text: Sequence[TextResult], e5: Sequence[Scores]) -> Array:
    return np.asarray([features(t, s) for t, s in zip(text, e5, strict=True)], dtype=np.float64)
