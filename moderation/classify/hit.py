"""One reason the text tier found for a score, before it becomes `Evidence`."""

from __future__ import annotations

from dataclasses import dataclass

from moderation.classify.lexicon import Entry
from moderation.model import Category


@dataclass(frozen=True, slots=True)
class Hit:
    category: Category
    score: float
    label: str  # "insult 'klootzak' aimed at 'jij'", "threat pattern 'ik maak je af'"
    first: int  # token span the evidence quotes
    last: int
    criminal: bool = False
    core: tuple[int, int] = (0, 0)  # token span of the hurtful words themselves (without the target)
    verb_like: bool = False  # negation scope: a verb is negated from anywhere earlier in its clause
    template: Entry | None = None  # the template that matched, for template hits
    negation_is_meaning: bool = False  # "zijn nooit intelligent": the negation makes it hurtful
    reasons: tuple[str, ...] = ()  # softening context, for the explanation
    softening: float = 1.0  # the factor those reasons applied
    gaps: tuple[int, ...] = ()  # template hits: tokens the template skipped (a negation there still negates)
    disclosure: bool = False  # told by the one it was done to ("hij vroeg me om nudes"): care, not punishment
