"""Matching the lexicon's token templates ("ik maak <you> * af") against a tokenised message."""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass

from moderation.classify.lexicon import Entry, Template
from moderation.classify.tokens import Token

MAX_GAP = 4
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
_ALIASES = {"target": ("you", "third", "identity", "person")}
# Words Dutch chat drops between any two words of a phrase ("ga MAAR weg", "ga TOCH dood", "rot GEWOON op").
_PARTICLES = frozenset(
    [
        "maar",
        "toch",
        "gewoon",
        "gwn",
        "even",
        "ff",
        "effe",
        "eens",
        "es",
        "nou",
        "lekker",
        "wel",
        "echt",
        "nog",
        "ook",
        "tog",
        "eventjes",
        "just",
        "really",
        "fucking",
        "kk",
    ]
)
_MAX_PARTICLES = 2
# Second-person verbs as they stand when the verb comes first ("je bent dood" / "morgen ben je dood").
_INVERTED = {
    "bent": "ben",
    "gaat": "ga",
    "krijgt": "krijg",
    "hoort": "hoor",
    "hoeft": "hoef",
    "stinkt": "stink",
    "wordt": "word",
    "verdient": "verdien",
    "komt": "kom",
    "maakt": "maak",
    "hebt": "heb",
}
_SUBJECTS = frozenset({"ik", "we", "wij", "i"})
# Commands that, after "ik" and before "van", say what the speaker feels ("ik ga dood van de spierpijn", "ik sterf van
# de honger"): only those naming nobody and about dying; "ik ga weg en kom niet terug" must keep reaching a reviewer.
_IMPERATIVES = frozenset({"ga", "sterf"})
_DYING = frozenset({"dood", "sterf"})
_SPEAKER_SUBJECTS = frozenset({"ik", "i"})


def _is_command(elements: Sequence[Element]) -> bool:
    return (
        bool(elements)
        and elements[0] in _IMPERATIVES
        and not any(isinstance(e, frozenset) for e in elements)
        and any(e in _DYING for e in elements)
    )


# A compiled element: a literal word, alternative words ("boos|woedend"), a set of kinds (a slot), or None (a gap).
Element = str | tuple[str, ...] | frozenset[str] | None


@dataclass(frozen=True, slots=True)
class TemplateMatch:
    entry: Entry
    first: int  # token index of the first matched token
    last: int  # token index of the last matched token
    gaps: tuple[int, ...] = ()  # tokens a `*` or a dropped particle skipped: not part of the phrase itself


def _compile(element: str) -> Element:
    if element == "*":
        return None
    if element.startswith("<"):
        names: list[str] = []
        for name in element[1:-1].split("|"):
            names.extend(_ALIASES.get(name, (name,)))
        return frozenset(names)
    if "|" in element:
        return tuple(element.split("|"))
    return element


# A compiled template: its elements, its entry, words of which it needs one (or None), and whether it is the
# verb-first order, which counts only after a word that puts the verb first ("morgen ben je dood"): at the start
# of a sentence the same order asks a question ("ben jij ook gay?").
Compiled = tuple[tuple[Element, ...], Entry, frozenset[str] | None, bool]


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
        self._commands: set[tuple[Element, ...]] = set()  # templates that are a command (see _IMPERATIVES)
        # per required word: what else its templates need (see `could_match`)
        self._needs: dict[str, list[_Needs]] = {}
        for template in templates:
            elements = [_compile(e) for e in template.elements]
            while elements and elements[0] is None:
                elements.pop(0)
            while elements and elements[-1] is None:
                elements.pop()
            for number, order in enumerate(_word_orders(elements)):
                self._add(order, template.entry, number > 0)

    def _add(self, elements: list[Element], entry: Entry, inverted: bool) -> None:
        compiled = (tuple(elements), entry, _required_words(elements), inverted)
        if _is_command(elements):
            self._commands.add(compiled[0])
        if compiled[2] is not None:
            self.required_words.update(compiled[2])
            for word in compiled[2]:
                for form in _forms(word):
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
        if _plain(word) != word:
            candidates.extend(self._by_word.get(_plain(word), ()))
        for kind in kinds:
            candidates.extend(self._by_kind.get(kind, ()))
        return candidates

    def could_match(self, required: Iterable[str], forms: Set[str], kinds: Set[str]) -> bool:
        """Whether a template needing one of the `required` words present could match a message holding these
        word forms and (at most) these kinds: each of its words must be there (as written, with a doubled last
        letter or two letters swapped, as `_fits` allows), each slot's kinds too. A cheap test before tokenising."""
        for word in required:
            for words, slots in self._needs.get(word, ()):
                if all(not f.isdisjoint(forms) for f in words) and all(not s.isdisjoint(kinds) for s in slots):
                    return True
        return False

    def starts_any(self, tokens: Sequence[Token]) -> bool:
        """Whether some template starts with one of these words (a cheap test before matching)."""
        return any(t.word in self._by_word or _plain(t.word) in self._by_word for t in tokens)

    def match(self, tokens: Sequence[Token]) -> list[TemplateMatch]:
        found: list[TemplateMatch] = []
        present: set[str] = set()
        for t in tokens:
            word = t.word
            present.add(word)
            if len(word) >= 2 and word[-1] == word[-2]:
                present.add(word[:-1])  # as `_plain` reads it
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
            opens = token.index == 0 or tokens[token.index - 1].sentence != token.sentence
            after_speaker = not opens and tokens[token.index - 1].word in _SPEAKER_SUBJECTS
            for elements, entry, _, inverted in candidates:
                if inverted and opens:
                    continue
                matched = _match_from(elements, 1, tokens, token.index + 1, token.sentence, 0)
                if matched is None:
                    continue
                last, gaps = matched
                if after_speaker and elements in self._commands and _followed_by_van(tokens, last, token.sentence):
                    continue  # "ik ga dood van de spierpijn", "ik sterf van de honger": what the speaker feels
                match = TemplateMatch(entry, token.index, max(last - 1, token.index), gaps)
                if not entry.whole or _alone(tokens, match):
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


