"""Split normalised text into tokens that know their sentence, clause, quoting and lexicon kinds."""

from __future__ import annotations

import operator
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import accumulate, compress, pairwise, repeat
from itertools import count as count_from

from moderation.classify.lexicon import Entry
from moderation.classify.lookup import HURTFUL_KINDS, KNOWN_START, WordLookup
from moderation.classify.quotes import quoted_spans

WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
# What may sit inside a word to split it: one to three of these, or emoji, with no space (kan.ker, k-lootzak, h😂oer)
_JOINERS = frozenset(".-*·•_+~/|")
_MAX_GAP = 3
_MAX_PIECES = 5
_MAX_JOINED = 40  # characters; longer runs are no word
_NOT_JOINED = (False,)  # added to a found word: a piece as it stands in the text
_MANY_PIECES = 32  # words from which the plainer look-up of a spent budget pays (see `WordLookup.settled`)
_NAME = frozenset({"third"})
_INSIDE_WORD = re.compile(r"[a-z][^\sa-z]{1,3}[a-z]")  # something other than a space between two letters
_NOT_NAMES = frozenset({"you", "self", "first", "third", "negation", "copula", "modal", "frame"})
_SENTENCE_END = re.compile(r"[.!?;:\n]+")
_CLAUSE_END = re.compile(r",")
_CLAUSE_WORDS = frozenset({"maar", "but", "omdat", "want", "because", "although", "hoewel", "whereas"})
# Unknown words ending like a noun for people ("tuiniers", "economen") count as people: abuse of any group of
# people is bullying at a school, abuse of things is not.
PERSON_SUFFIXES = ("ers", "isten", "ists", "ianen", "ians", "anten", "enten", "iers", "logen", "aars", "icis", "euren")
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


# A word as found in the text: start, end, the word, and whether it was joined from pieces.
Piece = tuple[int, int, str, bool]


def _gap_joins(gap: str) -> bool:
    if gap == " " or not gap or len(gap) > _MAX_GAP:
        return False
    return all(ch in _JOINERS or unicodedata.category(ch) in ("So", "Sk") for ch in gap)


def _joins(word: str, lookup: WordLookup) -> bool:
    """Whether pieces joined into `word` make a real word: abuse or another word of the lexicon or a template
    (exactly, inflected, censored), or a common valid word (e-mail, geme ld: harmless, and now seen as such)."""
    if len(word) > _MAX_JOINED or not lookup.within_budget():
        return lookup.is_known(word)
    resolved = lookup.strict(word)
    return bool(resolved.kinds & HURTFUL_KINDS) or bool(resolved.term) or lookup.is_known(word)


def plainly_split(text: str, found: list[str], lookup: WordLookup) -> bool:
    """Whether the words of `text` (`found`, in order) need no joining: nothing but spaces between letters, and
    no two neighbours that could be one word split by a space. True for most chat, and cheap to find out."""
    return not _INSIDE_WORD.search(text) and lookup.plainly_split(found)


