"""Word look-up that tolerates how teenagers write: inflection, stretched letters, a dropped or swapped letter,
glued-together words and Dutch curse compounds (kankerlijer, tyfushoer).

Each token resolves to the lexicon entries it stands for, plus how it was found (for the explanation). Results are
cached per instance: chat vocabulary repeats, so the fuzzy work is paid once per distinct word.

A word in the lists of common valid Dutch and English words is only ever looked up exactly (and by inflection):
no dropped, swapped or stretched letter, no word glued inside it, turns `negeer` into a slur or `sluiten` into
`sluts`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from moderation.classify.lexicon import CONTENT_KINDS, FUNCTION_KINDS, PREDICATE_KINDS, TARGET_KINDS, Entry, Lexicon

_MIN_SWAP = 4  # shortest word in which a swap of two letters is looked up
_MIN_DROPPED = 6  # shortest word looked up as a lexicon word with one letter dropped
_MIN_DROPPED_IDENTITY = 4
_MIN_CHANGED = 7  # shortest word looked up with one letter added or changed
_MIN_FUZZY_SOURCE = 6  # lexicon words shorter than this get no dropped-letter variants
_MIN_GLUED = 5  # a word found inside a longer one must be this long (not 'dood' in 'doodgewoon')
_CACHE_LIMIT = 100_000
_VOWELS = "aeiou"
_NOUN_KINDS = frozenset({"identity", "insult_noun", "dehum_noun", "slur"})
# Short everyday words that get glued to the next one when a space is dropped ("eenslet", "ihate").
_GLUE = frozenset(
    [
        "een",
        "de",
        "het",
        "te",
        "veel",
        "zo",
        "zulke",
        "zo'n",
        "ze",
        "zijn",
        "is",
        "ik",
        "je",
        "jij",
        "we",
        "wij",
        "die",
        "dat",
        "alle",
        "the",
        "a",
        "an",
        "so",
        "such",
        "to",
        "all",
        "are",
        "is",
        "i",
        "you",
        "we",
        "they",
        "these",
        "those",
        "massive",
        "big",
        "real",
        "just",
        "of",
    ]
)


@dataclass(frozen=True, slots=True)
class Resolved:
    entries: tuple[Entry, ...]
    how: str = ""  # "", "inflected", "stretched", "misspelt", "compound", "glued", "censored"
    kinds: frozenset[str] = frozenset()
    term: str = ""  # censored or stretched: the word it stands for (d*od, aaaf: "dood", "af"), for the templates


def _resolved(entries: tuple[Entry, ...], how: str = "") -> Resolved:
    return Resolved(entries, how, frozenset(e.kind for e in entries))


_NOTHING = Resolved(())
# How a look-up may have found a word for it to count when pieces of a split word are joined again ("kan.ker"):
# the joined word must be in the lexicon itself, not merely resemble something in it.
STRICT = frozenset({"", "inflected", "compound", "stretched", "censored"})
HURTFUL_KINDS = PREDICATE_KINDS - {"praise"} | {"curse"}
_MAX_CENSORED = 3  # stars standing for letters in one word (t**fus)
_STARS = re.compile(r"\*+")
_MAX_FUZZY_LENGTH = 40
_SEVERITY = ("slur", "insult_noun", "curse", "dehum_noun", "sexual", "violence", "insult_adj", "hate_verb", "profanity")


def _skeleton(word: str) -> str:
    out: list[str] = []
    for ch in word:
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _stems(word: str) -> list[str]:
    """Candidate lemmas for Dutch and English inflection (plural, adjective -e, verb endings)."""
    out: list[str] = []
    for suffix in ("'s", "s", "en", "e", "n", "es", "ed", "d", "t", "ing", "ers", "er"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            out.append(stem)
            if len(stem) >= 2 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS:
                out.append(stem[:-1])  # domme -> dom, sletten -> slet
            if len(stem) >= 3 and stem[-2] in _VOWELS and stem[-3] not in _VOWELS and stem[-1] not in _VOWELS:
                out.append(stem[:-2] + stem[-2] * 2 + stem[-1])  # idioten -> idioot, apen -> aap
    return out


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
            self._skeletons.setdefault(_skeleton(word), word)
            is_noun = any(e.kind in _NOUN_KINDS for e in content[word])
            for form in (word, word + "s", word + "en") if is_noun else (word,):
                if len(form) >= _MIN_FUZZY_SOURCE or (is_noun and len(form) >= 5):
                    for variant in _deletions(form):
                        self._fuzzy.setdefault(variant, word)
        self._prefixes = {w for w, es in lexicon.words.items() if any(e.kind == "curse" for e in es)}
        # kuuuut -> kuut -> kut: curses are stretched as often as insults (the normaliser leaves two letters)
        self._curse_skeletons = {_skeleton(w): w for w in sorted(self._prefixes) if " " not in w}
        self._tails = {w for w, es in lexicon.words.items() if any(e.kind == "compound_tail" for e in es)}
        self._common = lexicon.common
        self._strict_cache: dict[str, Resolved] = {}
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
                self._grammar_skeletons.setdefault(_skeleton(word), word)
        # k*nker, f*ck, d*od: lexicon and template words by first letter, for censored spellings
        self._by_initial: dict[str, list[str]] = {}
        for word in sorted(set(lexicon.words) | self._phrase_words):
            if word.isalpha() and len(word) >= 3:
                self._by_initial.setdefault(word[0], []).append(word)

    def is_known(self, word: str) -> bool:
        """A lexicon word, a word of a template, or a common valid word."""
        return word in self._words or word in self._phrase_words or word in self._common

    def is_common(self, word: str) -> bool:
        return word in self._common

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
            cached = self.resolve(word) if len(word) <= _MAX_FUZZY_LENGTH else _NOTHING
            if cached.how not in STRICT:
                cached = _NOTHING
            if len(self._strict_cache) < _CACHE_LIMIT:
                self._strict_cache[word] = cached
        return cached

    def resolve(self, token: str) -> Resolved:
        cached = self.cache.get(token)
        if cached is None:
            cached = self._resolve(token)
            if len(self.cache) < _CACHE_LIMIT:
                self.cache[token] = cached
        return cached

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
        if "*" in token:
            return self._censored(token)
        for stem in _stems(token):
            hit = self._content_only(stem, "inflected")
            if hit:
                return hit
        common = token in self._common
        skeleton = _skeleton(token)
        if skeleton != token and not common:
            if skeleton in self._skeletons:
                hit = self._content_only(self._skeletons[skeleton], "stretched")
                if hit:
                    return hit
            if skeleton in self._curse_skeletons:
                curse = self._curse_skeletons[skeleton]
                return _resolved(tuple(e for e in self._words[curse] if e.kind == "curse"), "stretched")
            if skeleton in self._grammar_skeletons:
                return _resolved(self._words[self._grammar_skeletons[skeleton]], "stretched")
        compound = self._compound(token, glued=not common)
        if compound:
            return compound
        if len(token) >= _MIN_SWAP and not common:
            hit = self._misspelt(token)
            if hit:
                return hit
        return _NOTHING

    def _severity(self, word: str) -> int:
        kinds = {e.kind for e in self._words.get(word, ())}
        return next((rank for rank, kind in enumerate(_SEVERITY) if kind in kinds), len(_SEVERITY))

    def _censored(self, token: str) -> Resolved:
        """k*nker, t**fus, f*ck: stars stand for one or two letters each run, and the rest must fit one hurtful
        word exactly (same first letter, the known letters in order)."""
        pieces = _STARS.split(token)
        stars = token.count("*")
        if not pieces[0] or not pieces[-1] or stars > _MAX_CENSORED or sum(len(p) for p in pieces) < 2:
            return _NOTHING
        candidates = self._by_initial.get(token[0], [])
        exact = re.compile("".join(re.escape(p) if p else "" for p in re.split(r"(\*)", token)).replace("\\*", "[a-z]"))
        found = [w for w in candidates if exact.fullmatch(w)]  # each star one letter: the usual way
        if not found:
            loose = re.compile("[a-z]{1,2}".join(re.escape(p) for p in pieces))
            found = [w for w in candidates if loose.fullmatch(w)]
        if not found:
            return _NOTHING
        if len(found) > 1:  # people hide swear words, not "hier": an abusive fit wins, the worst kind first
            hurtful = [w for w in found if self._severity(w) < len(_SEVERITY)]
            if hurtful:
                found = sorted(hurtful, key=self._severity)
            elif len({frozenset(e.kind for e in self._words.get(w, ())) for w in found}) > 1:
                return _NOTHING  # harmless words of different kinds fit: which one was meant is not known
        word = found[0]
        resolved = _resolved(self._words.get(word, ()), "censored")
        return replace(resolved, term=word)

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
            for variant in _deletions(token):
                word = self._fuzzy.get(variant) or (variant if variant in self._content else None)
                if word is not None:
                    break
        if word is None:
            for stem in _stems(token):  # eikls -> eikels? try the inflected form's stem once more
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
            if head in _GLUE:
                hit = self._content_stem(tail, 3)
                if hit:
                    return hit
            if tail in _GLUE:
                hit = self._content_stem(head, 3)
                if hit:
                    return hit
            hit = self._content_stem(tail, _MIN_GLUED) or self._content_stem(head, _MIN_GLUED)
            if hit:
                return hit
        return None