def _forms(word: str) -> set[str]:
    """Every token word that `_fits` the literal `word`: itself, with its last letter doubled, two neighbouring
    letters swapped (not the first)."""
    out: set[str] = {word, word + word[-1]} if word else {word}
    if len(word) >= 4:
        out.update(word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(1, len(word) - 1))
    return out


def _needs(elements: Sequence[Element]) -> _Needs:
    words: list[frozenset[str]] = []
    slots: list[frozenset[str]] = []
    for element in elements:
        if isinstance(element, str):
            words.append(frozenset(_forms(element)))
        elif isinstance(element, tuple):
            words.append(frozenset(f for e in element for f in _forms(e)))
        elif element is not None:
            slots.append(element)
    return tuple(words), tuple(slots)


def _followed_by_van(tokens: Sequence[Token], index: int, sentence: int) -> bool:
    return index < len(tokens) and tokens[index].sentence == sentence and tokens[index].word == "van"


def _alone(tokens: Sequence[Token], match: TemplateMatch) -> bool:
    """A `whole` template ("je moeder", "your mom") stands for an insult only as the whole sentence, give or take
    one word ("je moeder lol"); inside a sentence it is just someone's mother ("kan je moeder ons ophalen?")."""
    sentence = tokens[match.first].sentence
    others = 0
    for index in (match.first - 1, match.first - 2, match.last + 1, match.last + 2):  # at most two to look at
        if 0 <= index < len(tokens) and tokens[index].sentence == sentence:
            others += 1
    return others <= 1


def _word_orders(elements: list[Element]) -> list[list[Element]]:
    """The template, plus the same phrase with its verb first, as Dutch puts it after a time word or a
    subordinate clause: "ik sla je in elkaar" / "dan SLA IK je in elkaar", "je bent dood" / "morgen BEN JE dood"."""
    orders = [elements]
    if len(elements) >= 3 and isinstance(elements[1], str | tuple):
        head, verb, third = elements[0], elements[1], elements[2]
        if isinstance(head, str) and head in _SUBJECTS and isinstance(third, frozenset):
            orders.append([verb, head, *elements[2:]])
        if isinstance(head, frozenset) and "you" in head and isinstance(verb, str):
            orders.append([_INVERTED.get(verb, verb), head, *elements[2:]])
    return orders


def _fits(element: str | tuple[str, ...] | frozenset[str], token: Token) -> bool:
    if isinstance(element, str):
        return token.word == element or _swapped(token.word, element) or _plain(token.word) == element
    if isinstance(element, tuple):
        return token.word in element or _plain(token.word) in element or any(_swapped(token.word, e) for e in element)
    return not element.isdisjoint(token.kinds)


def _plain(word: str) -> str:
    """The word without a doubled last letter: the normaliser leaves two of a stretched letter ("ik maak je afff" ->
    "aff"), where the template wants one."""
    return word[:-1] if len(word) >= 2 and word[-1] == word[-2] else word


def _swapped(word: str, wanted: str) -> bool:
    """Two neighbouring letters swapped ("zike" for "ziek"), in words long enough for that to be a typo."""
    if len(word) != len(wanted) or len(word) < 4 or word[0] != wanted[0]:
        return False
    diff = [i for i in range(len(word)) if word[i] != wanted[i]]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and word[diff[0]] == wanted[diff[1]]
        and word[diff[1]] == wanted[diff[0]]
    )


Matched = tuple[int, tuple[int, ...]]  # one past the last token, and the tokens skipped on the way


def _match_from(
    elements: tuple[Element, ...], ei: int, tokens: Sequence[Token], ti: int, sentence: int, particles: int
) -> Matched | None:
    """Where a match of elements[ei:] starting at tokens[ti] ends, and what it skipped; or None."""
    if ei == len(elements):
        return ti, ()
    element = elements[ei]
    if element is None:
        for skip in range(MAX_GAP + 1):
            if skip and (ti + skip - 1 >= len(tokens) or tokens[ti + skip - 1].sentence != sentence):
                return None
            matched = _match_from(elements, ei + 1, tokens, ti + skip, sentence, particles)
            if matched is not None:
                return matched[0], tuple(range(ti, ti + skip)) + matched[1]
        return None
    if ti >= len(tokens) or tokens[ti].sentence != sentence:
        return None
    if _fits(element, tokens[ti]):
        return _match_from(elements, ei + 1, tokens, ti + 1, sentence, particles)
    if tokens[ti].word in _PARTICLES and particles < _MAX_PARTICLES:
        matched = _match_from(elements, ei, tokens, ti + 1, sentence, particles + 1)
        if matched is not None:
            return matched[0], (ti, *matched[1])
    return None
