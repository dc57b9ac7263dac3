"""Detection quality, text tier alone vs e5 tier alone vs combined, side by side in one run.

    .venv/bin/python -m benchmarks.detection_eval [--data DIR] [--threshold 0.5] [--errors N] [--functionality]

1. The project's held-out split (`moderation/classify/training/corpus/*_heldout.jsonl`, never trained or tuned
   on): F1, ROC-AUC and false alarms on harmless messages, per category and per register.
2. The development suites, Multilingual HateCheck Dutch and HateCheck English, as an outside check only (the heads
   and the combination never saw them): per system accuracy, precision, recall, F1, ROC-AUC and false alarms
   (FA: the share of the clean cases flagged) against `label_school`, the false-positive rate on counter-speech
   and on harmless swearing; with --functionality also per functionality for the combined system (what
   `score_texts` returns).
The combined system is exactly `moderation.classify.score_texts` (checked on every set). The data folder defaults
to $SCHOOLWACHT_EVAL_DATA, else `../shared/data` beside the repository (as CI lays it out), else /work/shared/data.
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from moderation.classify import ClassifierConfig, score_texts
from moderation.classify.classifier import TieredClassifier, build_classifier
from moderation.classify.training.corpus import CORPUS_DIR, load_corpus, split
from moderation.classify.training.metrics import (
    THRESHOLD,
    per_category,
    per_file,
    per_register,
    review_score,
    safety_critical,
    table,
)
from moderation.model import Category

SETS = (("MHC Dutch", "mhc_nl/mhc_nl.csv"), ("HateCheck English", "hatecheck_en/hatecheck_en.csv"))
COUNTER_SPEECH = ("counter_quote_nh", "counter_ref_nh")
HARMLESS_SWEARING = ("profanity_nh",)


@dataclass(frozen=True, slots=True)
class Case:
    text: str
    abusive: bool
    functionality: str


@dataclass(frozen=True, slots=True)
class Metrics:
    n: int
    accuracy: float
    precision: float | None
    recall: float | None
    f1: float | None
    auc: float | None
    false_alarms: float | None  # share of the clean cases flagged


def default_data_dir() -> Path:
    env = os.environ.get("SCHOOLWACHT_EVAL_DATA")
    if env:
        return Path(env)
    beside_repo = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
    return beside_repo if beside_repo.is_dir() else Path("/work/shared/data")


def load_cases(path: Path) -> list[Case]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [Case(row["text"], row["label_school"] == "abusive", row["category"]) for row in csv.DictReader(handle)]


def roc_auc(labels: Sequence[bool], scores: Sequence[float]) -> float | None:
    """Mann-Whitney U: the chance a random abusive case scores above a random clean one (ties count half)."""
    positives = sum(labels)
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return None
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    rank_sum = 0.0
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        mean_rank = (i + j) / 2 + 1
        rank_sum += sum(mean_rank for k in range(i, j + 1) if labels[order[k]])
        i = j + 1
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def metrics(labels: Sequence[bool], scores: Sequence[float], threshold: float) -> Metrics:
    predicted = [s >= threshold for s in scores]
    tp = sum(p and y for p, y in zip(predicted, labels, strict=True))
    fp = sum(p and not y for p, y in zip(predicted, labels, strict=True))
    fn = sum(not p and y for p, y in zip(predicted, labels, strict=True))
    correct = sum(p == y for p, y in zip(predicted, labels, strict=True))
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = (
        2 * precision * recall / (precision + recall)
        if precision is not None and recall is not None and precision + recall
        else None
    )
    clean = len(labels) - sum(labels)
    alarms = fp / clean if clean else None
    return Metrics(len(labels), correct / len(labels), precision, recall, f1, roc_auc(labels, scores), alarms)


def _fmt(value: float | None) -> str:
    return "    -" if value is None else f"{value:5.3f}"


def _row(name: str, m: Metrics) -> str:
    return (
        f"  {name:<22} n={m.n:<5} acc={_fmt(m.accuracy)} prec={_fmt(m.precision)} rec={_fmt(m.recall)} "
        f"f1={_fmt(m.f1)} auc={_fmt(m.auc)} FA={_fmt(m.false_alarms)}"
    )


def false_positive_rate(cases: Sequence[Case], scores: Sequence[float], names: Sequence[str], threshold: float) -> str:
    picked = [s for c, s in zip(cases, scores, strict=True) if c.functionality in names and not c.abusive]
    if not picked:
        return "-"
    return f"{sum(s >= threshold for s in picked) / len(picked):.3f} (n={len(picked)})"


Systems = dict[str, list[dict[Category, float]]]


def score_systems(classifier: TieredClassifier, texts: Sequence[str]) -> tuple[Systems, float]:
    """Per-category scores of each system for each text, and the combined system's messages per second."""
    started = time.perf_counter()
    results = [classifier.text_tier.analyse(t) for t in texts]
    systems: Systems = {"text": [dict(r.classification.scores) for r in results]}
    tier = classifier.ml_tier
    if tier is not None:
        read = [classifier.ml_reads(t) for t in texts]
        e5 = [s for start in range(0, len(read), 32) for s in tier.predict(read[start : start + 32])]
        systems["e5"] = [dict(s) for s in e5]
        systems["combined"] = [
            dict(classifier.combiner.combine(r, s, tier.name).scores) for r, s in zip(results, e5, strict=True)
        ]
    elapsed = time.perf_counter() - started
    return systems, len(texts) / elapsed if elapsed else 0.0


