"""Split normalised text into tokens that know their sentence, clause, quoting and lexicon kinds."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from itertools import pairwise

from moderation.classify.lexicon import Entry
from moderation.classify.lookup import WordLookup

WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
_SENTENCE_END = re.compile(r"[.!?;:\n]+")
_CLAUSE_END = re.compile(r",")
_CLAUSE_WORDS = frozenset({"maar", "but", "omdat", "want", "because", "although", "hoewel", "whereas"})
# Unknown words ending like a noun for people ("tuiniers", "economen") count as people: abuse of any group of
# people is bullying at a school, abuse of things is not.
_PERSON_SUFFIXES = ("ers", "isten", "ists", "ianen", "ians", "anten", "enten", "iers", "logen", "aars", "icis", "euren")
_PERSON = frozenset({"person"})
# "jouw platen", "your records": a possessive before a plain noun points at a thing, not at the person.
_POSSESSIVES = frozenset({"jouw", "your", "uw"})


@dataclass(slots=True)  # not frozen: frozen dataclasses are slower to create, and tokens are made per word
class Token:
    index: int
    start: int  # in the normalised text
    end: int
    word: str
    kinds: frozenset[str]
    entries: tuple[Entry, ...]
    how: str  # how the look-up found it ("", "inflected", "misspelt", "compound", "glued", "stretched", "guessed")
    sentence: int
    clause: int
    quoted: bool


@dataclass(frozen=True, slots=True)
class Parsed:
    """A tokenised message with per-sentence indexes, so that context checks stay linear in message length."""

    tokens: list[Token]
    sentence_bounds: list[tuple[int, int]]  # per sentence: first token index, one past the last
    sentence_kinds: list[dict[str, list[int]]]  # per sentence: kind -> token indexes having it
    unquoted: int  # how many tokens are outside quotation marks

    def sentence_of(self, index: int) -> tuple[int, int]:
        return self.sentence_bounds[self.tokens[index].sentence]

    def kind_in_sentence(self, index: int, kind: str) -> list[int]:
        return self.sentence_kinds[self.tokens[index].sentence].get(kind, [])


def parse(tokens: list[Token]) -> Parsed:
    count = tokens[-1].sentence + 1 if tokens else 0
    starts = [-1] * count
    ends = [0] * count
    kinds: list[dict[str, list[int]]] = [{} for _ in range(count)]
    for token in tokens:
        sentence = token.sentence
        if starts[sentence] < 0:
            starts[sentence] = token.index
        ends[sentence] = token.index + 1
        if token.kinds:
            index = kinds[sentence]
            for kind in token.kinds:
                index.setdefault(kind, []).append(token.index)
    bounds = [(s, e) if s >= 0 else (0, 0) for s, e in zip(starts, ends, strict=True)]
    return Parsed(tokens, bounds, kinds, sum(1 for t in tokens if not t.quoted))


def _boundaries(pattern: re.Pattern[str], text: str) -> list[int]:
    return [m.start() for m in pattern.finditer(text)]


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    marks = [i for i, ch in enumerate(text) if ch == '"']
    return [(marks[i], marks[i + 1]) for i in range(0, len(marks) - 1, 2)]


def tokenize(text: str, lookup: WordLookup) -> list[Token]:
    sentence_ends = _boundaries(_SENTENCE_END, text)
    all_ends = sorted(sentence_ends + _boundaries(_CLAUSE_END, text))
    quotes = _quoted_spans(text) if '"' in text else []
    resolve = lookup.resolve
    cache = lookup.cache
    tokens: list[Token] = []
    clause_words = 0
    for match in WORD.finditer(text):
        start, end = match.span()
        word = match.group()
        if word in _CLAUSE_WORDS:
            clause_words += 1
        resolved = cache.get(word) or resolve(word)
        kinds = resolved.kinds
        how = resolved.how
        if not kinds and len(word) >= 7 and word.endswith(_PERSON_SUFFIXES):
            kinds, how = _PERSON, "guessed"
        quoted = bool(quotes) and any(a < start < b for a, b in quotes)
        sentence = bisect_left(sentence_ends, start) if sentence_ends else 0
        clause = (bisect_left(all_ends, start) if all_ends else 0) + clause_words
        tokens.append(Token(len(tokens), start, end, word, kinds, resolved.entries, how, sentence, clause, quoted))
    _drop_possessive_targets(tokens)
    return tokens


def _drop_possessive_targets(tokens: list[Token]) -> None:
    for token, following in pairwise(tokens):
        if token.word in _POSSESSIVES and not following.kinds and following.sentence == token.sentence:
            token.kinds = token.kinds - {"you"}
