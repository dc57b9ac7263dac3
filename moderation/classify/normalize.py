"""Text normalisation that undoes common filter evasion, with a map back to the original characters.

The normalised text is what the lexicon and grammar look at; the offset map lets evidence quote what the author
actually typed ("'ik maak je af' in '1k m44k j3 af'"). Every step is cheap on plain ASCII chat: length-preserving
steps use `str.translate`, and the length-changing ones run only when a precompiled pattern finds work for them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_WINDOW = 20_000  # characters judged of a huge message; the rest is named in the note

# Cyrillic and Greek letters that look like Latin ones (lower case; upper case is folded first).
_HOMOGLYPHS = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d", "ɡ": "g", "ⅼ": "l",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "ω": "w", "μ": "u", "ς": "s", "σ": "o", "γ": "y", "ı": "i", "ł": "l", "ø": "o",
    "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "‘": "'", "’": "'", "‛": "'", "`": "'", "´": "'",
    "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‹": '"', "›": '"',
}  # fmt: skip
# Capitals that look Latin only as capitals (Greek Ν looks like N, but its small ν like v): mapped before folding.
_HOMOGLYPHS_UPPER = {
    "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n", "Ο": "o", "Ρ": "p",
    "Τ": "t", "Υ": "y", "Χ": "x", "А": "a", "В": "b", "Е": "e", "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p",
    "С": "c", "Т": "t", "У": "y", "Х": "x", "Ѕ": "s", "І": "i", "Ј": "j",
}  # fmt: skip
_LEET = str.maketrans({"4": "a", "3": "e", "1": "i", "0": "o", "5": "s", "7": "t", "@": "a", "$": "s"})
_LEET_AS_L = str.maketrans({"1": "l"})

_SURROGATE = re.compile("[\ud800-\udfff]")
_MARKUP = re.compile(r"https?://\S+|[*_~`|#>\[\]]")  # links and markdown syntax: blanked
_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]{0,10})\b[^<>\n]{0,200}>")  # HTML tags: removed
_BLOCK_TAGS = frozenset({"br", "p", "div", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3", "h4", "blockquote"})
_LEET_RUN = re.compile(r"[a-z0-9@$]*[a-z][a-z0-9@$]*")
_LEET_CHARS = re.compile(r"[0-9@$]")
_SPACED = re.compile(r"(?<![a-z0-9])[a-z](?:[ .\-_*]{1,2}[a-z](?![a-z0-9])){2,}")
_STRETCH = re.compile(r"([a-z])\1{2,}")


@dataclass(frozen=True, slots=True)
class Normalized:
    """The normalised text plus how to find each of its characters in the original."""

    original: str  # the judged window of the original text
    text: str
    offsets: tuple[int, ...] | None  # offsets[i]: index in `original` of text[i]; None: the identity
    alt_text: str | None = None  # the same text with leetspeak "1" read as "l" (where the author used "1")
    note: str = ""

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The original span behind normalised text[start:end]."""
        if end <= start:
            return start, start
        if self.offsets is None:
            return start, end
        return self.offsets[start], self.offsets[end - 1] + 1

    def quote(self, start: int, end: int) -> str:
        ostart, oend = self.source_span(start, end)
        return self.original[ostart:oend]


Offsets = list[int] | None


def _sub_tracked(
    pattern: re.Pattern[str], repl: Callable[[re.Match[str]], tuple[str, list[int]]], text: str, offsets: Offsets
) -> tuple[str, Offsets]:
    """Like `pattern.sub`, keeping the offset map in step; `repl` returns the new piece and, for each of its
    characters, the index within the match it came from."""
    pieces: list[str] = []
    new_offsets: list[int] = []
    old = offsets if offsets is not None else range(len(text))
    last = 0
    for match in pattern.finditer(text):
        start, end = match.span()
        pieces.append(text[last:start])
        new_offsets.extend(old[last:start])
        piece, local = repl(match)
        pieces.append(piece)
        new_offsets.extend(old[start + i] for i in local)
        last = end
    if not pieces:
        return text, offsets
    pieces.append(text[last:])
    new_offsets.extend(old[last:])
    return "".join(pieces), new_offsets


def _join_spaced(match: re.Match[str]) -> tuple[str, list[int]]:
    letters = [(i, ch) for i, ch in enumerate(match.group()) if ch.isalpha()]
    return "".join(ch for _, ch in letters), [i for i, _ in letters]


