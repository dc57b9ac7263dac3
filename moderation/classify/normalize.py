"""Text normalisation that undoes common filter evasion, with a map back to the original characters.

The normalised text is what the lexicon and grammar look at; the offset map lets evidence quote what the author
actually typed ("'ik maak je af' in '1k m44k j3 af'"). Every step is cheap on plain ASCII chat: length-preserving
steps use `str.translate`, and the length-changing ones run only when a precompiled pattern finds work for them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from moderation.classify.homoglyphs import HOMOGLYPHS, HOMOGLYPHS_UPPER
from moderation.classify.homoglyphs import bundled_lookalikes as bundled_lookalikes  # imported from here by the rules

DEFAULT_WINDOW = 20_000  # characters normalised at most in one piece
WHOLE_LIMIT = 4_000  # visible characters judged as one piece (every Discord message; most Matrix ones)
PART_SIZE = 2_000  # a longer message is judged in parts of this size ...
PART_OVERLAP = 200  # ... of which neighbours share this much, so that no sentence is lost at a cut
MAX_JUDGED = 131_072  # visible characters judged of a huge message (twice the largest chat event); the rest is noted

_LEET = str.maketrans({"4": "a", "3": "e", "1": "i", "0": "o", "5": "s", "7": "t", "@": "a", "$": "s"})
_LEET_AS_L = str.maketrans({"1": "l"})

_SURROGATE = re.compile("[\ud800-\udfff]")
_MARKUP = re.compile(r"https?://\S+|[_~`|#>\[\]]")  # links and markdown syntax: blanked
# a hash or underscore between letters censors them as a star does (k#nker, sl_t): read as the star
_CENSOR_MARKS = re.compile(r"(?<=[a-z])[#_]{1,3}(?=[a-z])")
# Markdown emphasis, blanked: a run of stars not between two letters (a star between letters censors one, k*nker,
# and is kept). The runs are possessive, so that a run between letters is never matched in part.
_STARS = re.compile(r"\*++(?![a-z])|(?<![a-z*])\*++")
_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]{0,10})\b[^<>\n]{0,200}>")  # HTML tags: removed
_BLOCK_TAGS = frozenset({"br", "p", "div", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3", "h4", "blockquote"})
_LEET_CHARS = re.compile(r"[0-9@$]")
_LEET_BESIDE_LETTER = re.compile(r"[a-z][0-9@$]|[0-9@$][a-z]")
_SPACED = re.compile(r"(?<![a-z0-9])[a-z](?:[ .\-_*]{1,2}[a-z](?![a-z0-9])){2,}")
_STRETCH = re.compile(r"([a-z])\1{2,}")
_SPACED_MIDDLE = re.compile(r"[ .\-_*][a-z][ .\-_*]")  # what every match of _SPACED holds


@dataclass(slots=True)  # not frozen: frozen dataclasses are slower to create, and one is made per message
class Normalized:
    """The normalised text plus how to find each of its characters in the original (read only)."""

    original: str  # the judged window of the original text
    text: str
    offsets: tuple[int, ...] | None  # offsets[i]: index in `original` of text[i]; None: the identity
    alt_text: str | None = None  # the same text with leetspeak "1" read as "l" (where the author used "1")
    note: str = ""
    stretched: tuple[int, ...] = ()  # where in `text` a run of three or more letters was shortened to two

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


Replace = Callable[[re.Match[str]], tuple[str, list[int]]]


def _sub_tracked(pattern: re.Pattern[str], repl: Replace, text: str, offsets: Offsets) -> tuple[str, Offsets]:
    """Like `pattern.sub`, keeping the offset map in step; `repl` returns the new piece and, for each of its
    characters, the index within the match it came from."""
    return _sub_matches(list(pattern.finditer(text)), repl, text, offsets)


def _sub_matches(matches: list[re.Match[str]], repl: Replace, text: str, offsets: Offsets) -> tuple[str, Offsets]:
    """`_sub_tracked` for the matches of a pattern found already (in order)."""
    pieces: list[str] = []
    new_offsets: list[int] = []
    old = offsets if offsets is not None else range(len(text))
    last = 0
    for match in matches:
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


_LEET_CHARACTERS = "0123456789@$"  # stripped from a run of letters and digits, a letter is left if it holds one


# A whole run of letters and digits that holds a leetspeak character. Linear: only a run's first character passes
# the look-behind, and from there the letters before its first leetspeak character are given back at most once.
_LEET_RUN = re.compile(r"(?<![a-z0-9@$])[a-z]*[0-9@$][a-z0-9@$]*")


# Digits that stand for no letter: a run holding one is a name with a number (#tk2021, covid19, klas2b, 3b8), not
# a disguised word, and is left as it was written.
_NUMBER_DIGITS = frozenset("2689")


def _leet_runs(text: str) -> list[tuple[int, int]]:
    """The runs of letters and digits that hold a leetspeak character and a letter (k4nk3r, not 2024, not tk2021)."""
    return [
        match.span()
        for match in _LEET_RUN.finditer(text)
        if match.group().strip(_LEET_CHARACTERS) and _NUMBER_DIGITS.isdisjoint(match.group())
    ]


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


def _as_stars(match: re.Match[str]) -> str:
    return "*" * len(match.group())


# Characters that show nothing: removed before anything else, so that padding cannot push words out of reach.
_INVISIBLE_EXTRA = frozenset("\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u3164\uffa0")


def _invisible(ch: str) -> bool:
    return unicodedata.category(ch) == "Cf" or ch in _INVISIBLE_EXTRA


_ASCII_CHARS = frozenset(map(chr, range(128)))


def strip_invisible(text: str, known: dict[str, bool] | None = None) -> tuple[str, list[int] | None]:
    """The text without invisible characters, and for each kept character its index in `text` (None: none
    removed). Linear: one pass to find the distinct characters, one translate. `known`: a cache of answers."""
    if text.isascii():
        return text, None
    if known is None:
        known = {}
    hidden = set()
    for ch in set(text) - _ASCII_CHARS:  # no ASCII character is invisible
        invisible = known.get(ch)
        if invisible is None:
            invisible = known[ch] = _invisible(ch)
        if invisible:
            hidden.add(ch)
    if not hidden:
        return text, None
    kept = [i for i, ch in enumerate(text) if ch not in hidden]
    return text.translate({ord(ch): None for ch in hidden}), kept


def split_parts(text: str, size: int = PART_SIZE, overlap: int = PART_OVERLAP) -> list[tuple[int, str]]:
    """Overlapping parts of at most `size` characters, each with its start, cut at a space where one is near."""
    if len(text) <= size:
        return [(0, text)]
    parts: list[tuple[int, str]] = []
    start = 0
    while True:
        end = min(len(text), start + size)
        if end < len(text):
            space = text.rfind(" ", end - overlap, end)
            end = space if space > start else end
        parts.append((start, text[start:end]))
        if end >= len(text):
            return parts
        next_start = max(start + 1, end - overlap)
        space = text.find(" ", next_start, end)
        start = space + 1 if space >= 0 else next_start


class _FoldTable(dict[int, str]):
    """code point -> its folded form, for `str.translate`; filled as characters are first met (bounded)."""

    def __init__(self, fold: Callable[[str], str], uneven: set[str]) -> None:
        super().__init__()
        self._fold = fold
        self._uneven = uneven

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        out = self._fold(ch) if code > 127 else ch
        if len(out) != 1:
            self._uneven.add(ch)
        if len(self) < _TABLE_LIMIT:
            self[code] = out
        return out


_TABLE_LIMIT = 50_000


class Normalizer:
    """Turns raw chat text into the form the text tier matches on. Holds only a per-character cache."""

    def __init__(self, window: int = DEFAULT_WINDOW, lookalikes: Mapping[str, str] | None = None) -> None:
        self._window = window
        self._lookalikes = bundled_lookalikes() if lookalikes is None else lookalikes
        self._char_cache: dict[str, str] = {}
        self._uneven: set[str] = set()  # characters that fold to none or to more than one character
        self._table = _FoldTable(self._fold_char, self._uneven)
        self._invisible_cache: dict[str, bool] = {}

    def _fold_char(self, ch: str) -> str:
        cached = self._char_cache.get(ch)
        if cached is not None:
            return cached
        category = unicodedata.category(ch)
        if ch in HOMOGLYPHS_UPPER:
            out = HOMOGLYPHS_UPPER[ch]
        elif ch in self._lookalikes:  # before case folding: Greek capital Ν looks like N, its small ν like v
            out = self._lookalikes[ch]
        elif category in ("Mn", "Me", "Cs") or _invisible(ch):
            out = ""  # zero-width, combining and format characters carry no letters
        elif category == "Cc":
            out = " " if ch not in "\n\r\t" else "\n"
        else:
            decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", ch).casefold())
            lookalikes = self._lookalikes
            out = "".join(HOMOGLYPHS.get(c) or lookalikes.get(c, c) for c in decomposed if not unicodedata.combining(c))
        if len(self._char_cache) < 50_000:
            self._char_cache[ch] = out
        return out

    def _fold(self, text: str) -> tuple[str, Offsets]:
        if text.isascii():
            return text.lower(), None
        table = self._table
        if all(table[ord(ch)] == ch for ch in set(text).difference(_ASCII_CHARS)):
            return text.lower(), None  # its other characters (emoji, mostly) fold to themselves: nothing to translate
        # Fast path: when every character folds to exactly one, one translate with the lasting table keeps offsets.
        folded = text.translate(self._table)
        if self._uneven.isdisjoint(text):
            return folded.lower(), None
        pieces: list[str] = []
        offsets: list[int] = []
        for index, ch in enumerate(text):
            out = self._fold_char(ch) if ord(ch) > 127 else ch.lower()
            pieces.append(out)
            offsets.extend([index] * len(out))
        return "".join(pieces), offsets

    def parts(self, raw: str) -> tuple[list[str], str]:
        """A message split for judging: invisible characters removed first, then overlapping parts of at most
        one window each, up to MAX_JUDGED characters; the note says what was done."""
        visible, _ = strip_invisible(raw, self._invisible_cache)
        note = ""
        if len(visible) > MAX_JUDGED:
            note = f"judged the first {MAX_JUDGED:,} of {len(visible):,} visible characters"
            visible = visible[:MAX_JUDGED]
        size = min(self._window, PART_SIZE)
        parts = [visible] if len(visible) <= WHOLE_LIMIT else [p for _, p in split_parts(visible, size, PART_OVERLAP)]
        if len(parts) > 1:
            note = "; ".join(n for n in (note, f"judged in {len(parts)} overlapping parts") if n)
        return parts, note

    def normalize(self, raw: str) -> Normalized:
        """One part: invisible characters go first, then the text is cut to the window (the note says so)."""
        visible, _ = strip_invisible(raw, self._invisible_cache)
        return self.normalize_visible(visible)

    def normalize_visible(self, visible: str) -> Normalized:
        """`normalize` for a text whose invisible characters are gone already (a part from `parts`)."""
        note = ""
        if len(visible) > self._window:
            note = f"judged the first {self._window:,} of {len(visible):,} visible characters"
            visible = visible[: self._window]
        # lone surrogates cannot be encoded; show a replacement mark (plain ASCII holds none)
        original = visible if visible.isascii() else _SURROGATE.sub("\ufffd", visible)
        text, offsets = self._fold(original)
        if "<" in text:
            text, offsets = _sub_tracked(_TAG, _drop_tag, text, offsets)
        if "#" in text or "_" in text:
            text = _CENSOR_MARKS.sub(_as_stars, text)
        text = _MARKUP.sub(_blank, text)  # blanks keep the length, so the map stays valid
        if "*" in text:
            text = _STARS.sub(_blank, text)
        alt_text: str | None = None
        # a run holding a letter and a leetspeak character has them side by side (and a text without any
        # leetspeak character, most chat, is passed over at once)
        if _LEET_CHARS.search(text) and _LEET_BESIDE_LETTER.search(text):
            leet_runs = _leet_runs(text)
            if leet_runs:
                pieces: list[str] = []
                alt_pieces: list[str] = []
                last = 0
                for start, end in leet_runs:  # each translation keeps the length: the offsets stay valid
                    between, run = text[last:start], text[start:end]
                    pieces += (between, run.translate(_LEET))
                    alt_pieces += (between, run.translate(_LEET_AS_L).translate(_LEET))
                    last = end
                tail = text[last:]
                text = "".join(pieces) + tail
                alt = "".join(alt_pieces) + tail
                alt_text = alt if alt != text else None
        # three letters spaced out have a separator on both sides of the middle one: looked for first (cheap)
        if _SPACED_MIDDLE.search(text) and _SPACED.search(text):
            text, new_offsets = _sub_tracked(_SPACED, _join_spaced, text, offsets)
            if alt_text is not None:
                alt_text, _ = _sub_tracked(_SPACED, _join_spaced, alt_text, offsets)
            offsets = new_offsets
        stretched: list[int] = []
        runs = list(_STRETCH.finditer(text))
        if runs:
            removed = 0
            for match in runs:
                stretched.append(match.start() - removed)
                removed += len(match.group()) - 2
            text, new_offsets = _sub_matches(runs, _shorten_stretch, text, offsets)
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
            stretched=tuple(stretched),
        )
