"""The Dutch-first text tier: normalise, tokenise, match templates and grammar, and explain the result."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from itertools import chain, compress, count

from moderation.classify.censored import MARK
from moderation.classify.config import ClassifierConfig
from moderation.classify.grammar import find_hits
from moderation.classify.hit import Hit
from moderation.classify.lexicon import PREDICATE_KINDS, Lexicon, build_lexicon
from moderation.classify.lookup import Resolved, WordLookup
from moderation.classify.normalize import DEFAULT_WINDOW, Normalized, Normalizer, strip_invisible
from moderation.classify.template_index import TemplateMatcher
from moderation.classify.tokens import PERSON_SUFFIXES, Piece, Token, joined_words, parse, plainly_split, tokenize
from moderation.classify.tokens import WORD as _WORD
from moderation.model import ABUSE_CATEGORIES, Category, Classification, Evidence

_WORD_SPLIT = re.compile(f"({_WORD.pattern})")  # split on it: what lies between words, then a word, and so on
MAX_EVIDENCE = 5
_MANY_WORDS = 32  # distinct words in a part from which reading its unusual words at once pays
FUZZY_BUDGET = 300  # new unusual words per message that get the costly fuzzy look-up (chat has far fewer)
MAX_HITS = 600  # hurtful passages after which matching a huge message stops (the note says so)
MIN_EVIDENCE_SCORE = 0.3
_QUOTE_LIMIT = 80  # characters of the original shown in an explanation

CLEAN = tuple((c, 0.0) for c in ABUSE_CATEGORIES)


@dataclass(frozen=True, slots=True)
class TextResult:
    classification: Classification
    context_factor: float  # 1.0, or the strongest softening the context applied (0.2 for counter-speech)
    hits: int = 0  # hurtful passages found, softened or not
    # categories whose every hurtful passage the context denies ("homo's zijn niet vies", counter-speech)
    denied: frozenset[Category] = frozenset()


# What `reading` gives of a long message: the e5 tier reads no more (its window of 512 tokens).
READING_CHARS = 2000

_CLEAN_RESULT = TextResult(Classification(CLEAN, ()), 1.0)  # most messages: one shared immutable result


def bundled_first_names() -> frozenset[str]:
    """Common first names of Dutch pupils (data/first_names.txt): people, wherever they appear."""
    data = resources.files("moderation.classify") / "data" / "first_names.txt"
    lines = data.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


# Where the text tier gets the first names of the people it may meet (the school's roster): called per message,
# so that a roster import is seen at once.
FirstNames = Callable[[], Collection[str]]


class TextTier:
    """Scores one text per abuse category from the lexicon's words, templates and grammar. Pure and synchronous."""

    def __init__(self, lexicon: Lexicon, window: int = DEFAULT_WINDOW, first_names: FirstNames | None = None) -> None:
        self._normalizer = Normalizer(window)
        self._lookup = WordLookup(lexicon)
        self._templates = TemplateMatcher(lexicon.templates)
        self._required = frozenset(self._templates.required_words)
        self._required_forms = self._templates.required_forms
        self._triggers = frozenset(PREDICATE_KINDS | self._templates.trigger_kinds | {"weapon"})
        self._known_names = bundled_first_names()
        self._first_names = first_names
        self._roster: tuple[Collection[str] | None, frozenset[str]] = (None, self._known_names)

    @classmethod
    def from_config(cls, config: ClassifierConfig, first_names: FirstNames | None = None) -> TextTier:
        normalizer = Normalizer()
        lexicon = build_lexicon(config.lexicon_files, config.allow_terms, normalizer, config.languages)
        return cls(lexicon, first_names=first_names)

    def _names(self) -> frozenset[str]:
        """Common first names plus the roster's, normalised once per roster."""
        if self._first_names is None:
            return self._known_names
        current = self._first_names()
        seen, names = self._roster
        if current is not seen:
            firsts = (self._normalizer.normalize(n).text.split() for n in current)  # "Fedde de Vries": fedde
            names = self._known_names | {f[0] for f in firsts if f and f[0].isalpha() and len(f[0]) >= 2}
            self._roster = (current, names)
        return names

    def _worth_parsing(self, words: Sequence[str], names: frozenset[str], stretched: Sequence[Resolved] = ()) -> bool:
        """Most chat is clean: a hurtful word must be present for any hit, or every word and slot of some
        template (one of its words is looked for first). `stretched`: how the stretched words read (see
        `_stretched_readings`); then a template's word also counts as present in a form `_fits` accepts."""
        lookup, triggers = self._lookup, self._triggers
        cache, resolve = lookup.cache, lookup.resolve
        distinct = dict.fromkeys(words)  # each distinct word once, in the order met (the budget is spent alike)
        # a long part once the budget is spent (a hostile message): its unusual words are read as nothing at once
        nothing = lookup.read_as_nothing(distinct) if len(distinct) > _MANY_WORDS and lookup.settled() else ()
        kinds_present: set[str] = set()
        terms: list[str] = []
        read = (cache.get(word) or resolve(word) for word in distinct if word not in nothing)
        for resolved in chain(read, stretched):  # lazily: the first trigger word ends the look-ups
            kinds = resolved.kinds
            if kinds:
                if not kinds.isdisjoint(triggers):
                    return True
                kinds_present |= kinds
            if resolved.term:
                terms.append(resolved.term)
        required = self._required.intersection(words)
        if terms:
            required |= self._required.intersection(terms)
        forms = {*words, *terms}
        if stretched:  # stretched parts also find a template's word by its other forms ("aff", "daod")
            for form in self._required_forms.keys() & forms:
                required |= self._required_forms[form]
        if not required:
            return False
        return self._templates.could_match(required, forms, lambda: kinds_present | self._guessed_kinds(forms, names))

    def _stretched_readings(self, pieces: Sequence[Piece], stretched: Sequence[int]) -> list[Resolved]:
        """How the tokenizer reads the words that hold a stretched letter (`WordLookup.stretched`)."""
        out: list[Resolved] = []
        lookup = self._lookup
        runs_at = iter(stretched)
        position = next(runs_at, None)
        for start, end, word, _ in pieces:
            runs: list[int] = []
            while position is not None and position < end:
                if position >= start:
                    runs.append(position - start)
                position = next(runs_at, None)
            if runs:
                reading = lookup.stretched(word, runs)
                if reading is not None:
                    out.append(reading)
        return out

    def _guessed_kinds(self, forms: set[str], names: frozenset[str]) -> set[str]:
        """The kinds the tokenizer may give words the lexicon does not know: a person noun by its ending, a
        name (a known first name, or any unknown word, which may be written with a capital)."""
        out: set[str] = set()
        known = self._lookup.known
        for word in forms:
            if len(word) >= 7 and word.endswith(PERSON_SUFFIXES):
                out.add("person")
            if len(word) >= 3 and (word in names or word not in known):
                out.add("third")
        return out

    def _hits(self, norm: Normalized, text: str, names: frozenset[str]) -> tuple[list[Token], list[Hit]]:
        plain = _WORD.findall(text)
        pieces: list[Piece] | None = None
        if not plainly_split(text, plain, self._lookup):
            pieces = joined_words(text, self._lookup)  # something to join: kan.ker, kank er
            plain = [word for _, _, word, _ in pieces]
        if norm.stretched:
            if pieces is None:
                pieces = [(m.start(), m.end(), m.group(), False) for m in _WORD.finditer(text)]
            if not self._worth_parsing(plain, names, self._stretched_readings(pieces, norm.stretched)):
                return [], []
        elif not self._worth_parsing(plain, names):
            return [], []
        original = norm.original

        def capitalised(start: int) -> bool:
            source = norm.source_span(start, start + 1)[0]
            return source < len(original) and original[source].isupper()

        if pieces is None:  # plainly split: the words as found
            pieces = [(m.start(), m.end(), m.group(), False) for m in _WORD.finditer(text)]
        # lower-case text (most chat) has no capital to look for
        tokens = tokenize(
            text, self._lookup, pieces, names, None if original.islower() else capitalised, norm.stretched
        )
        return tokens, find_hits(parse(tokens), self._templates.match(tokens))

    def _reading(self, norm: Normalized) -> str:
        """Leetspeak "1" is "i" (n13t) unless only "l" makes a word the lexicon knows (1u1): chosen per word."""
        alt = norm.alt_text
        if alt is None:
            return norm.text
        text = norm.text
        lookup = self._lookup
        known = lookup.known
        resolve = lookup.resolve_settled if lookup.settled() else lookup.resolve
        # Words and what lies between them, for both readings (split in one go): where the two agree on all but
        # the words themselves, only the words that differ are looked at.
        pieces, others = _WORD_SPLIT.split(text), _WORD_SPLIT.split(alt)
        if pieces[::2] != others[::2] or list(map(len, pieces)) != list(map(len, others)):
            return self._reading_by_span(text, alt)
        changed = False
        differ = compress(count(1, 2), map(operator.ne, pieces[1::2], others[1::2]))  # the words that differ
        for index in differ:
            word, other = pieces[index], others[index]
            if word in known or resolve(word).kinds:
                continue
            if resolve(other).kinds or other in known:
                pieces[index] = other
                changed = True
        return "".join(pieces) if changed else text

    def _reading_by_span(self, text: str, alt: str) -> str:
        """`_reading` word by word, for readings whose words do not line up one to one."""
        lookup = self._lookup
        known = lookup.known
        resolve = lookup.resolve_settled if lookup.settled() else lookup.resolve
        pieces: list[str] = []
        last = 0
        for match in _WORD.finditer(text):
            word = match.group()
            start, end = match.span()
            other = alt[start:end]
            if other == word or word in known or resolve(word).kinds:
                continue
            if resolve(other).kinds or other in known:
                pieces.append(text[last:start])
                pieces.append(other)
                last = end
        if not pieces:
            return text
        pieces.append(text[last:])
        return "".join(pieces)

    def classify(self, text: str) -> Classification:
        return self.analyse(text).classification

    def analyse(self, text: str) -> TextResult:
        """The whole message is judged: invisible characters go first, then each overlapping part (a part that
        repeats an earlier one is not judged again). However hostile the text, the work is bounded: at most
        FUZZY_BUDGET new words get the costly fuzzy look-up, and matching stops after MAX_HITS hurtful passages."""
        parts, note = self._normalizer.parts(text)
        names = self._names()
        self._lookup.limit_fuzzy(FUZZY_BUDGET)
        if len(parts) == 1 and not note:  # most messages: one part, nothing to note
            return self._analyse_part(parts[0], names)
        judged: dict[str, TextResult] = {}
        results: list[TextResult] = []
        hits = 0
        for number, part in enumerate(parts):
            result = judged.get(part)
            if result is None:
                result = judged[part] = self._analyse_part(part, names)
                hits += result.hits
            results.append(result)
            if hits >= MAX_HITS and number + 1 < len(parts):
                stopped = f"stopped after {number + 1} of {len(parts)} parts: {hits} hurtful passages found"
                note = "; ".join(n for n in (note, stopped) if n)
                break
        if len(results) == 1:
            result = results[0]
            if note:
                result = replace(result, classification=replace(result.classification, note=note))
            return result
        scores = tuple((c, max(r.classification.score(c) for r in results)) for c in ABUSE_CATEGORIES)
        evidence = sorted((e for r in results for e in r.classification.evidence), key=lambda e: -e.score)
        unique = tuple(dict.fromkeys(evidence))[:MAX_EVIDENCE]
        factor = min(r.context_factor for r in results)
        said = {c for r in results for c in ABUSE_CATEGORIES if r.classification.score(c) > 0 and c not in r.denied}
        denied = frozenset(c for r in results for c in r.denied) - said
        return TextResult(Classification(scores, unique, note), factor, hits, denied)

    def reading(self, text: str, limit: int = READING_CHARS) -> str:
        """The message as this tier reads it, for a model that reads words: invisible characters gone, lower case,
        leetspeak and look-alike letters read as letters, markup and links blanked, spaced letters joined, a
        stretched word read as the word it stretches, a censored word as the word it likeliest is, and a word
        split by a dot, hyphen, emoji or space joined where the tokenizer joins it and a part is no word ("ze is
        echt sl.im", "sluuuuiten" and "sl*iten" read "slim" and "sluiten"; "wat je" stays two words). A hash or
        underscore between letters that censors no word reads as a space (lieke_lelijk). Of a long message, the
        first `limit` visible characters."""
        norm = self._normalizer.normalize_visible(strip_invisible(text)[0][:limit])
        read = self._reading(norm)
        lookup = self._lookup
        pieces: list[Piece]
        if plainly_split(read, _WORD.findall(read), lookup):
            pieces = [(m.start(), m.end(), m.group(), False) for m in _WORD.finditer(read)]
        else:
            pieces = joined_words(read, lookup)
        pieces = self._read_splits(read, pieces)
        between = _blank_marks(norm, read)  # what lies between the words read back
        stretched = iter(norm.stretched)
        position = next(stretched, None)
        out: list[str] = []
        last = 0
        for start, end, word, joined in pieces:
            runs: list[int] = []
            while position is not None and position < end:
                if position >= start:
                    runs.append(position - start)
                position = next(stretched, None)
            if joined and MARK in word:
                word = lookup.resolve(word).term or word  # sl*iten: "sluiten", as the tokenizer reads it
            if runs and not joined:
                found = lookup.stretched(word, runs)
                word, joined = (found.term, True) if found is not None and found.term else (word, False)
            if joined:
                out += (between[last:start], word)
                last = end
        return " ".join(("".join(out) + between[last:]).split())

    def _read_splits(self, read: str, pieces: list[Piece]) -> list[Piece]:
        """The pieces with the tokenizer's joins of two known words undone, unless they are an insult split on
        purpose ("los er"; "wat je" is two words)."""
        lookup = self._lookup
        known = lookup.known
        out: list[Piece] = []
        for piece in pieces:
            start, end, _, joined = piece
            span = read[start:end]
            if joined and " " in span:
                parts = span.split()
                if all(part in known for part in parts) and not (len(parts) == 2 and lookup.splits_insult(*parts)):
                    out.extend((start + m.start(), start + m.end(), m.group(), False) for m in _WORD.finditer(span))
                    continue
            out.append(piece)
        return out

    def _analyse_part(self, text: str, names: frozenset[str]) -> TextResult:
        norm = self._normalizer.normalize_visible(text)
        tokens, hits = self._hits(norm, self._reading(norm), names)
        if not hits:
            return _CLEAN_RESULT if not norm.note else TextResult(Classification(CLEAN, (), norm.note), 1.0)
        if any(hit.category is Category.SELF_HARM for hit in hits) and _laughing(norm):
            hits = [_laughed_off(hit) for hit in hits]
        best: dict[Category, float] = {}
        for hit in hits:
            best[hit.category] = max(best.get(hit.category, 0.0), hit.score)
        scores = tuple((c, round(min(1.0, best.get(c, 0.0)), 4)) for c in ABUSE_CATEGORIES)
        evidence = _evidence(norm, tokens, hits)
        # How much the context softened hurtful words it saw (counter-speech, negation, ...); the combiner
        # applies the same to the ML tier, which cannot see that context.
        softened = [h.softening for h in hits if h.reasons]
        said = {hit.category for hit in hits if _DENIALS.isdisjoint(hit.reasons)}
        denied = frozenset(hit.category for hit in hits) - said
        return TextResult(Classification(scores, evidence, norm.note), min(softened, default=1.0), len(hits), denied)