def _shorten_stretch(match: re.Match[str]) -> tuple[str, list[int]]:
    # "kuuuut" -> "kuut": two letters keep Dutch double vowels (haat, dood); the lexicon also knows the skeleton.
    # The second letter stands for the last of the run, so a quote ending on it shows the whole stretch ("afff").
    return match.group(1) * 2, [0, len(match.group(0)) - 1]


def _drop_tag(match: re.Match[str]) -> tuple[str, list[int]]:
    # "kan<b></b>ker" hides a word inside inline tags, so those vanish; a block tag still separates words.
    return (" ", [0]) if match.group(1).lower() in _BLOCK_TAGS else ("", [])


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


class Normalizer:
    """Turns raw chat text into the form the text tier matches on. Holds only a per-character cache."""

    def __init__(self, window: int = DEFAULT_WINDOW) -> None:
        self._window = window
        self._char_cache: dict[str, str] = {}

    def _fold_char(self, ch: str) -> str:
        cached = self._char_cache.get(ch)
        if cached is not None:
            return cached
        category = unicodedata.category(ch)
        if ch in _HOMOGLYPHS_UPPER:
            out = _HOMOGLYPHS_UPPER[ch]
        elif category in ("Cf", "Mn", "Me", "Cs") or ch in "\u200b\u200c\u200d\u2060\ufeff\u00ad":
            out = ""  # zero-width, combining and format characters carry no letters
        elif category == "Cc":
            out = " " if ch not in "\n\r\t" else "\n"
        else:
            decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", ch).casefold())
            out = "".join(_HOMOGLYPHS.get(c, c) for c in decomposed if not unicodedata.combining(c))
        if len(self._char_cache) < 50_000:
            self._char_cache[ch] = out
        return out

    def _fold(self, text: str) -> tuple[str, Offsets]:
        if text.isascii():
            return text.lower(), None
        # Fast path: when every unusual character folds to exactly one character, a translate keeps offsets.
        table = {ord(ch): self._fold_char(ch) for ch in set(text) if ord(ch) > 127}
        if all(len(out) == 1 for out in table.values()):
            return text.translate(table).lower(), None
        pieces: list[str] = []
        offsets: list[int] = []
        for index, ch in enumerate(text):
            folded = self._fold_char(ch) if ord(ch) > 127 else ch.lower()
            pieces.append(folded)
            offsets.extend([index] * len(folded))
        return "".join(pieces), offsets

    def normalize(self, raw: str) -> Normalized:
        note = ""
        if len(raw) > self._window:
            note = f"judged the first {self._window:,} of {len(raw):,} characters"
            raw = raw[: self._window]
        original = _SURROGATE.sub("\ufffd", raw)  # lone surrogates cannot be encoded; show a replacement mark
        text, offsets = self._fold(original)
        if "<" in text:
            text, offsets = _sub_tracked(_TAG, _drop_tag, text, offsets)
        text = _MARKUP.sub(_blank, text)  # blanks keep the length, so the map stays valid
        alt_text: str | None = None
        if _LEET_CHARS.search(text):
            leet_runs = [m for m in _LEET_RUN.finditer(text) if _LEET_CHARS.search(m.group())]
            if leet_runs:
                chars = list(text)
                alt_chars = list(text)
                for m in leet_runs:
                    chars[m.start() : m.end()] = m.group().translate(_LEET)
                    alt_chars[m.start() : m.end()] = m.group().translate(_LEET_AS_L).translate(_LEET)
                text = "".join(chars)
                alt = "".join(alt_chars)
                alt_text = alt if alt != text else None
        if _SPACED.search(text):
            text, new_offsets = _sub_tracked(_SPACED, _join_spaced, text, offsets)
            if alt_text is not None:
                alt_text, _ = _sub_tracked(_SPACED, _join_spaced, alt_text, offsets)
            offsets = new_offsets
        if _STRETCH.search(text):
            text, new_offsets = _sub_tracked(_STRETCH, _shorten_stretch, text, offsets)
            if alt_text is not None:
                alt_text, _ = _sub_tracked(_STRETCH, _shorten_stretch, alt_text, offsets)
            offsets = new_offsets
        if alt_text is not None and len(alt_text) != len(text):
            alt_text = None  # the variants diverged in length; the map would not fit the alternative
        return Normalized(
            original=original,
            text=text,
            offsets=tuple(offsets) if offsets is not None else None,
            alt_text=alt_text,
            note=note,
        )