def words(text: str, lookup: WordLookup) -> list[Piece]:
    """The words of the text, with a word split by a separator, an emoji or one space joined again when the
    joined word is abuse in the lexicon (kan.ker, k-lootzak, h😂oer, kank er) or all its pieces are single
    letters (a.f). A split that makes no abusive word stays split: e-mail, kut-school."""
    found = [(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]
    if plainly_split(text, [w for _, _, w in found], lookup):
        return [(start, end, word, False) for start, end, word in found]  # the usual case: nothing to join
    return _join(text, found, lookup)


def joined_words(text: str, lookup: WordLookup) -> list[Piece]:
    """`words` for a text already known not to be plainly split."""
    found, gaps = found_words(text)
    return _join(text, found, lookup, gaps)


_WORD_SPLIT = re.compile(f"({WORD.pattern})")  # split on it: what lies between words, then a word, and so on


def found_words(text: str) -> tuple[list[tuple[int, int, str]], list[str]]:
    """The words of the text (start, end, word) and what lies between each and the next, found in one split."""
    pieces = _WORD_SPLIT.split(text)
    bounds = list(accumulate(map(len, pieces)))  # where each piece ends
    return list(zip(bounds[0:-1:2], bounds[1::2], pieces[1::2], strict=True)), pieces[2:-1:2]


def _join_settled(
    found: list[tuple[int, int, str]], gaps: list[str], chained: list[bool], lookup: WordLookup
) -> list[Piece]:
    """`_join` once the budget is spent (a hostile message), when no known word holds a star. Then a word starts
    a join only where gluing it to the next makes the beginning of a known word (`known_starts`), where both are
    single letters (a.f), or where they are the halves of an insult split on purpose: those few places are found
    with whole sets at once, and each is then decided as `_join` decides it, from left to right."""
    words = [word for _, _, word in found]
    count = len(words)
    glued = list(map(operator.add, words, words[1:]))
    starts = lookup.known_starts
    beginnings = list(map(operator.itemgetter(slice(0, KNOWN_START)), glued))
    begins = starts.intersection(beginnings)
    places = set(compress(count_from(), map(begins.__contains__, beginnings))) if begins else set()
    single = set(compress(count_from(), map((1).__eq__, map(len, words))))
    places |= single.intersection([k - 1 for k in single])
    insult_pairs = lookup.insult_split_pairs(words)
    if insult_pairs:
        places.update(k for k, pair in enumerate(pairwise(words)) if pair in insult_pairs)
    if not places:
        return list(map(operator.add, found, repeat(_NOT_JOINED)))  # nothing to join: the usual case
    known = lookup.known
    common, resolve = lookup.is_common, lookup.resolve_settled
    out: list[Piece] = []
    free = 0  # the first word not yet part of a piece
    for i in sorted(places):
        if i < free or i >= count - 1:
            continue
        joined_to = -1
        word = ""
        if chained[i]:
            last = i
            while last + 1 < count and last - i < _MAX_PIECES and chained[last]:
                last += 1
            joined = [words[i]]
            letters = [len(words[i]) == 1]
            for k in range(i + 1, last + 1):
                gap = gaps[k - 1]
                if not gap.strip("*"):
                    last = k - 1  # stars between pieces: no known word holds one, and no letters chain does
                    break
                joined.append(joined[-1] + words[k])
                letters.append(letters[-1] and len(words[k]) == 1)
                if not letters[-1] and joined[-1][:KNOWN_START] not in starts:
                    last = k - 1  # begins no known word: neither does any longer chain
                    break
            for end in range(last, i, -1):  # the longest chain that joins into a word
                if letters[end - i] or joined[end - i] in known:
                    joined_to, word = end, joined[end - i]
                    break
        elif gaps[i] == " " and not (i + 1 < count - 1 and chained[i + 1]):
            first, second = words[i], words[i + 1]
            if common(first) and common(second):
                split = lookup.splits_insult(first, second)
            else:
                split = (
                    (len(first) == 1) == (len(second) == 1)
                    and glued[i] in known
                    and not (resolve(first).kinds & HURTFUL_KINDS and resolve(second).kinds & HURTFUL_KINDS)
                )
            if split:
                joined_to, word = i + 1, glued[i]
        if joined_to >= 0:
            out.extend(map(operator.add, found[free:i], repeat(_NOT_JOINED)))
            out.append((found[i][0], found[joined_to][1], word, True))
            free = joined_to + 1
    out.extend(map(operator.add, found[free:], repeat(_NOT_JOINED)))
    return out


class _GapTable(dict[str, bool]):
    """gap -> whether it joins the words beside it (`_gap_joins`), filled as gaps are first met (bounded)."""

    def __missing__(self, gap: str) -> bool:
        joins = _gap_joins(gap)
        if len(self) < _GAP_TABLE_LIMIT:
            self[gap] = joins
        return joins


_GAP_TABLE_LIMIT = 20_000
_JOINING_GAPS = _GapTable()


def _join(
    text: str, found: list[tuple[int, int, str]], lookup: WordLookup, gaps: list[str] | None = None
) -> list[Piece]:
    count = len(found)
    # per word: what separates it from the next one (" " is by far the most common: checked first)
    if gaps is None:
        gaps = [text[found[k][1] : found[k + 1][0]] for k in range(count - 1)]
    joining = _JOINING_GAPS
    chained = [gap != " " and len(gap) <= _MAX_GAP and joining[gap] for gap in gaps]
    common = lookup.is_common
    if lookup.settled() and not lookup.known_has_stars:
        return _join_settled(found, gaps, chained, lookup)  # the budget is spent: `_joins` is `is_known`
    joins = partial(_joins, lookup=lookup)
    resolve = lookup.resolve
    out: list[Piece] = []
    i = 0
    while i < count:
        if i < count - 1 and chained[i]:
            last = i
            while last + 1 < count and last - i < _MAX_PIECES and chained[last]:
                last += 1
            # The chain joined up to each of its pieces, and whether it is single letters up to there (a.f),
            # built once (stars between pieces stay: k*nker is looked up as a censored word).
            joined = [found[i][2]]
            letters = [len(found[i][2]) == 1]
            # a lone hyphen may censor a letter of a hurtful word too (k-nker, not n-woord): that reading is tried
            # where the glued one fails
            censored = [found[i][2]]
            for k in range(i + 1, last + 1):
                gap, word = gaps[k - 1], found[k][2]
                stars = not gap.strip("*")
                joined.append(joined[-1] + ("*" * len(gap) if stars else "") + word)
                letters.append(letters[-1] and len(word) == 1 and not stars)
                censored.append(censored[-1] + ("*" * len(gap) if stars or gap == "-" else "") + word)
            joined_to = -1
            for end in range(last, i, -1):  # the longest chain that joins into a word
                word = joined[end - i]
                if not letters[end - i] and not joins(word) and censored[end - i] != word:
                    hyphened = censored[end - i]
                    if lookup.strict(hyphened).kinds & HURTFUL_KINDS:
                        word = hyphened
                if letters[end - i] or joins(word):
                    out.append((found[i][0], found[end][1], word, True))
                    joined_to = end
                    break
            if joined_to >= 0:
                i = joined_to + 1
                continue
        elif i < count - 1 and gaps[i] == " " and not (i + 1 < count - 1 and chained[i + 1]):
            (start, _, first), (_, end, second) = found[i], found[i + 1]
            if common(first) and common(second):
                split = lookup.splits_insult(first, second)  # two real words: only an insult split on purpose
            else:
                # kank er, geme ld, a f: a half that is no word; but two abusive words side by side are two words
                split = (
                    (len(first) == 1) == (len(second) == 1)
                    and joins(first + second)
                    and not (resolve(first).kinds & HURTFUL_KINDS and resolve(second).kinds & HURTFUL_KINDS)
                )
            if split:
                out.append((start, end, first + second, True))  # kank er, a f, geme ld, los er
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
    quotes = quoted_spans(text) if '"' in text or "'" in text else []
    resolve = lookup.resolve_settled if len(pieces) > _MANY_PIECES and lookup.settled() else lookup.resolve
    cache = lookup.cache
    is_known = lookup.known.__contains__
    tokens: list[Token] = []
    append = tokens.append
    clause_words = 0
    previous_sentence = -1
    # Pieces come in order: how many sentence ends, clause ends and quotes lie before each is counted on the way
    # (linear), not searched for.
    sentence = clause_ends = next_quote = 0
    ends_count, all_count, quote_count = len(sentence_ends), len(all_ends), len(quotes)
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
        how = "joined" if joined and kinds else resolved.how
        if resolved.term:
            word = resolved.term  # f*ck is "fuck", aaaaaf is "af", to the templates too
        while sentence < ends_count and sentence_ends[sentence] < start:
            sentence += 1
        if not kinds and len(word) >= 7 and word.endswith(PERSON_SUFFIXES):
            kinds, how = _PERSON, "guessed"
        elif (
            len(word) >= 3
            and _NOT_NAMES.isdisjoint(kinds)
            and (
                word in names
                or (
                    capitalised is not None
                    and sentence == previous_sentence
                    and not is_known(word)
                    and capitalised(start)
                )
            )
        ):
            kinds, how = kinds | _NAME, "name"
        previous_sentence = sentence
        quoted = False
        if quote_count:
            while next_quote < quote_count and quotes[next_quote][0] < start:
                next_quote += 1
            quoted = next_quote > 0 and start < quotes[next_quote - 1][1]  # inside the last quote opened before it
        while clause_ends < all_count and all_ends[clause_ends] < start:
            clause_ends += 1
        clause = clause_ends + clause_words
        append(Token(len(tokens), start, end, word, kinds, resolved.entries, how, sentence, clause, quoted))
    _drop_possessive_targets(tokens)
    return tokens


def _drop_possessive_targets(tokens: list[Token]) -> None:
    for token, following in pairwise(tokens):
        if token.word in _POSSESSIVES and not following.kinds and following.sentence == token.sentence:
            token.kinds = token.kinds - {"you"}