def _blank_marks(norm: Normalized, read: str) -> str:
    """`read` with each censor mark the author wrote as a hash or underscore blanked (lieke_lelijk): read back as
    no word, it was markup or a name's separator."""
    if MARK not in read:
        return read
    marks = [i for i, ch in enumerate(read) if ch == MARK and norm.quote(i, i + 1) != MARK]
    if not marks:
        return read
    chars = list(read)
    for i in marks:
        chars[i] = " "
    return "".join(chars)


_DENIALS = frozenset({"negated", "counter-speech"})  # the reasons by which the context says it is not meant

# Laughter: "ik kan niet meer 😂" is laughing till it hurts. Only the weak self-harm phrases (weight at most
# WEAK_SELF_HARM) are softened by it; a clear cry for help stays one, whatever emoji stand beside it.
_LAUGHING = re.compile(r"\b(?:ha(?:ha)+h?|hihi+|lol|xd|lmao|haha|van het lachen|lig dubbel|lag dubbel)\b")
_LAUGHING_EMOJI = re.compile("[\U0001f602\U0001f923\U0001f606\U0001f639]")
WEAK_SELF_HARM = 0.6
LAUGHING = 0.5


def _laughing(norm: Normalized) -> bool:
    return bool(_LAUGHING.search(norm.text)) or (
        not norm.original.isascii() and bool(_LAUGHING_EMOJI.search(norm.original))
    )


def _laughed_off(hit: Hit) -> Hit:
    weak = hit.template is not None and hit.template.weight <= WEAK_SELF_HARM
    if hit.category is not Category.SELF_HARM or not weak:
        return hit
    return replace(
        hit, score=hit.score * LAUGHING, reasons=(*hit.reasons, "laughing"), softening=hit.softening * LAUGHING
    )


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
        criminal = hit.criminal and hit.score >= 0.5
        out.append(Evidence(hit.category, round(hit.score, 4), text, criminal, hit.disclosure))
    return tuple(out)
