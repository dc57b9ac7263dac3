"""The known words a censored spelling may stand for (k*nker, sl*iten, t**fus): the same letters around the censor
marks, each run of marks one letter a mark (else, when no word fits so, one letter to one more than the marks).

Words are kept per length, sorted, and also as one string per length, so that the words beginning with the
censored word's first letters are found by bisection and matched with one regular expression: the work per
censored word does not grow with the size of the word lists.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable

MARK = "*"  # what the normaliser leaves of a censor mark between letters
MAX_MARKS = 3  # marks in one word (t**fus); more is no censored word but noise
_MARKS = re.compile(r"\*+")
_PATTERN_CACHE_LIMIT = 4_096


class _Length:
    """The words of one length: sorted, and the same joined into one string, one a line."""

    __slots__ = ("starts", "text", "words")

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.starts: list[int] = []  # where each word begins in `text`
        position = 0
        for word in words:
            self.starts.append(position)
            position += len(word) + 1
        self.starts.append(position)
        self.text = "".join(word + "\n" for word in words)

    def beginning(self, prefix: str) -> str:
        """The lines of the words that begin with `prefix`."""
        low = bisect_left(self.words, prefix)
        high = bisect_left(self.words, prefix + "\x7f", low)
        return self.text[self.starts[low] : self.starts[high]]


class CensoredWords:
    def __init__(self, words: Iterable[str]) -> None:
        by_length: dict[int, list[str]] = {}
        for word in set(words):
            if len(word) >= 3 and MARK not in word and "\n" not in word:
                by_length.setdefault(len(word), []).append(word)
        self._lengths = {length: _Length(sorted(group)) for length, group in by_length.items()}
        self._patterns: dict[tuple[tuple[str, ...], tuple[tuple[int, int], ...]], re.Pattern[str]] = {}

    def fits(self, token: str) -> list[str]:
        """The known words `token` may stand for, sorted; none for a token that is no censored word (marks at
        its edges, more than MAX_MARKS marks, fewer than two letters)."""
        pieces = _MARKS.split(token)
        marks = token.count(MARK)
        if len(pieces) < 2 or not pieces[0] or not pieces[-1] or marks > MAX_MARKS or len(token) - marks < 2:
            return []
        runs = [len(run) for run in _MARKS.findall(token)]
        found = self._fitting(pieces, tuple((n, n) for n in runs))
        return found or self._fitting(pieces, tuple((1, n + 1) for n in runs))

    def _fitting(self, pieces: list[str], gaps: tuple[tuple[int, int], ...]) -> list[str]:
        letters = sum(map(len, pieces))
        shortest = letters + sum(low for low, _ in gaps)
        longest = letters + sum(high for _, high in gaps)
        pattern = self._pattern(tuple(pieces), gaps)
        out: list[str] = []
        for length in range(shortest, longest + 1):
            group = self._lengths.get(length)
            if group is not None:
                out += pattern.findall(group.beginning(pieces[0]))
        return sorted(out)

    def _pattern(self, pieces: tuple[str, ...], gaps: tuple[tuple[int, int], ...]) -> re.Pattern[str]:
        key = (pieces, gaps)
        pattern = self._patterns.get(key)
        if pattern is None:
            parts = [re.escape(pieces[0])]
            for piece, (low, high) in zip(pieces[1:], gaps, strict=True):
                parts.append(f"[a-z]{{{low},{high}}}" if low != high else f"[a-z]{{{low}}}")
                parts.append(re.escape(piece))
            pattern = re.compile("^" + "".join(parts) + "$", re.MULTILINE)
            if len(self._patterns) < _PATTERN_CACHE_LIMIT:
                self._patterns[key] = pattern
        return pattern
