"""The bundled lexicon is well-formed; a school extends it in its config; a malformed file is refused clearly."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from moderation.classify import LexiconError, build_classifier
from moderation.classify.config import ClassifierConfig
from moderation.classify.lexicon import KINDS, build_lexicon, bundled_files, common_words, load_entries
from moderation.classify.lookup import HURTFUL_KINDS, WordLookup
from moderation.classify.normalize import Normalizer
from moderation.classify.text_tier import TextTier
from moderation.model import Category


def test_bundled_files_load_and_every_entry_has_kind_category_and_rationale() -> None:
    files = bundled_files()
    assert {f.name for f in files} >= {"nl.toml", "en.toml", "grammar.toml", "templates.toml"}
    for path in files:
        entries = load_entries(path, Normalizer())
        assert entries, path
        for entry in entries:
            assert entry.kind in KINDS
            assert entry.why
            if entry.kind == "template":
                assert entry.category is not None


def test_a_school_adds_its_own_words(tmp_path: Path) -> None:
    extra = tmp_path / "school.toml"
    extra.write_text(
        """
[[group]]
kind = "insult_noun"
category = "insult"
lang = "nl"
entries = [ { term = "zwabbernoot", why = "local slang insult at our school" } ]

[[group]]
kind = "template"
category = "harassment"
weight = 0.9
entries = [ { term = "jij mag niet in de kantine", why = "our pupils' way of excluding someone" } ]
""",
        encoding="utf-8",
    )
    plain = TextTier.from_config(ClassifierConfig(ml=None))
    school = TextTier.from_config(ClassifierConfig(ml=None, lexicon_files=(extra,)))
    assert plain.classify("jij bent een zwabbernoot").score(Category.INSULT) < 0.5
    assert school.classify("jij bent een zwabbernoot").score(Category.INSULT) >= 0.8
    assert school.classify("jij mag niet in de kantine").score(Category.HARASSMENT) >= 0.8


def test_allow_terms_silence_a_word() -> None:
    text = "jij bent een sukkel"
    plain = TextTier.from_config(ClassifierConfig(ml=None))
    school = TextTier.from_config(ClassifierConfig(ml=None, allow_terms=("Sukkel",)))
    assert plain.classify(text).score(Category.INSULT) >= 0.8
    assert school.classify(text).score(Category.INSULT) == 0.0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("this is [not toml", "not valid TOML"),
        ("title = 'no groups'", "expected one or more [[group]] tables"),
        ('[[group]]\nkind = "insulte"\nentries = [ { term = "x", why = "y" } ]', "unknown kind 'insulte'"),
        (
            '[[group]]\nkind = "insult_noun"\ncategory = "rude"\nentries = [ { term = "x", why = "y" } ]',
            "unknown category 'rude'",
        ),
        ('[[group]]\nkind = "insult_noun"\nentries = []', "group 1: needs a non-empty list `entries`"),
        (
            '[[group]]\nkind = "insult_noun"\nentries = [ { term = "ok", why = "fine" }, { term = "", why = "y" } ]',
            "group 1, entry 2 (''): needs a non-empty string `term`",
        ),
        (
            '[[group]]\nkind = "insult_noun"\nentries = [ { term = "sukkelaar" } ]',
            "entry 1 ('sukkelaar'): needs a one-line rationale `why`",
        ),
        (
            '[[group]]\nkind = "template"\ncategory = "threat"\nweight = 0.9\nwhy = "y"\nentries = [{ term = "<x>" }]',
            "template slot <x> names unknown kind(s) x",
        ),
        (
            '[[group]]\nkind = "template"\ncategory = "threat"\n'
            'entries = [ { term = "ik sla", why = "y", weight = 3 } ]',
            "`weight` must be a number from 0 to 1",
        ),
        (
            '[[group]]\nkind = "insult_noun"\nentries = [ { term = "twee woorden", why = "y" } ]',
            "only templates may have several words",
        ),
        ("[[group]]\nkind = 'slur'\nentries = [ 'flikker' ]", "an entry must be an inline table"),
    ],
)
def test_a_malformed_school_file_names_the_file_and_entry(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "our_words.toml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError) as caught:
        build_lexicon([bad])
    assert str(bad) in str(caught.value)
    assert message in str(caught.value)


def test_a_missing_school_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(LexiconError, match=r"nope\.toml: file not found"):
        build_classifier(ClassifierConfig(ml=None, lexicon_files=(missing,)))


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('[[group]]\nkind = "slur"\nentries = [ { term = "\xe9", why = "y" } ]'.encode("latin-1"))
    with pytest.raises(LexiconError, match=r"latin1\.toml: not valid TOML"):
        build_lexicon([bad])


def test_languages_keep_only_those_word_lists() -> None:
    both = TextTier.from_config(ClassifierConfig(ml=None))
    dutch = TextTier.from_config(ClassifierConfig(ml=None, languages=("nl",)))
    assert both.classify("you are a moron").score(Category.INSULT) >= 0.8
    assert dutch.classify("you are a moron").score(Category.INSULT) == 0.0
    assert dutch.classify("jij bent een sukkel").score(Category.INSULT) >= 0.8


def test_no_common_valid_word_is_fuzzy_matched_to_abuse() -> None:
    lexicon = build_lexicon()
    lookup = WordLookup(lexicon)
    fuzzy = {"misspelt", "glued", "stretched", "censored"}
    wrong = []
    for word in sorted(lexicon.common):
        resolved = lookup.resolve(word)
        if resolved.how in fuzzy and resolved.kinds & HURTFUL_KINDS:
            wrong.append((word, resolved.how, sorted(resolved.kinds)))
    assert wrong == []
    assert len(lexicon.common) > 50_000  # Dutch and English, from the generated lists


@pytest.mark.parametrize("word", ["negeer", "sluiten", "hersenen", "verdomde", "whole", "dierentuin", "zelfmoord"])
def test_valid_words_that_resemble_slurs_stay_themselves(word: str) -> None:
    assert not (WordLookup(build_lexicon()).resolve(word).kinds & HURTFUL_KINDS), word


def test_misspelt_abuse_that_is_no_word_is_still_found() -> None:
    lookup = WordLookup(build_lexicon())
    for typo, meant in [("klootzk", "klootzak"), ("sukkle", "sukkel"), ("mislukkelng", "mislukkeling")]:
        resolved = lookup.resolve(typo)
        assert resolved.how == "misspelt" and resolved.entries[0].term == meant, typo


def test_the_word_lists_are_generated_data_with_their_source() -> None:
    for lang in ("nl", "en"):
        head = (resources.files("moderation.classify") / "data" / f"words_{lang}.txt").read_text("utf-8")[:300]
        assert "wordfreq==3.1.1" in head and "Zipf" in head
    assert "negeer" in common_words(["nl"]) and "whole" in common_words(["en"])
    assert "sluiten" not in common_words(["en"])  # a school that configures only English gets only English words
