"""How the text tier's and the ML tier's scores combine, per category.

The rules, kept deliberately simple:

1. The text tier's score stands: its hits are explained, Dutch-aware matches, and the ML model cannot overrule
   them (it knows no Dutch).
2. The ML tier may *raise* a category the text tier scored lower, but only by what it exceeds the text score
   by beyond a margin: combined = max(text, ml - margin). A confident model (0.95) lifts a missed category
   to 0.85; a lukewarm one (0.45) stays below the borderline band (0.35). SEXUAL gets a larger margin
   because detoxify's `obscene` label fires on plain swearing.
3. Context the text tier saw (counter-speech, negation, quotation, abuse aimed only at the speaker) softens the
   ML score by the same factor before rule 2: the model cannot tell "calling people X is wrong" from "X".
4. A category the model has no label for (harassment, self-harm) keeps the text score.
"""

from __future__ import annotations

from collections.abc import Mapping

from moderation.model import ABUSE_CATEGORIES, Category, Classification, Evidence

ML_MARGIN = 0.1
ML_MARGINS: Mapping[Category, float] = {Category.SEXUAL: 0.3}
MIN_ML_EVIDENCE = 0.4


def combine(
    text: Classification, context_factor: float, ml: Mapping[Category, float] | None, ml_name: str = "ml"
) -> Classification:
    if not ml:
        return text
    scores: list[tuple[Category, float]] = []
    evidence: list[Evidence] = list(text.evidence)
    for category in ABUSE_CATEGORIES:
        text_score = text.score(category)
        model_score = ml.get(category)
        if model_score is None:
            scores.append((category, text_score))
            continue
        lifted = max(0.0, min(1.0, model_score * context_factor) - ML_MARGINS.get(category, ML_MARGIN))
        combined = max(text_score, lifted)
        if lifted > text_score and lifted >= MIN_ML_EVIDENCE:
            evidence.append(
                Evidence(category, round(lifted, 4), f"model {ml_name} scored {category.value} {model_score:.2f}")
            )
        scores.append((category, round(combined, 4)))
    return Classification(tuple(scores), tuple(evidence), text.note)