def _check_stable_api(texts: Sequence[str], systems: Systems) -> None:
    sample = list(texts[:64])
    final = systems.get("combined", systems["text"])[: len(sample)]
    expected = [round(max(s.values(), default=0.0), 4) for s in final]
    if [round(v, 4) for v in score_texts(sample)] != expected:
        raise SystemExit("score_texts does not return the combined system's review probability")


def heldout(classifier: TieredClassifier, corpus: Path) -> None:
    _, examples = split(load_corpus([corpus]))
    if not examples:
        print(f"\n== held-out split: no *_heldout.jsonl in {corpus}, skipped")
        return
    systems, rate = score_systems(classifier, [e.text for e in examples])
    _check_stable_api([e.text for e in examples], systems)
    print(f"\n== held-out split ({corpus}): {len(examples)} messages, {rate:,.0f} messages/s (all systems)")
    print("F1 / ROC-AUC / false alarms on harmless messages (FA), threshold 0.5; review = any category (score_texts)")
    for line in table("category", {n: per_category(examples, s) for n, s in systems.items()}):
        print(line)
    print()
    for line in table("register (review)", {n: per_register(examples, s) for n, s in systems.items()}):
        print(line)
    print()
    for line in table("file (review)", {n: per_file(examples, s) for n, s in systems.items()}):
        print(line)
    critical = [i for i, e in enumerate(examples) if safety_critical(e)]
    print(f"\nsafety-critical (school threat, self-harm, nude demands; n={len(critical)}) reaching a reviewer:")
    for name, scored in systems.items():
        missed = [examples[i] for i in critical if review_score(scored[i]) < THRESHOLD]
        print(f"  {name}: {len(critical) - len(missed)} of {len(critical)}")
    final = systems.get("combined", systems["text"])
    for i in critical:
        if review_score(final[i]) < THRESHOLD:
            print(f"    missed ({review_score(final[i]):.2f}): {examples[i].source}")


def evaluate(
    classifier: TieredClassifier, title: str, cases: list[Case], threshold: float, errors: int, functionality: bool
) -> None:
    texts = [c.text for c in cases]
    systems, rate = score_systems(classifier, texts)
    _check_stable_api(texts, systems)
    labels = [c.abusive for c in cases]
    print(f"\n== {title}: {len(cases)} cases, {rate:,.0f} messages/s (all systems, threshold {threshold})")
    scores: list[float] = []
    for name, scored in systems.items():
        scores = [max(s.values(), default=0.0) for s in scored]
        print(_row(name, metrics(labels, scores, threshold)))
        print(
            f"  {'':<22} FPR counter-speech {false_positive_rate(cases, scores, COUNTER_SPEECH, threshold)}, "
            f"harmless swearing {false_positive_rate(cases, scores, HARMLESS_SWEARING, threshold)}"
        )
    if functionality:
        groups: dict[str, list[int]] = defaultdict(list)
        for index, case in enumerate(cases):
            groups[case.functionality].append(index)
        print(f"  per functionality ({list(systems)[-1]}):")
        for name in sorted(groups):
            idx = groups[name]
            print(_row(name, metrics([labels[i] for i in idx], [scores[i] for i in idx], threshold)))
    if errors:
        wrong = [(c, s) for c, s in zip(cases, scores, strict=True) if (s >= threshold) != c.abusive]
        print(f"  first {min(errors, len(wrong))} of {len(wrong)} errors ({list(systems)[-1]}):")
        for case, score in wrong[:errors]:
            print(f"    {score:.2f} {'abusive' if case.abusive else 'clean  '} {case.functionality:<20} {case.text}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=None, help="folder holding mhc_nl/ and hatecheck_en/")
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR, help="folder holding the *_heldout.jsonl files")
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--errors", type=int, default=0, help="print this many misclassified cases per set")
    parser.add_argument("--functionality", action="store_true", help="per functionality, combined system")
    args = parser.parse_args(argv)
    data = args.data or default_data_dir()
    classifier = build_classifier(ClassifierConfig())
    print(f"tiers: {classifier.name}; data: {data}")
    heldout(classifier, args.corpus)
    for title, relative in SETS:
        path = data / relative
        if not path.exists():
            print(f"\n== {title}: {path} not found, skipped")
            continue
        evaluate(classifier, title, load_cases(path), args.threshold, args.errors, args.functionality)
    classifier.close()


if __name__ == "__main__":
    main()
