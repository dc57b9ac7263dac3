"""Split normalised text into tokens that know their sentence, clause, quoting and lexicon kinds."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from moderation.classify.lexicon import Entry
from moderation.classify.lookup import HURTFUL_KINDS, WordLookup

WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
# What may sit inside a word to split it: one to three of these, or emoji, with no space (kan.ker, k-lootzak, h😂oer)
_JOINERS = frozenset(".-*·•_+~/|")
_MAX_GAP = 3
_MAX_PIECES = 12
_MAX_JOINED = 40  # characters; longer runs are no word
_NAME = frozenset({"third"})
_NOT_NAMES = frozenset({"you", "self", "first", "third", "negation", "copula", "modal", "frame"})
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
    message_kinds: dict[str, list[int]]  # kind -> token indexes having it, in the whole message

    def sentence_of(self, index: int) -> tuple[int, int]:
        return self.sentence_bounds[self.tokens[index].sentence]

    def kind_in_sentence(self, index: int, kind: str) -> list[int]:
        return self.sentence_kinds[self.tokens[index].sentence].get(kind, [])


def parse(tokens: list[Token]) -> Parsed:
    count = tokens[-1].sentence + 1 if tokens else 0
    starts = [-1] * count
    ends = [0] * count
    kinds: list[dict[str, list[int]]] = [{} for _ in range(count)]
    everywhere: dict[str, list[int]] = {}
    for token in tokens:
        sentence = token.sentence
        if starts[sentence] < 0:
            starts[sentence] = token.index
        ends[sentence] = token.index + 1
        if token.kinds:
            index = kinds[sentence]
            for kind in token.kinds:
                index.setdefault(kind, []).append(token.index)
                everywhere.setdefault(kind, []).append(token.index)
    bounds = [(s, e) if s >= 0 else (0, 0) for s, e in zip(starts, ends, strict=True)]
    return Parsed(tokens, bounds, kinds, sum(1 for t in tokens if not t.quoted), everywhere)


def _boundaries(pattern: re.Pattern[str], text: str) -> list[int]:
    return [m.start() for m in pattern.finditer(text)]


def _outside(points: list[int], spans: list[tuple[int, int]]) -> list[int]:
    """The sorted points that lie strictly inside none of the sorted, disjoint spans (linear)."""
    out: list[int] = []
    k = 0
    for point in points:
        while k < len(spans) and spans[k][1] <= point:
            k += 1
        if not (k < len(spans) and spans[k][0] < point < spans[k][1]):
            out.append(point)
    return out


def _inside(position: int, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    k = bisect_left(starts, position) - 1
    return k >= 0 and spans[k][0] < position < spans[k][1]


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    marks = [i for i, ch in enumerate(text) if ch == '"']
    return [(marks[i], marks[i + 1]) for i in range(0, len(marks) - 1, 2)]


# A word as found in the text: start, end, the word, and whether it was joined from pieces.
Piece = tuple[int, int, str, bool]


def _gap_joins(gap: str) -> bool:
    if not gap or len(gap) > _MAX_GAP:
        return False
    return all(ch in _JOINERS or unicodedata.category(ch) in ("So", "Sk") for ch in gap)


def _joined(text: str, pieces: list[tuple[int, int, str]]) -> str:
    """The pieces as one word; stars between them stay (k*nker is looked up as a censored word)."""
    out = [pieces[0][2]]
    for (_, end, _), (start, _, word) in pairwise(pieces):
        gap = text[end:start]
        out.append("*" * len(gap) if set(gap) == {"*"} else "")
        out.append(word)
    return "".join(out)


def _joins(word: str, lookup: WordLookup) -> bool:
    """Whether pieces joined into `word` make a real word: abuse or another word of the lexicon or a template
    (exactly, inflected, censored), or a common valid word (e-mail, geme ld: harmless, and now seen as such)."""
    if len(word) > _MAX_JOINED:
        return False
    resolved = lookup.strict(word)
    return bool(resolved.kinds & HURTFUL_KINDS) or bool(resolved.term) or lookup.is_known(word)


# A word split by a space is joined again when it is one of these even though both halves are words ("los er",
# "eik el"): an insult split on purpose. Other kinds ("die ren" is not "dieren") need a half that is no word.
_SPLIT_INSULTS = frozenset({"insult_noun", "slur", "curse", "sexual"})


def _split_word(first: str, second: str, lookup: WordLookup) -> bool:
    joined = first + second
    if not _joins(joined, lookup):
        return False
    if lookup.resolve(first).kinds & HURTFUL_KINDS and lookup.resolve(second).kinds & HURTFUL_KINDS:
        return False  # two abusive words side by side are two words
    if not (lookup.is_common(first) and lookup.is_common(second)):
        return True  # kank er, geme ld, a f: a half that is no word
    return bool(lookup.strict(joined).kinds & _SPLIT_INSULTS)


def words(text: str, lookup: WordLookup) -> list[Piece]:
    """The words of the text, with a word split by a separator, an emoji or one space joined again when the
    joined word is abuse in the lexicon (kan.ker, k-lootzak, h😂oer, kank er) or all its pieces are single
    letters (a.f). A split that makes no abusive word stays split: e-mail, kut-school."""
    found = [(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]
    out: list[Piece] = []
    i = 0
    while i < len(found):
        last = i
        while (
            last + 1 < len(found) and last - i < _MAX_PIECES and _gap_joins(text[found[last][1] : found[last + 1][0]])
        ):
            last += 1
        joined_to = -1
        for end in range(last, i, -1):  # the longest chain that joins into a word
            chain = found[i : end + 1]
            word = _joined(text, chain)
            letters = all(len(w) == 1 for _, _, w in chain) and "*" not in word
            if letters or _joins(word, lookup):
                out.append((chain[0][0], chain[-1][1], word, True))
                joined_to = end
                break
        if joined_to >= 0:
            i = joined_to + 1
            continue
        chains_on = i + 2 < len(found) and _gap_joins(text[found[i + 1][1] : found[i + 2][0]])
        if i + 1 < len(found) and not chains_on and text[found[i][1] : found[i + 1][0]] == " ":
            (start, _, first), (_, end, second) = found[i], found[i + 1]
            if (len(first) == 1) != (len(second) == 1):  # "een s-ukkel": a letter is not glued to a word
                out.append((*found[i], False))
                i += 1
                continue
            if _split_word(first, second, lookup):
                out.append((start, end, first + second, True))  # kank er, a f, geme ld
                i += 2
                continue
        out.append((*found[i], False))
        i += 1
    return out


def tokenize(
    text: str,
    lookup: WordLookup,
    pieces: list[Piece] | None = None,
    names: frozenset[str] = frozenset(),
    capitalised: Callable[[int], bool] | None = None,
    stretched: Sequence[int] = (),
) -> list[Token]:
    """Tokens with their sentence, clause, quoting and kinds. `names`: first names that are people (the roster's
    and common ones); `capitalised(start)`: whether the author wrote the word at `start` with a capital, so that
    an unknown capitalised word inside a sentence is taken for a name."""
    if pieces is None:
        pieces = words(text, lookup)
    sentence_ends = _boundaries(_SENTENCE_END, text)
    joined_spans = [(start, end) for start, end, _, joined in pieces if joined]
    if joined_spans:  # a dot inside a joined word (a.f, kan.ker) ends no sentence
        sentence_ends = _outside(sentence_ends, joined_spans)
    all_ends = sorted(sentence_ends + _boundaries(_CLAUSE_END, text))
    quotes = _quoted_spans(text) if '"' in text else []
    quote_starts = [a for a, _ in quotes]
    resolve = lookup.resolve
    cache = lookup.cache
    tokens: list[Token] = []
    clause_words = 0
    previous_sentence = -1
    for start, end, word, joined in pieces:
        if word in _CLAUSE_WORDS:
            clause_words += 1
        resolved = cache.get(word) or resolve(word)
        if stretched:
            first_run = bisect_left(stretched, start)
            runs = [p - start for p in stretched[first_run:] if p < end]
            if runs:
                resolved = lookup.stretched(word, runs) or resolved
        kinds = resolved.kinds
        how = "joined" if joined and resolved.kinds else resolved.how
        if resolved.term:
            word = resolved.term  # f*ck is "fuck", aaaaaf is "af", to the templates too
        sentence = bisect_left(sentence_ends, start) if sentence_ends else 0
        if not kinds and len(word) >= 7 and word.endswith(_PERSON_SUFFIXES):
            kinds, how = _PERSON, "guessed"
        elif (
            not (kinds & _NOT_NAMES)
            and len(word) >= 3
            and (
                word in names
                or (
                    capitalised is not None
                    and sentence == previous_sentence
                    and not lookup.is_known(word)
                    and capitalised(start)
                )
            )
        ):
            kinds, how = kinds | _NAME, "name"
        previous_sentence = sentence
        quoted = bool(quotes) and _inside(start, quotes, quote_starts)
        clause = (bisect_left(all_ends, start) if all_ends else 0) + clause_words
        tokens.append(Token(len(tokens), start, end, word, kinds, resolved.entries, how, sentence, clause, quoted))
    _drop_possessive_targets(tokens)
    return tokens


def _drop_possessive_targets(tokens: list[Token]) -> None:
    for token, following in pairwise(tokens):
        if token.word in _POSSESSIVES and not following.kinds and following.sentence == token.sentence:
            token.kinds = token.kinds - {"you"}
