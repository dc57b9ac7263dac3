"""The lexicon's token templates ("ik maak <you> * af") compiled, and matching one of them from a given token.

Which templates to try for which token, and which cannot match a message at all, is the word index's business
(`template_index`)."""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass

from moderation.classify.lexicon import Entry, Template
from moderation.classify.tokens import Token

MAX_GAP = 4
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
# Commands that, after "ik", say what the speaker feels ("ik ga dood", "ik ga dood van de spierpijn", "ik sterf van de
# honger"): only those about dying, and only when they name nobody else before "van"; "ik ga weg en kom niet terug"
# must keep reaching a reviewer.
_IMPERATIVES = frozenset({"ga", "sterf"})
_DYING = frozenset({"dood", "sterf"})
_SPEAKER_SUBJECTS = frozenset({"ik", "k", "i"})
_SOMEONE_ELSE = frozenset({"you", "third", "identity", "person"})
# How teenagers write a template's grammar words: "k wil nie meer leven" is "ik wil niet meer leven". Only short
# function words whose chat spelling is no other word a template could mean.
_CHAT_SPELLINGS: dict[str, tuple[str, ...]] = {
    "ik": ("k",),
    "niet": ("nie", "ni", "nit"),
    "wat": ("wa",),
    "maar": ("ma",),
    "hem": ("em",),
}


def is_command(elements: Sequence[Element]) -> bool:
    """A command about dying that, after \"ik\", may say what the speaker feels (see `_of_the_speaker`)."""
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


def fitting_forms(word: str) -> set[str]:
    """Every token word that `_fits` the literal `word`: itself, with its last letter doubled, two neighbouring
    letters swapped (not the first)."""
    out: set[str] = {word, word + word[-1]} if word else {word}
    if len(word) >= 4:
        out.update(word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(1, len(word) - 1))
    return out


def compile_template(template: Template) -> list[tuple[list[Element], bool]]:
    """The template's elements without a gap at either end, in each of its word orders, with whether it is the
    verb-first one (see `Compiled`)."""
    elements = [_compile(e) for e in template.elements]
    while elements and elements[0] is None:
        elements.pop(0)
    while elements and elements[-1] is None:
        elements.pop()
    return [([_as_written(e) for e in order], number > 0) for number, order in enumerate(_word_orders(elements))]


def _as_written(element: Element) -> Element:
    """A literal word, or alternatives, with their chat spellings as further alternatives."""
    if isinstance(element, str) and element in _CHAT_SPELLINGS:
        return (element, *_CHAT_SPELLINGS[element])
    if isinstance(element, tuple) and any(e in _CHAT_SPELLINGS for e in element):
        return tuple(dict.fromkeys(w for e in element for w in (e, *_CHAT_SPELLINGS.get(e, ()))))
    return element


def match_at(
    compiled: Compiled, tokens: Sequence[Token], index: int, opens: bool, commands: Set[tuple[Element, ...]]
) -> TemplateMatch | None:
    """The match of a template whose first element fits tokens[index], if the rest follows. `opens`: the token
    opens its sentence; `commands`: the templates `is_command` names."""
    elements, entry, _, inverted = compiled
    if inverted and opens:
        return None
    token = tokens[index]
    matched = _match_from(elements, 1, tokens, index + 1, token.sentence, 0)
    if matched is None:
        return None
    last, gaps = matched
    after_speaker = not opens and tokens[index - 1].word in _SPEAKER_SUBJECTS
    if after_speaker and elements in commands and _of_the_speaker(tokens, index, last):
        return None  # "ik ga dood (van de spierpijn)", "ik sterf van de honger": what the speaker feels
    match = TemplateMatch(entry, index, max(last - 1, index), gaps)
    return match if not entry.whole or _alone(tokens, match) else None


def _of_the_speaker(tokens: Sequence[Token], first: int, end: int) -> bool:
    """Whether a dying command after "ik" is about the speaker: followed by "van" ("... van de honger"), or naming
    nobody else ("ik ga dood", but not "ik ga jou dood maken")."""
    sentence = tokens[first].sentence
    if end < len(tokens) and tokens[end].sentence == sentence and tokens[end].word == "van":
        return True
    return all(tokens[i].kinds.isdisjoint(_SOMEONE_ELSE) for i in range(first, end))


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
        return token.word == element or _swapped(token.word, element) or plain(token.word) == element
    if isinstance(element, tuple):
        return token.word in element or plain(token.word) in element or any(_swapped(token.word, e) for e in element)
    return not element.isdisjoint(token.kinds)


def plain(word: str) -> str:
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
