"""Word look-up that tolerates how teenagers write: inflection, stretched letters, a dropped or swapped letter,
glued-together words and Dutch curse compounds (kankerlijer, tyfushoer).

Each token resolves to the lexicon entries it stands for, plus how it was found (for the explanation). Results are
cached per instance: chat vocabulary repeats, so the fuzzy work is paid once per distinct word.

A word in the lists of common valid Dutch and English words is only ever looked up exactly (and by inflection):
no dropped, swapped or stretched letter, no word glued inside it, turns `negeer` into a slur or `sluiten` into
`sluts`.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import pairwise

from moderation.classify.censored import MARK, CensoredWords
from moderation.classify.lexicon import CONTENT_KINDS, FUNCTION_KINDS, PREDICATE_KINDS, TARGET_KINDS, Entry, Lexicon
from moderation.classify.spelling import ENGLISH_ENDINGS, GLUE, deletions, skeleton, stems

_MIN_SWAP = 4  # shortest word in which a swap of two letters is looked up
_MIN_DROPPED = 6  # shortest word looked up as a lexicon word with one letter dropped
_MIN_DROPPED_IDENTITY = 4
_MIN_CHANGED = 7  # shortest word looked up with one letter added or changed
_MIN_FUZZY_SOURCE = 6  # lexicon words shorter than this get no dropped-letter variants
_MIN_GLUED = 5  # a word found inside a longer one must be this long (not 'dood' in 'doodgewoon')
_CACHE_LIMIT = 100_000
_NOUN_KINDS = frozenset({"identity", "insult_noun", "dehum_noun", "slur"})


@dataclass(frozen=True, slots=True)
class Resolved:
    entries: tuple[Entry, ...]
    how: str = ""  # "", "inflected", "stretched", "misspelt", "compound", "glued", "censored"
    kinds: frozenset[str] = frozenset()
    term: str = ""  # censored or stretched: the word it stands for (d*od, aaaf: "dood", "af"), for the templates


def _resolved(entries: tuple[Entry, ...], how: str = "") -> Resolved:
    return Resolved(entries, how, frozenset(e.kind for e in entries))


_NOTHING = Resolved(())
_CUT = Resolved((), "cut")  # the fuzzy budget ran out before the look-up was complete
# How a look-up may have found a word for it to count when pieces of a split word are joined again ("kan.ker"):
# the joined word must be in the lexicon itself, not merely resemble something in it.
STRICT = frozenset({"", "inflected", "compound", "stretched", "censored"})
HURTFUL_KINDS = PREDICATE_KINDS - {"praise"} | {"curse"}
RARE = 2.0  # the Zipf frequency taken for a word the common lists lack (their cut-off is 2.5)
FAR_LIKELIER = 2.0  # Zipf points (a hundred times as common) by which an ordinary word outweighs a lexicon word
MAX_CENSORED_READS = 64  # new censored words read back per message (see `limit_fuzzy`); past it, read as nothing
SPLIT_MARGIN = 1.5  # Zipf points by which an insult split on purpose may be rarer than its two halves side by side
_MAX_FUZZY_LENGTH = 40
KNOWN_START = 6  # letters of a known word's beginning kept for joining split words (see `known_starts`)
_SPLIT_INSULTS = frozenset({"insult_noun", "slur", "curse", "sexual"})
_SEVERITY = ("slur", "insult_noun", "curse", "dehum_noun", "sexual", "violence", "insult_adj", "hate_verb", "profanity")


class WordLookup:
    def __init__(self, lexicon: Lexicon) -> None:
        self._words = lexicon.words
        self._allow = lexicon.allow
        self.cache: dict[str, Resolved] = {}  # read directly by the tokenizer (the hot path); filled by resolve
        content = {w: es for w, es in lexicon.words.items() if any(e.kind in CONTENT_KINDS for e in es)}
        self._content = content
        self._skeletons: dict[str, str] = {}
        self._fuzzy: dict[str, str] = {}
        for word in content:
            if " " in word:
                continue
            self._skeletons.setdefault(skeleton(word), word)
            is_noun = any(e.kind in _NOUN_KINDS for e in content[word])
            for form in (word, word + "s", word + "en") if is_noun else (word,):
                if len(form) >= _MIN_FUZZY_SOURCE or (is_noun and len(form) >= 5):
                    for variant in deletions(form):
                        self._fuzzy.setdefault(variant, word)
        self._prefixes = {w for w, es in lexicon.words.items() if any(e.kind == "curse" for e in es)}
        # kuuuut -> kuut -> kut: curses are stretched as often as insults (the normaliser leaves two letters)
        self._curse_skeletons = {skeleton(w): w for w in sorted(self._prefixes) if " " not in w}
        self._tails = {w for w, es in lexicon.words.items() if any(e.kind == "compound_tail" for e in es)}
        self._common = lexicon.common
        self._strict_cache: dict[str, Resolved] = {}
        self._budget = threading.local()  # per thread: the bot judges long messages in a worker thread
        self._zipf = lexicon.zipf
        # "los er", "eik el", "kut kind": an insult split into two words on purpose; not where two harmless words
        # are far likelier side by side than the insult ("wat je" is no "watje")
        self._insult_splits = frozenset(
            (word[:cut], word[cut:])
            for word, entries in lexicon.words.items()
            if word.isalpha() and any(e.kind in _SPLIT_INSULTS for e in entries)
            for cut in range(2, len(word) - 1)
            if word[:cut] in lexicon.common
            and word[cut:] in lexicon.common
            and (
                self.zipf(word) >= self.pair_zipf(word[:cut], word[cut:]) - SPLIT_MARGIN
                or self._hurts(word[:cut])
                or self._hurts(word[cut:])
            )
        )
        self._phrase_words = frozenset(
            word
            for template in lexicon.templates
            for element in template.elements
            if not element.startswith("<") and element != "*"
            for word in element.split("|")
        )
        # niiiet -> niiet -> niet: grammar words are stretched too, and must still negate or address
        grammar = FUNCTION_KINDS | TARGET_KINDS
        self._grammar_skeletons: dict[str, str] = {}
        for word, entries in sorted(lexicon.words.items()):
            if any(e.kind in grammar for e in entries):
                self._grammar_skeletons.setdefault(skeleton(word), word)
        # k*nker, f*ck, sl*iten: what a censored spelling may stand for, any word of the lexicon, a template or
        # the common lists; how likely each is, for reading it back
        self._censored_words = CensoredWords(
            word for word in (*lexicon.words, *self._phrase_words, *self._common) if word.isalpha()
        )

        # A lexicon word, a word of a template, or a common valid word: one set, so that a test is one look-up.
        self.known: frozenset[str] = frozenset(self._words) | self._phrase_words | self._common
        self.known_has_stars = any("*" in word for word in self.known)

    def is_known(self, word: str) -> bool:
        """A lexicon word, a word of a template, or a common valid word."""
        return word in self.known

    def is_common(self, word: str) -> bool:
        return word in self._common

    def plainly_split(self, words: list[str]) -> bool:
        """Whether these words, side by side, cannot be one word split by a space: all common, and none the
        two halves of an insult split on purpose (a cheap test that spares most messages the pairwise one)."""
        return self._common.issuperset(words) and self._insult_splits.isdisjoint(pairwise(words))

    @cached_property
    def known_starts(self) -> frozenset[str]:
        """The beginnings of known words, two to KNOWN_START letters long (built when a hostile message first
        needs it: about 5 MB)."""
        return frozenset(w[:i] for w in self.known for i in range(2, min(len(w), KNOWN_START) + 1))

    def insult_split_pairs(self, words: list[str]) -> frozenset[tuple[str, str]]:
        """The neighbours among `words` that are the halves of an insult split on purpose (see `splits_insult`)."""
        return self._insult_splits.intersection(pairwise(words))

    def splits_insult(self, first: str, second: str) -> bool:
        """Whether two common words side by side are an insult split on purpose ("los er", "eik el"). Other
        kinds need a half that is no word: "die ren" is not "dieren"."""
        return (first, second) in self._insult_splits

    def stretched(self, word: str, runs: list[int]) -> Resolved | None:
        """A word the author stretched (the normaliser left two letters of each run at `runs`): the lexicon or
        template word it is with one letter or two (dooooom -> dom, aaaaaf -> af, haaaat -> haat), else the common
        word (neeeeegeer -> negeer, nothing). None: no such word, look it up as usual."""
        single = "".join(ch for i, ch in enumerate(word) if i - 1 not in runs)
        for form in (single, word):
            if form in self._words:
                return replace(self.resolve(form), term=form)
        for form in (single, word):
            if form in self._phrase_words:
                return Resolved((), "stretched", frozenset(), form)
        for form in (single, word):
            if form in self._common:
                return replace(self.resolve(form), term=form)
        return None

    def strict(self, word: str) -> Resolved:
        """The word as the lexicon has it: exactly, inflected, stretched, censored or as a curse compound; never
        misspelt or glued (for joining the pieces of a split word: only a real lexicon word may come out)."""
        cached = self._strict_cache.get(word)
        if cached is None:
            full = self.cache.get(word) or (self._resolve(word) if len(word) <= _MAX_FUZZY_LENGTH else _NOTHING)
            if full is _CUT:
                return _NOTHING
            cached = full if full.how in STRICT else _NOTHING
            if len(self._strict_cache) < _CACHE_LIMIT:
                self._strict_cache[word] = cached
        return cached

    def resolve(self, token: str) -> Resolved:
        cached = self.cache.get(token)
        if cached is None:
            cut: set[str] | None = getattr(self._budget, "cut", None)
            if cut is not None and token in cut:
                return _NOTHING
            cached = self._resolve(token)
            if cached is _CUT:
                if cut is not None:
                    cut.add(token)  # for this message only: a later message gets the full look-up
                return _NOTHING
            if len(self.cache) < _CACHE_LIMIT:
                self.cache[token] = cached
        return cached

    def limit_fuzzy(self, budget: int) -> None:
        """Allow at most `budget` look-ups of new unusual words (neither in the lexicon nor common: the costly
        ones) until the next call; past it such words are looked up exactly only, and not cached, so that a
        message of random noise stays cheap and later messages still get the full look-up. Of those, at most
        MAX_CENSORED_READS censored words are read back (k*nker)."""
        self._budget.left = budget
        self._budget.censored = MAX_CENSORED_READS
        self._budget.cut = set()

    def settled(self) -> bool:
        """Whether this message's fuzzy budget is spent: from then on until the next `limit_fuzzy` a look-up is
        a plain function of the word (see `resolve_settled`)."""
        left = self._left()
        return left is not None and left < 0

    def resolve_settled(self, token: str) -> Resolved:
        """`resolve` once the budget is spent (`settled`), without its book-keeping: an unusual word not in the
        cache is read as nothing (and not cached, as `resolve` does then); any other word is looked up as usual."""
        cached = self.cache.get(token)
        if cached is not None:
            return cached
        if (
            len(token) <= _MAX_FUZZY_LENGTH
            and token not in self._words
            and token not in self._common
            and token not in self._allow
        ):
            return _NOTHING
        return self.resolve(token)

    def read_as_nothing(self, words: Iterable[str]) -> set[str]:
        """Of these words, those `resolve_settled` reads as nothing without a look-up (all at once)."""
        # one container at a time: given several, `difference` would walk each of the large ones
        unusual = set(words).difference(self.cache).difference(self._words).difference(self._common)
        return {word for word in unusual.difference(self._allow) if len(word) <= _MAX_FUZZY_LENGTH}

    def _left(self) -> int | None:
        left: int | None = getattr(self._budget, "left", None)
        return left

    def _spend(self) -> bool:
        left = self._left()
        if left is None:
            return True
        self._budget.left = left - 1
        return left > 0

    def _spend_censored(self) -> bool:
        left: int | None = getattr(self._budget, "censored", None)
        if left is None:
            return True
        self._budget.censored = left - 1
        return left > 0

    def within_budget(self) -> bool:
        left = self._left()
        return left is None or left >= 0

    def _content_stem(self, word: str, min_len: int) -> Resolved | None:
        if len(word) < min_len:
            return None
        hit = self._content_only(word, "glued")
        if hit:
            return hit
        for suffix in ("s", "en", "'s"):  # only the plural: other endings glued to a word make new words
            if word.endswith(suffix) and len(word) - len(suffix) >= min_len:
                hit = self._content_only(word[: -len(suffix)], "glued")
                if hit:
                    return hit
        return None

    @staticmethod
    def _not_english(hit: Resolved) -> Resolved | None:
        entries = tuple(e for e in hit.entries if e.lang != "en")
        return _resolved(entries, hit.how) if entries else None

    def _content_only(self, word: str, how: str) -> Resolved | None:
        entries = tuple(e for e in self._content.get(word, ()) if e.kind in CONTENT_KINDS)
        return _resolved(entries, how) if entries else None

    def _resolve(self, token: str) -> Resolved:
        if token in self._allow:
            return _NOTHING
        direct = self._words.get(token)
        if direct:
            return _resolved(direct)
        if len(token) > _MAX_FUZZY_LENGTH:
            return _NOTHING  # no word is this long: the fuzzy look-ups would only cost time
        common = token in self._common
        if not common and not self._spend():
            return _CUT  # an unusual word over the budget: exact look-ups only (and not cached, see limit_fuzzy)
        if MARK in token:
            return self._censored(token) if self._spend_censored() else _CUT
        for stem in stems(token):
            hit = self._content_only(stem, "inflected")
            if hit and common and not token.endswith(ENGLISH_ENDINGS):
                hit = self._not_english(hit)  # "douchen" is to shower, not a plural of "douche"
            if hit:
                return hit
        shape = skeleton(token)
        if shape != token and not common:
            if shape in self._skeletons:
                hit = self._content_only(self._skeletons[shape], "stretched")
                if hit:
                    return hit
            if shape in self._curse_skeletons:
                curse = self._curse_skeletons[shape]
                return _resolved(tuple(e for e in self._words[curse] if e.kind == "curse"), "stretched")
            if shape in self._grammar_skeletons:
                return _resolved(self._words[self._grammar_skeletons[shape]], "stretched")
        compound = self._compound(token, glued=not common)
        if compound:
            return compound
        if len(token) >= _MIN_SWAP and not common:
            hit = self._misspelt(token)
            if hit:
                return hit
        return _NOTHING

    def _hurts(self, word: str) -> bool:
        return self._severity(word) < len(_SEVERITY)

    def _severity(self, word: str) -> int:
        kinds = {e.kind for e in self._words.get(word, ())}
        return next((rank for rank, kind in enumerate(_SEVERITY) if kind in kinds), len(_SEVERITY))

    def zipf(self, word: str) -> float:
        """How common the word is (Zipf frequency: 7 is "de", 3 once in a million words); a word of the lexicon or
        a template that the common lists lack counts as rare (RARE)."""
        return self._zipf.get(word, RARE)

    def pair_zipf(self, first: str, second: str) -> float:
        """How common the two words are side by side, at most: as wordfreq combines the words of a phrase (one
        over the sum of one over each frequency)."""
        return -math.log10(10 ** -self.zipf(first) + 10 ** -self.zipf(second))

    def _censored(self, token: str) -> Resolved:
        """k*nker, t**fus, sl*iten: the likeliest word that fits the letters around the censor marks (see
        `CensoredWords`). People censor what hurts: a fit of the lexicon or a template wins (the most hurtful one)
        unless an ordinary word is FAR_LIKELIER (h*er is "hoer", not "hier"; b*k "bek", not "bak"; sl*iten, with
        only ordinary fits, is "sluiten")."""
        found = self._censored_words.fits(token)
        if not found:
            return _NOTHING
        meant = [w for w in found if w in self._words or w in self._phrase_words]
        ordinary = max((w for w in found if w not in meant), key=self.zipf, default=None)
        if meant and (ordinary is None or self.zipf(ordinary) < max(map(self.zipf, meant)) + FAR_LIKELIER):
            word = min(meant, key=lambda w: (self._severity(w), -self.zipf(w)))
            if word in self._words:
                return replace(_resolved(self._words[word], "censored"), term=word)
            return Resolved((), "censored", frozenset(), word)
        if ordinary is None:
            return _NOTHING
        return replace(self.resolve(ordinary), how="censored", term=ordinary)

    def _misspelt(self, token: str) -> Resolved | None:
        """One slip of the keyboard. Short words have too many innocent neighbours (whole/whore, beste/beest),
        so the looser the edit, the longer the word must be."""
        word: str | None = None
        if len(token) >= _MIN_SWAP:  # two neighbouring letters swapped: haet -> hate
            for i in range(len(token) - 1):
                swapped = token[:i] + token[i + 1] + token[i] + token[i + 2 :]
                if swapped in self._content:
                    word = swapped
                    break
        if word is None and len(token) >= _MIN_DROPPED_IDENTITY:  # a letter dropped: immigrnt -> immigrant
            word = self._fuzzy.get(token)
            if word is not None and len(token) < _MIN_DROPPED:
                # short words only for group names (vrow, Mslim): their neighbours are rarely everyday words
                word = word if any(e.kind == "identity" for e in self._content[word]) else None
        if word is None and len(token) >= _MIN_CHANGED:  # a letter added or changed
            for variant in deletions(token):
                word = self._fuzzy.get(variant) or (variant if variant in self._content else None)
                if word is not None:
                    break
        if word is None:
            for stem in stems(token):  # eikls -> eikels? try the inflected form's stem once more
                if len(stem) >= _MIN_DROPPED and stem in self._fuzzy:
                    word = self._fuzzy[stem]
                    break
        if word is None or word[0] != token[0]:
            return None  # the first letter is rarely the one mistyped; requiring it keeps false hits down
        return self._content_only(word, "misspelt")

    def _compound(self, token: str, glued: bool = True) -> Resolved | None:
        """kankerlijer, tyfushoer: a curse prefix plus a person noun; zijnongedierte: two words glued together
        (not looked for inside a common valid word: `glued` False)."""
        for cut in range(3, len(token) - 2):
            head, tail = token[:cut], token[cut:]
            if head in self._prefixes and (tail in self._tails or tail in self._content):
                entries = self._words.get(head, ()) + self._words.get(tail, ())
                curse = tuple(e for e in entries if e.kind in ("curse", "compound_tail") or e.kind in CONTENT_KINDS)
                return _resolved(curse, "compound")
        if not glued:
            return None
        for cut in range(1, len(token)):
            head, tail = token[:cut], token[cut:]
            if head in GLUE:
                hit = self._content_stem(tail, 3)
                if hit:
                    return hit
            if tail in GLUE:
                hit = self._content_stem(head, 3)
                if hit:
                    return hit
            hit = self._content_stem(tail, _MIN_GLUED) or self._content_stem(head, _MIN_GLUED)
            if hit:
                return hit
        return None
