"""Reading one exported CSV file as numbered rows: the encoding detected, the delimiter guessed, rows streamed.

Memory stays flat however long the file is: lines are read one at a time and a line longer than any roster row
could be is refused before it is read whole.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from charset_normalizer import from_bytes

from moderation.roster.errors import RosterError

# What a Dutch school's spreadsheet or student information system writes: UTF-8 (with or without a byte-order
# mark), Excel's "CSV (puntkomma-gescheiden)" in Windows-1252, and the old DOS code page. Narrowing the candidates
# keeps a short file of Dutch names from being read as, say, a Baltic code page.
_CANDIDATES = ["utf_8", "cp1252", "cp850", "utf_16", "utf_32"]
_SAMPLE_BYTES = 1 << 20
MAX_ROW_BYTES = 64 * 1024  # a roster row is a few hundred bytes; anything this long is not a roster


@dataclass(frozen=True, slots=True)
class Row:
    number: int  # 1 is the header; counted in records, so a quoted line break does not shift the count
    fields: list[str]


def detect_encoding(sample: bytes, *, whole_file: bool) -> str:
    """The encoding of a file that starts with `sample` (a Python codec name)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf_8_sig"
    try:
        sample.decode("utf-8")
        return "utf_8"
    except UnicodeDecodeError as exc:
        if not whole_file and exc.start >= len(sample) - 3:
            return "utf_8"  # only a character cut in two at the end of the sample
    best = from_bytes(sample, cp_isolation=_CANDIDATES).best()
    return best.encoding if best is not None else "cp1252"


class RosterFile:
    """One CSV file, opened for one pass over its rows. Use as a context manager."""

    def __init__(self, source: str, stream: BinaryIO, *, encoding: str | None = None) -> None:
        self.source = source
        self._stream = stream
        sample = self._stream.read(_SAMPLE_BYTES)
        self._stream.seek(0)
        if not sample.strip():
            self.close()
            raise RosterError(self.source, ["the file is empty"])
        if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf_16"
        elif sample.startswith(b"PK\x03\x04") or b"\x00" in sample:
            self.close()
            raise RosterError(
                self.source,
                ["not CSV text (an Excel workbook or another binary file); in Excel use Save as → CSV UTF-8"],
            )
        self.encoding = encoding or detect_encoding(sample, whole_file=len(sample) < _SAMPLE_BYTES)
        if self.encoding.startswith(("utf_16", "utf_32")):
            self.close()
            raise RosterError(
                self.source,
                [
                    f"the file is {self.encoding.upper().replace('_', '-')} text; "
                    "save it as CSV UTF-8 or as CSV with semicolons"
                ],
            )
        try:
            self._decoder = codecs.getincrementaldecoder(self.encoding)(errors="strict")
        except LookupError as exc:
            self.close()
            raise RosterError(self.source, [f"unknown encoding {self.encoding!r}"]) from exc
        self._row = 1
        header_line = self._decode_line(self._read_line(1), 1)
        self.delimiter = _delimiter(header_line)
        self.header = _split_one(header_line.lstrip("\ufeff"), self.delimiter)
        while self.header and not self.header[-1].strip():
            self.header.pop()  # a separator at the end of the header line: an empty column, not a column

    def rows(self) -> Iterator[Row]:
        """The data rows (numbered from 2, as a spreadsheet shows them), streamed; a problem that stops reading
        the file raises RosterError with its row number."""
        self._row = 1
        reader = csv.reader(self._lines(), delimiter=self.delimiter)
        while True:
            self._row += 1  # the row the reader takes next; a quoted line break keeps it one row
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise RosterError(self.source, [f"row {self._row}: not valid CSV ({exc})"]) from exc
            if any(f.strip() for f in fields):
                yield Row(self._row, fields)

    def _lines(self) -> Iterator[str]:
        while raw := self._read_line(self._row):
            yield self._decode_line(raw, self._row)

    def _read_line(self, row: int) -> bytes:
        raw = self._stream.readline(MAX_ROW_BYTES + 1)
        if len(raw) > MAX_ROW_BYTES:
            raise RosterError(
                self.source,
                [
                    f"row {row} is longer than {MAX_ROW_BYTES // 1024} KB (a roster row is a few hundred bytes); "
                    "is this the CSV export of the roster?"
                ],
            )
        return raw

    def _decode_line(self, raw: bytes, row: int) -> str:
        try:
            return self._decoder.decode(raw)
        except UnicodeDecodeError as exc:
            raise RosterError(
                self.source,
                [
                    f"row {row}: not valid {self.encoding} text (the encoding was detected from the start of the "
                    "file); save it as CSV UTF-8, or name the encoding in [roster] encoding"
                ],
            ) from exc

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> RosterFile:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _split_one(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])
