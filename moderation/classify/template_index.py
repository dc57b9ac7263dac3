"""The word index over the lexicon's templates: which templates a token may start, which words every template
needs, and whether any template could match a message at all (cheap tests before matching)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence, Set

from moderation.classify.lexicon import Entry, Template
from moderation.classify.templates import (
    Compiled,
    Element,
    TemplateMatch,
    compile_template,
    fitting_forms,
    is_command,
    match_at,
    plain,
)
from moderation.classify.tokens import Token

_CANDIDATE_CACHE = 100_000
_EVERYDAY = frozenset(
    [
        "ik",
        "je",
        "jij",
        "jou",
        "u",
        "we",
        "wij",
        "ze",
        "hij",
        "zij",
        "het",
        "de",
        "een",
        "is",
        "ben",
        "bent",
        "zijn",
        "ga",
        "gaat",
        "gaan",
        "wil",
        "moet",
        "kan",
        "zal",
        "maar",
        "wat",
        "niet",
        "geen",
        "me",
        "mij",
        "van",
        "op",
        "in",
        "met",
        "voor",
        "aan",
        "er",
        "dat",
        "die",
        "the",
        "a",
        "an",
        "to",
        "you",
        "i",
        "me",
        "my",
        "we",
        "are",
        "is",
        "be",
        "not",
        "no",
        "of",
        "in",
        "on",
        "for",
        "it",
        "so",
        "and",
        "will",
        "all",
        "alle",
        "allemaal",
        "te",
        "om",
        "want",
        "naar",
        "toch",
        "nog",
        "wel",
        "ook",
        "echt",
        "heeft",
        "hebben",
        "heb",
        "morgen",
    ]
)


def _required_words(elements: Sequence[Element]) -> frozenset[str] | None:
    """Words of which the message must hold one (the longest literal word, else one set of alternatives): a cheap
    pre-check that skips most templates for most messages."""
    literals = [e for e in elements if isinstance(e, str)]
    rare = [w for w in literals if w not in _EVERYDAY]
    if rare:  # the longest word that is not everyday grammar ("dood" rather than "bent")
        return frozenset({max(rare, key=len)})
    alternatives = [e for e in elements if isinstance(e, tuple)]
    if alternatives:
        return frozenset(alternatives[0])
    return frozenset({max(literals, key=len)}) if literals else None


class TemplateMatcher:
    def __init__(self, templates: Sequence[Template]) -> None:
        self._by_word: dict[str, list[Compiled]] = {}
        self._by_kind: dict[str, list[Compiled]] = {}
        self.required_words: set[str] = set()  # every template needs one of these words ...
        self.required_forms: dict[str, frozenset[str]] = {}  # ... in one of its forms that `_fits` (form -> words)
        self.trigger_kinds: set[str] = set()  # ... or a word of one of these kinds
        self._candidates: dict[tuple[str, frozenset[str]], _Candidates] = {}  # per word: templates it may start
        self._commands: set[tuple[Element, ...]] = set()  # templates that are a command (see `is_command`)
        # per required word: what else its templates need (see `could_match`)
        self._needs: dict[str, list[_Needs]] = {}
        for template in templates:
            for order, inverted in compile_template(template):
                self._add(order, template.entry, inverted)

    def _add(self, elements: list[Element], entry: Entry, inverted: bool) -> None:
        compiled = (tuple(elements), entry, _required_words(elements), inverted)
        if is_command(elements):
            self._commands.add(compiled[0])
        if compiled[2] is not None:
            self.required_words.update(compiled[2])
            for word in compiled[2]:
                for form in fitting_forms(word):
                    self.required_forms[form] = self.required_forms.get(form, frozenset()) | {word}
            needs = _needs(elements)
            for word in compiled[2]:
                self._needs.setdefault(word, []).append(needs)
        else:  # no literal word: it cannot match without a word of its first slot's kinds
            first_slot = next(e for e in elements if isinstance(e, frozenset))
            self.trigger_kinds.update(first_slot)
        head = elements[0]
        if isinstance(head, str):
            self._by_word.setdefault(head, []).append(compiled)
        elif isinstance(head, tuple):
            for word in head:
                self._by_word.setdefault(word, []).append(compiled)
        else:
            assert head is not None
            for kind in head:
                self._by_kind.setdefault(kind, []).append(compiled)

    def _candidates_for(self, word: str, kinds: frozenset[str]) -> list[Compiled]:
        candidates = list(self._by_word.get(word, ()))
        if plain(word) != word:
            candidates.extend(self._by_word.get(plain(word), ()))
        for kind in kinds:
            candidates.extend(self._by_kind.get(kind, ()))
        return candidates

    def could_match(self, required: Iterable[str], forms: Set[str], kinds: Callable[[], Set[str]]) -> bool:
        """Whether a template needing one of the `required` words present could match a message holding these
        word forms and (at most) the kinds `kinds()` gives: each of its words must be there (as written, with a
        doubled last letter or two letters swapped, as `_fits` allows), each slot's kinds too. A cheap test before
        tokenising; the kinds are asked for only once some template has all its words."""
        present: Set[str] | None = None
        for word in required:
            for words, slots in self._needs.get(word, ()):
                if all(not f.isdisjoint(forms) for f in words):
                    if present is None:
                        present = kinds()
                    if all(not s.isdisjoint(present) for s in slots):
                        return True
        return False

    def starts_any(self, tokens: Sequence[Token]) -> bool:
        """Whether some template starts with one of these words (a cheap test before matching)."""
        return any(t.word in self._by_word or plain(t.word) in self._by_word for t in tokens)

    def match(self, tokens: Sequence[Token]) -> list[TemplateMatch]:
        found: list[TemplateMatch] = []
        present: set[str] = set()
        for t in tokens:
            word = t.word
            present.add(word)
            if len(word) >= 2 and word[-1] == word[-2]:
                present.add(word[:-1])  # as `plain` reads it
        for token in tokens:
            key = (token.word, token.kinds)
            indexed = self._candidates.get(key)
            if indexed is None:
                indexed = _Candidates(self._candidates_for(token.word, token.kinds))
                if len(self._candidates) < _CANDIDATE_CACHE:
                    self._candidates[key] = indexed
            if indexed.empty:
                continue  # most words start no template
            candidates = indexed.present(present)
            if not candidates:
                continue
            index = token.index
            opens = index == 0 or tokens[index - 1].sentence != token.sentence
            for compiled in candidates:
                match = match_at(compiled, tokens, index, opens, self._commands)
                if match is not None:
                    found.append(match)
        return found


class _Candidates:
    """The templates a token may start, in order, indexed by the words they require: a message holding none of
    those words skips them without a look."""

    __slots__ = ("_always", "_by_word", "empty")

    def __init__(self, candidates: Sequence[Compiled]) -> None:
        self._always: list[tuple[int, Compiled]] = []
        self._by_word: dict[str, list[tuple[int, Compiled]]] = {}
        for position, compiled in enumerate(candidates):
            if compiled[2] is None:
                self._always.append((position, compiled))
            else:
                for word in compiled[2]:
                    self._by_word.setdefault(word, []).append((position, compiled))
        self.empty = not candidates

    def present(self, words: set[str]) -> list[Compiled]:
        """The candidates whose required words the message holds (or that require none), in their order."""
        found = self._by_word.keys() & words if self._by_word else ()
        if not found:
            return [compiled for _, compiled in self._always]
        chosen = dict(self._always)
        for word in found:
            chosen.update(self._by_word[word])
        return [chosen[position] for position in sorted(chosen)]


# What a template needs besides its required word: per literal element the forms a token may have to fit it, per
# slot the kinds of which a token must have one.
_Needs = tuple[tuple[frozenset[str], ...], tuple[frozenset[str], ...]]


def _needs(elements: Sequence[Element]) -> _Needs:
    words: list[frozenset[str]] = []
    slots: list[frozenset[str]] = []
    for element in elements:
        if isinstance(element, str):
            words.append(frozenset(fitting_forms(element)))
        elif isinstance(element, tuple):
            words.append(frozenset(f for e in element for f in fitting_forms(e)))
        elif element is not None:
            slots.append(element)
    return tuple(words), tuple(slots)
