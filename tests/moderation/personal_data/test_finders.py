"""Finding personal data the ways teenagers write it, and leaving alone what only looks like it."""

from __future__ import annotations

import time

import pytest

from moderation.personal_data import Kind, find_personal_data


def found(text: str) -> list[tuple[Kind, str]]:
    return [(f.kind, text[f.start : f.end]) for f in find_personal_data(text)]


@pytest.mark.parametrize(
    ("text", "piece"),
    [
        ("bel hem ff op 06-12 34 56 78 lol", "06-12 34 56 78"),
        ("zijn nummer is 0612345678", "0612345678"),
        ("app haar +31 6 12345678", "+31 6 12345678"),
        ("nummer van milan: 06 123 456 78", "06 123 456 78"),
        ("0031612345678 is van sem", "0031612345678"),
        ("vast nummer 010-4123456", "010-4123456"),
    ],
)
def test_phone_numbers_in_the_ways_people_write_them(text: str, piece: str) -> None:
    assert (Kind.PHONE, piece) in found(text)


def test_email_postcode_and_street_addresses() -> None:
    assert found("mail haar op sanne.devries2009@gmail.com") == [(Kind.EMAIL, "sanne.devries2009@gmail.com")]
    assert found("ze woont op Dorpsstraat 12 in gouda") == [(Kind.ADDRESS, "Dorpsstraat 12")]
    assert found("hij woont op de kerkweg 4b") == [(Kind.ADDRESS, "kerkweg 4b")]
    assert found("2801 AB 14 daar woont ze") == [(Kind.ADDRESS, "2801 AB 14")]


def test_a_bsn_needs_the_eleven_proof_and_a_context_word() -> None:
    assert found("haar bsn is 111222333") == [(Kind.BSN, "111222333")]
    assert found("burgerservicenummer: 1112.22.333") == [(Kind.BSN, "1112.22.333")]
    assert found("haar bsn is 111222334") == []  # fails the 11-proof
    assert found("de code is 111222333") == []  # passes it by chance, but nothing says it is a BSN


def test_iban_and_licence_plate() -> None:
    assert found("maak het over naar NL91 ABNA 0417 1643 00") == [(Kind.IBAN, "NL91 ABNA 0417 1643 00")]
    assert found("NL91ABNA0417164301") == []  # wrong check digits
    assert found("zijn auto heeft kenteken 12-AB-34") == [(Kind.PLATE, "12-AB-34")]
    assert found("kenteken G-123-BB staat voor de deur") == [(Kind.PLATE, "G-123-BB")]


@pytest.mark.parametrize(
    "text",
    [
        "om 12.30 bij lokaal 204, toets op 12-12-2024",
        "in de supermarkt 2 euro voor een blikje",
        "ik heb 3 uur gegamed en 1 ding geleerd",
        "postcode loterij lol",
        "ik woon in 3011",
        "hoofdstuk 4 opdracht 12 t/m 18 van blz 123",
        "score 1234567 in subway surfers",
    ],
)
def test_things_that_only_look_like_personal_data(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "hostile",
    ["1" * 65536, "a" * 65536, "1234 ab " * 8000, ("a" * 63 + "@") * 1000, "Dorpsstraat 1, 1234 AB " * 2800],
)
def test_hostile_input_finishes(hostile: str) -> None:
    # Not a speed test (benchmarks measure speed): a quadratic or backtracking pattern would take minutes here.
    started = time.process_time()
    find_personal_data(hostile)
    assert time.process_time() - started < 10
