"""The Dutch-first text tier: normalise, tokenise, match templates and grammar, and explain the result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from moderation.classify.config import ClassifierConfig
from moderation.classify.grammar import find_hits
from moderation.classify.hit import Hit
from moderation.classify.lexicon import PREDICATE_KINDS, Lexicon, build_lexicon
from moderation.classify.lookup import WordLookup
from moderation.classify.normalize import DEFAULT_WINDOW, Normalized, Normalizer
from moderation.classify.templates import TemplateMatcher
from moderation.classify.tokens import WORD as _WORD
from moderation.classify.tokens import Token, parse, tokenize
from moderation.model import ABUSE_CATEGORIES, Category, Classification, Evidence

MAX_EVIDENCE = 5
MIN_EVIDENCE_SCORE = 0.3
_QUOTE_LIMIT = 80  # characters of the original shown in an explanation

CLEAN = tuple((c, 0.0) for c in ABUSE_CATEGORIES)


@dataclass(frozen=True, slots=True)
class TextResult:
    classification: Classification
    context_factor: float  # 1.0, or the strongest softening the context applied (0.2 for counter-speech)


class TextTier:
    """Scores one text per abuse category from the lexicon's words, templates and grammar. Pure and synchronous."""

    def __init__(self, lexicon: Lexicon, window: int = DEFAULT_WINDOW) -> None:
        self._normalizer = Normalizer(window)
        self._lookup = WordLookup(lexicon)
        self._templates = TemplateMatcher(lexicon.templates)
        self._required = frozenset(self._templates.required_words)
        self._triggers = frozenset(PREDICATE_KINDS | self._templates.trigger_kinds)

    @classmethod
    def from_config(cls, config: ClassifierConfig) -> TextTier:
        normalizer = Normalizer()
        return cls(build_lexicon(config.lexicon_files, config.allow_terms, normalizer, config.languages))

    def _worth_parsing(self, text: str) -> bool:
        """Most chat is clean: a hurtful word, or a word some template needs, must be present for any hit."""
        cache, resolve = self._lookup.cache, self._lookup.resolve
        for word in _WORD.findall(text):
            if word in self._required:
                return True
            kinds = (cache.get(word) or resolve(word)).kinds
            if kinds and not kinds.isdisjoint(self._triggers):
                return True
        return False

    def _hits(self, text: str) -> tuple[list[Token], list[Hit]]:
        if not self._worth_parsing(text):
            return [], []
        tokens = tokenize(text, self._lookup)
        return tokens, find_hits(parse(tokens), self._templates.match(tokens))

    def classify(self, text: str) -> Classification:
        return self.analyse(text).classification

    def analyse(self, text: str) -> TextResult:
        norm = self._normalizer.normalize(text)
        tokens, hits = self._hits(norm.text)
        if norm.alt_text is not None:  # "1" read as "l" instead of "i": keep whichever reading is worse
            alt_tokens, alt_hits = self._hits(norm.alt_text)
            if max((h.score for h in alt_hits), default=0.0) > max((h.score for h in hits), default=0.0):
                tokens, hits = alt_tokens, alt_hits
        if not hits:
            return TextResult(Classification(CLEAN, (), norm.note), 1.0)
        best: dict[Category, float] = {}
        for hit in hits:
            best[hit.category] = max(best.get(hit.category, 0.0), hit.score)
        scores = tuple((c, round(min(1.0, best.get(c, 0.0)), 4)) for c in ABUSE_CATEGORIES)
        evidence = _evidence(norm, tokens, hits)
        # How much the context softened hurtful words it saw (counter-speech, negation, ...); the combiner
        # applies the same to the ML tier, which cannot see that context.
        softened = [h.softening for h in hits if h.reasons]
        return TextResult(Classification(scores, evidence, norm.note), min(softened, default=1.0))

    def score(self, text: str) -> float:
        """The probability-like abuse score used by `score_texts`: the highest abuse category except self-harm,
        which is a reason to care for the writer, not abuse."""
        result = self.classify(text)
        return max((v for c, v in result.scores if c is not Category.SELF_HARM), default=0.0)


def _evidence(norm: Normalized, tokens: Sequence[Token], hits: Sequence[Hit]) -> tuple[Evidence, ...]:
    ranked = sorted(hits, key=lambda h: h.score, reverse=True)
    out: list[Evidence] = []
    seen: set[str] = set()
    for hit in ranked:
        if hit.score < MIN_EVIDENCE_SCORE or len(out) >= MAX_EVIDENCE:
            break
        quote = norm.quote(tokens[hit.first].start, tokens[hit.last].end)
        if len(quote) > _QUOTE_LIMIT:
            quote = quote[: _QUOTE_LIMIT - 1] + "…"
        text = f"{hit.label} in '{quote}'"
        if hit.reasons:
            text += f" (softened: {', '.join(hit.reasons)})"
        if text in seen:
            continue
        seen.add(text)
        out.append(Evidence(hit.category, round(hit.score, 4), text, hit.criminal and hit.score >= 0.5))
    return tuple(out)
