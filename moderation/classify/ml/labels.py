"""From a model's own labels to the project's categories, and the text clean-up every backend shares."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from moderation.model import Category

# detoxify's labels (after its own renaming) -> our category. Several labels may feed one category: the category
# takes the highest. Choices:
# - toxicity is detoxify's general "rude, disrespectful" score; at a school that is an insult aimed at someone.
# - severe_toxicity is the same judgement at a higher intensity, so it also feeds INSULT (never a category of its
#   own: it says how bad, not what kind).
# - obscene (profanity) and sexual_explicit feed SEXUAL, as the issue asks. Obscene also fires on plain swearing,
#   so SEXUAL from detoxify deserves a higher threshold than the text tier's.
# - unbiased's identity-mention labels (male, female, muslim, ...) say who is mentioned, not that they are
#   attacked: dropped. detoxify has no label for harassment/exclusion or self-harm: those stay absent, which
#   means "no opinion", not 0.
DETOXIFY_CATEGORIES: Mapping[str, Category] = {
    "toxicity": Category.INSULT,
    "severe_toxicity": Category.INSULT,
    "insult": Category.INSULT,
    "threat": Category.THREAT,
    "identity_attack": Category.DISCRIMINATION,
    "obscene": Category.SEXUAL,
    "sexual_explicit": Category.SEXUAL,
}

# A model sees at most a few hundred tokens; cutting the characters first keeps a 1 MB message from costing
# seconds in the tokenizer. The ML tier judges the first MAX_CHARS characters (the text tier sees more).
MAX_CHARS = 4000


def prepare(texts: Iterable[str]) -> list[str]:
    """Bound each text and make it valid UTF-8 (lone surrogates from a broken client become U+FFFD)."""
    return [text[:MAX_CHARS].encode("utf-8", "replace").decode("utf-8", "replace") for text in texts]


def to_categories(label_scores: Mapping[str, float], mapping: Mapping[str, Category]) -> dict[Category, float]:
    """Fold label scores into categories (highest wins); labels without a category are ignored."""
    scores: dict[Category, float] = {}
    for label, value in label_scores.items():
        category = mapping.get(label)
        if category is not None:
            scores[category] = max(scores.get(category, 0.0), float(value))
    return scores


def rows_to_categories(
    labels: Sequence[str], rows: Iterable[Sequence[float]], mapping: Mapping[str, Category]
) -> list[dict[Category, float]]:
    return [to_categories(dict(zip(labels, row, strict=True)), mapping) for row in rows]


def check_mapping_covers(labels: Sequence[str], mapping: Mapping[str, Category], model: str) -> None:
    """A model whose labels map to no category at all would silently score everything 0: refuse it."""
    from moderation.classify.ml.errors import ModelLoadError

    if not any(label in mapping for label in labels):
        raise ModelLoadError(f"none of {model}'s labels {list(labels)} maps to a category")
