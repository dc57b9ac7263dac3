"""Matching the lexicon's token templates ("ik maak <you> * af") against a tokenised message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from moderation.classify.lexicon import Entry, Template
from moderation.classify.tokens import Token

MAX_GAP = 4
_ALIASES = {"target": ("you", "third", "identity", "person")}

# A compiled element: a literal word, alternative words ("boos|woedend"), a set of kinds (a slot), or None (a gap).
Element = str | tuple[str, ...] | frozenset[str] | None


@dataclass(frozen=True, slots=True)
class TemplateMatch:
    entry: Entry
    first: int  # token index of the first matched token
    last: int  # token index of the last matched token


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


# A compiled template: its elements, its entry, and one literal word it cannot match without (or None).
Compiled = tuple[tuple[Element, ...], Entry, str | None]


def _required_word(elements: Sequence[Element]) -> str | None:
    """The longest literal word: a cheap pre-check that skips most templates for most messages."""
    literals = [e for e in elements if isinstance(e, str)]
    return max(literals, key=len) if literals else None


class TemplateMatcher:
    def __init__(self, templates: Sequence[Template]) -> None:
        self._by_word: dict[str, list[Compiled]] = {}
        self._by_kind: dict[str, list[Compiled]] = {}
        for template in templates:
            elements = [_compile(e) for e in template.elements]
            while elements and elements[0] is None:
                elements.pop(0)
            while elements and elements[-1] is None:
                elements.pop()
            compiled = (tuple(elements), template.entry, _required_word(elements))
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

    def starts_any(self, tokens: Sequence[Token]) -> bool:
        """Whether some template starts with one of these words (a cheap test before matching)."""
        return any(t.word in self._by_word for t in tokens)

    def match(self, tokens: Sequence[Token]) -> list[TemplateMatch]:
        found: list[TemplateMatch] = []
        present = {t.word for t in tokens}
        by_word, by_kind = self._by_word, self._by_kind
        for token in tokens:
            candidates = by_word.get(token.word, [])
            for kind in token.kinds:
                more = by_kind.get(kind)
                if more:
                    candidates = candidates + more
            for elements, entry, required in candidates:
                if required is not None and required not in present:
                    continue
                last = _match_from(elements, 1, tokens, token.index + 1, token.sentence)
                if last is not None:
                    found.append(TemplateMatch(entry, token.index, max(last - 1, token.index)))
        return found


def _fits(element: str | tuple[str, ...] | frozenset[str], token: Token) -> bool:
    if isinstance(element, str):
        return token.word == element or _swapped(token.word, element)
    if isinstance(element, tuple):
        return token.word in element or any(_swapped(token.word, e) for e in element)
    return not element.isdisjoint(token.kinds)


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


def _match_from(elements: tuple[Element, ...], ei: int, tokens: Sequence[Token], ti: int, sentence: int) -> int | None:
    """The token index just past a match of elements[ei:] starting at tokens[ti], or None."""
    if ei == len(elements):
        return ti
    element = elements[ei]
    if element is None:
        for skip in range(MAX_GAP + 1):
            end = _match_from(elements, ei + 1, tokens, ti + skip, sentence)
            if end is not None:
                return end
        return None
    if ti >= len(tokens) or tokens[ti].sentence != sentence or not _fits(element, tokens[ti]):
        return None
    return _match_from(elements, ei + 1, tokens, ti + 1, sentence)
