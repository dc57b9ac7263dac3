"""Where a text gives someone's phone number, e-mail or home address, citizen service number, IBAN or licence plate.

Checked with the field's libraries wherever a check exists: `phonenumbers` (region NL) for phone numbers,
`python-stdnum` for postcodes, the BSN's 11-proof and IBAN check digits. Every pattern here is linear: no nested
quantifiers, bounded repeats, so a hostile 64 KB message costs no more than its length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum.nl import bsn, postcode


class Kind(StrEnum):
    PHONE = "telefoonnummer"
    EMAIL = "e-mailadres"
    ADDRESS = "adres"
    BSN = "burgerservicenummer"
    IBAN = "rekeningnummer"
    PLATE = "kenteken"


@dataclass(frozen=True, slots=True)
class Finding:
    kind: Kind
    start: int
    end: int


_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,4}\.[a-z]{2,12}\b", re.IGNORECASE)
_POSTCODE = re.compile(r"\b[1-9]\d{3} ?[a-z]{2}\b", re.IGNORECASE)
# A house number after a postcode ("1234 AB 12") or a postcode after an address is what makes it a home address.
_HOUSE_NUMBER = re.compile(r"\s{0,3}(?:nr\.?\s?)?\d{1,5}(?:\s?[a-z]\b)?", re.IGNORECASE)
_STREET_SUFFIXES = (
    "straat|laan|weg|plein|gracht|kade|singel|dijk|hof|park|dreef|pad|steeg|plantsoen|erf|burg|wal|markt|baan"
    "|veld|berg|oord|kwartier|ring|allee|boulevard|hoven|akker|weide|tuin|zijde|haven|dam"
)
_STREET = re.compile(rf"\b[a-z][a-z'-]{{0,40}}(?:{_STREET_SUFFIXES})\s{{1,3}}\d{{1,5}}(?:\s?[a-z]\b)?", re.IGNORECASE)
# A street and number is an address when written as a name (capital letter) or said to be where someone lives;
# "in de supermarkt 2 euro" is not.
_ADDRESS_CONTEXT = re.compile(r"\b(?:woon\w{0,3}|adres|huis|straat|postcode)\b", re.IGNORECASE)
_BSN_CANDIDATE = re.compile(r"(?<![\d.,-])\d{4}\.?\d{2}\.?\d{3}(?![\d.,-]?\d)|(?<![\d.,-])\d{8,9}(?![\d.,-]?\d)")
_BSN_CONTEXT = re.compile(r"\b(?:bsn|burgerservice ?nummer|sofi ?nummer)\b", re.IGNORECASE)
_IBAN_CANDIDATE = re.compile(r"\b[a-z]{2}\d{2}(?: ?[a-z0-9]{4}){2,7}(?: ?[a-z0-9]{1,4})?\b", re.IGNORECASE)
# Dutch licence plates: the side codes in use (RDW), with their dashes; without dashes only after the word.
_PLATE_SIDECODES = (
    r"[a-z]{2}-\d{2}-\d{2}|\d{2}-\d{2}-[a-z]{2}|\d{2}-[a-z]{2}-\d{2}|[a-z]{2}-\d{2}-[a-z]{2}|[a-z]{2}-[a-z]{2}-\d{2}"
    r"|\d{2}-[a-z]{2}-[a-z]{2}|\d{2}-[a-z]{3}-\d|\d-[a-z]{3}-\d{2}|[a-z]{2}-\d{3}-[a-z]|[a-z]-\d{3}-[a-z]{2}"
    r"|[a-z]{3}-\d{2}-[a-z]|[a-z]-\d{2}-[a-z]{3}|\d-[a-z]{2}-\d{3}|\d{3}-[a-z]{2}-\d"
)
_PLATE = re.compile(rf"\b(?:{_PLATE_SIDECODES})\b", re.IGNORECASE)
_PLATE_CONTEXT = re.compile(r"\bkenteken\b", re.IGNORECASE)
_CONTEXT_WINDOW = 40  # characters around a number in which a context word ("bsn", "kenteken") must stand


def find_personal_data(text: str) -> list[Finding]:
    """Every piece of personal data in `text`, in order, without overlaps (the first, longest find wins)."""
    found = [
        *_phones(text),
        *_matches(_EMAIL, text, Kind.EMAIL),
        *_addresses(text),
        *_bsns(text),
        *_ibans(text),
        *_plates(text),
    ]
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[Finding] = []
    for finding in found:
        if kept and finding.start < kept[-1].end:
            continue
        kept.append(finding)
    return kept


def _matches(pattern: re.Pattern[str], text: str, kind: Kind) -> list[Finding]:
    return [Finding(kind, m.start(), m.end()) for m in pattern.finditer(text)]


# The fewest digits of any number phonenumbers accepts as valid here: 5 for a Dutch one (its shortest possible
# length), 6 for an international one (country code and number). Its matcher reads only digits (any script) and
# punctuation, so a text with fewer is skipped without calling it: most messages have no digits at all, and the
# matcher was two fifths of judging a message.
_FEWEST_PHONE_DIGITS = 5


def _phones(text: str) -> list[Finding]:
    if sum(c.isdecimal() for c in text) < _FEWEST_PHONE_DIGITS:
        return []
    matcher = phonenumbers.PhoneNumberMatcher(text, "NL", leniency=phonenumbers.Leniency.VALID, max_tries=200)
    return [Finding(Kind.PHONE, match.start, match.end) for match in matcher]


def _addresses(text: str) -> list[Finding]:
    streets = [
        f
        for f in _matches(_STREET, text, Kind.ADDRESS)
        if text[f.start].isupper() or _ADDRESS_CONTEXT.search(_around(text, f))
    ]
    street_ends = {f.end for f in streets}
    found = list(streets)
    for match in _POSTCODE.finditer(text):
        if not postcode.is_valid(match.group()):
            continue
        number = _HOUSE_NUMBER.match(text, match.end())
        after_street = any(match.start() - gap in street_ends for gap in range(4))
        if number or after_street:
            found.append(Finding(Kind.ADDRESS, match.start(), number.end() if number else match.end()))
    return found


def _bsns(text: str) -> list[Finding]:
    # Any nine digits pass the 11-proof one time in eleven: only with a context word nearby is it a BSN.
    found = []
    for match in _BSN_CANDIDATE.finditer(text):
        if not bsn.is_valid(match.group()):
            continue
        if _BSN_CONTEXT.search(_around(text, Finding(Kind.BSN, match.start(), match.end()))):
            found.append(Finding(Kind.BSN, match.start(), match.end()))
    return found


def _ibans(text: str) -> list[Finding]:
    return [
        Finding(Kind.IBAN, m.start(), m.end())
        for m in _IBAN_CANDIDATE.finditer(text)
        if stdnum_iban.is_valid(m.group())
    ]


def _plates(text: str) -> list[Finding]:
    found = _matches(_PLATE, text, Kind.PLATE)
    return [
        f
        for f in found
        if any(ch.isdigit() for ch in text[f.start : f.end])
        and (_PLATE_CONTEXT.search(_around(text, f)) or text[f.start : f.end].count("-") == 2)
    ]


def _around(text: str, finding: Finding) -> str:
    return text[max(0, finding.start - _CONTEXT_WINDOW) : finding.end + _CONTEXT_WINDOW]
