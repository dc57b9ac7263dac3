"""How the text tier reads censored and split words back: the likeliest word by how common it is."""

from __future__ import annotations

import pytest

from moderation.classify.lexicon import build_lexicon
from moderation.classify.lookup import FAR_LIKELIER, HURTFUL_KINDS, MAX_CENSORED_READS, WordLookup
from moderation.classify.text_tier import TextTier
from moderation.model import Category


@pytest.fixture(scope="module")
def lookup() -> WordLookup:
    return WordLookup(build_lexicon())


@pytest.mark.parametrize(
    ("censored", "word"),
    [("sl*iten", "sluiten"), ("w*fi", "wifi"), ("n*et", "niet"), ("sl*m", "slim"), ("h*iswerk", "huiswerk")],
)
def test_a_censored_ordinary_word_is_read_as_that_word(lookup: WordLookup, censored: str, word: str) -> None:
    resolved = lookup.resolve(censored)
    assert resolved.term == word and resolved.how == "censored"
    assert not resolved.kinds & HURTFUL_KINDS


@pytest.mark.parametrize(
    ("censored", "word"), [("h*er", "hoer"), ("sl*t", "slet"), ("k*nker", "kanker"), ("k*t", "kut"), ("e*kel", "eikel")]
)
def test_a_hurtful_fit_wins_unless_an_ordinary_word_is_far_likelier(
    lookup: WordLookup, censored: str, word: str
) -> None:
    # hier, slot, kat and enkel fit too and are more common, but not a hundred times as common
    resolved = lookup.resolve(censored)
    assert resolved.term == word and resolved.kinds & HURTFUL_KINDS
    assert lookup.zipf("hier") < lookup.zipf("hoer") + FAR_LIKELIER


def test_a_word_common_lists_lack_counts_as_rare(lookup: WordLookup) -> None:
    assert lookup.zipf("qqqzz") < 2.5 <= lookup.zipf("negeer")


def test_censored_words_are_read_back_at_most_so_many_per_message() -> None:
    lookup = WordLookup(build_lexicon())  # its own: a word read back once is cached
    lookup.limit_fuzzy(10_000)
    letters = "bcdfghjklmnp"
    first = [f"q{a}*{b}qz" for a in letters for b in letters][:MAX_CENSORED_READS]  # none fits: each costs a read
    for word in first:
        lookup.resolve(word)
    assert lookup.resolve("w*fi").term == ""  # over the cap: read as nothing ...
    lookup.limit_fuzzy(10_000)
    assert lookup.resolve("w*fi").term == "wifi"  # ... for this message only


@pytest.mark.parametrize("pair", [("wat", "je"), ("op", "en"), ("in", "de"), ("nu", "de")])
def test_two_words_far_likelier_side_by_side_stay_two(lookup: WordLookup, pair: tuple[str, str]) -> None:
    assert not lookup.splits_insult(*pair)


def test_an_insult_split_on_purpose_is_still_one(lookup: WordLookup) -> None:
    assert lookup.splits_insult("los", "er") and lookup.splits_insult("eik", "el")
    assert lookup.splits_insult("kut", "wijf")  # a curse and a noun: an insult either way


def test_a_split_reading_does_not_invent_an_insult(tier: TextTier) -> None:
    assert tier.classify("weet je wat je moet doen").score(Category.INSULT) == 0.0  # not "watje"
    assert tier.classify("wat je zegt klopt").score(Category.INSULT) == 0.0
    assert tier.classify("ik heb die van lotte al, nu de jouwe").score(Category.SEXUAL) == 0.0  # not "nude"
    assert tier.classify("kank er op jij").score(Category.INSULT) >= 0.8
    assert tier.classify("jij bent een eik el").score(Category.INSULT) >= 0.8
    assert tier.reading("we gaan op en neer, wat je ook zegt") == "we gaan op en neer, wat je ook zegt"
    assert tier.reading("jij bent een los er") == "jij bent een loser"
    assert tier.reading("ik ben gestoken door een wesp en ik") == "ik ben gestoken door een wesp en ik"


@pytest.mark.parametrize("spelling", ["k*nker", "k#nker", "k_nker", "k-nker"])
def test_stars_hashes_underscores_and_hyphens_inside_a_word_censor_it(tier: TextTier, spelling: str) -> None:
    assert tier.classify(f"{spelling} op jij").score(Category.INSULT) >= 0.8
    assert tier.reading(f"{spelling} op jij") == "kanker op jij"


def test_censored_harmless_words_read_as_themselves(tier: TextTier) -> None:
    assert tier.reading("ze gaan de school sl*iten") == "ze gaan de school sluiten"
    assert tier.reading("homo's zijn n*et vies") == "homo's zijn niet vies"
    assert tier.classify("mijn w*fi doet het n*et").score(Category.INSULT) == 0.0
    assert tier.reading("stuur een e-mail, #tk2021 _vet_") == "stuur een email, tk2021 vet"
    assert tier.reading("het n-woord, account lieke_lelijk") == "het n-woord, account lieke lelijk"  # no censoring
    assert tier.reading("k4nk3r k@nker") == "kanker kanker"  # leetspeak @ is still an a


def test_a_censored_word_of_a_template_wins_over_a_likelier_ordinary_one(tier: TextTier) -> None:
    assert tier.classify("hou je b*k nou eens").score(Category.INSULT) >= 0.8  # "bek", though "bak" is likelier
    assert tier.reading("hou je b*k nou eens") == "hou je bek nou eens"
