"""The text tier per category, in Dutch and English, with the context that must not be flagged.

Every sentence here is written for these tests (none comes from the evaluation suites)."""

from __future__ import annotations

import pytest

from moderation.classify.lexicon import build_lexicon
from moderation.classify.lookup import MAX_CENSORED_READS, WordLookup
from moderation.classify.text_tier import FUZZY_BUDGET, TextTier
from moderation.model import ABUSE_CATEGORIES, Category

CLEAR = 0.8  # a clear case scores at least this
CLEAN = 0.3  # a clean message scores at most this


def top(tier: TextTier, text: str) -> tuple[Category | None, float]:
    result = tier.classify(text)
    category, score = max(result.scores, key=lambda cs: cs[1])
    return (category if score > 0 else None), score


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # insult
        ("jij bent echt een vieze klootzak", Category.INSULT),
        ("wat ben jij een sukkel zeg", Category.INSULT),
        ("hou je bek", Category.INSULT),
        ("tyfus op man", Category.INSULT),  # any disease curse + 'op', not only 'kanker op'
        ("tering op jij", Category.INSULT),
        ("je bent zo dom en lelijk", Category.INSULT),
        ("you are such a pathetic loser", Category.INSULT),
        ("ur a worthless idiot", Category.INSULT),
        # Dutch disease curses and compounds
        ("kankerlijer", Category.INSULT),
        ("hey tyfushoer kom eens hier", Category.INSULT),
        ("teringlijers zijn jullie", Category.INSULT),
        ("kanker op man", Category.INSULT),
        ("krijg de tering", Category.THREAT),
        # harassment / exclusion
        ("niemand wil jou erbij", Category.HARASSMENT),
        ("jij hoort er gewoon niet bij", Category.HARASSMENT),
        ("iedereen haat je", Category.HARASSMENT),
        ("nobody likes you, leave the group", Category.HARASSMENT),
        # threat
        ("ik maak je af", Category.THREAT),
        ("ik weet waar jij woont", Category.THREAT),
        ("wacht maar tot na school", Category.THREAT),
        ("ga dood", Category.THREAT),
        ("kys", Category.THREAT),
        ("i will kill you tomorrow", Category.THREAT),
        ("ik ga hem morgen in elkaar slaan", Category.THREAT),
        # discrimination / identity attack
        ("alle moslims zijn ratten", Category.DISCRIMINATION),
        ("ik haat homo's", Category.DISCRIMINATION),
        ("vluchtelingen zijn een plaag", Category.DISCRIMINATION),
        ("vieze flikker", Category.DISCRIMINATION),
        ("immigrants are vermin", Category.DISCRIMINATION),
        ("gay people have no right to live", Category.DISCRIMINATION),
        # sexual
        ("stuur me je nudes", Category.SEXUAL),
        ("ik wil je neuken", Category.SEXUAL),
        ("send nudes now", Category.SEXUAL),
        # self-harm
        ("ik wil dood, ik kan niet meer", Category.SELF_HARM),
        ("sometimes i just want to kill myself", Category.SELF_HARM),
        ("ik snijd mezelf soms als het thuis misgaat", Category.SELF_HARM),
        ("soms denk ik dat ik mezelf iets aan ga doen", Category.SELF_HARM),
        ("ik doe mezelf echt iets aan", Category.SELF_HARM),
        ("ik wil er gewoon een einde aan maken", Category.SELF_HARM),
    ],
)
def test_clear_cases_score_high_in_their_category(tier: TextTier, text: str, category: Category) -> None:
    result = tier.classify(text)
    assert result.score(category) >= CLEAR, (text, result.scores, result.evidence)
    assert result.evidence, text


@pytest.mark.parametrize(
    "text",
    [
        "wie heeft het huiswerk van wiskunde?",
        "mijn oma heeft kanker, ik ben er verdrietig van",
        "de strijd tegen tyfus in de negentiende eeuw",
        "de drummer sloeg op het bekken",
        "waar is de asbak",
        "Anita komt morgen ook",
        "ik haat maandagen",
        "I hate broccoli",
        "dat was een moeilijke toets",
        "moslims vieren het suikerfeest",
        "my friend is gay and proud",
        "de leraar vroeg of we de nieuwe vluchtelingen welkom willen heten",
        "ik ben zo'n sukkel, mijn sleutels vergeten",
        "I'm such an idiot sometimes",
        "shit, ik ben te laat",
        "damn that was a good game",
        "jouw fiets is echt lelijk geworden",  # a possessive: the bike is ugly, not the person
        "dat is echt kut",  # 'kut' as an adjective: crappy
        "jij bent kk grappig",  # 'kk' (kanker) as teen slang for 'very'
        "kanker mooi dit",
        "jij bent echt kanker goed in voetbal",  # the slang intensifier is praise
        "de kat keek op",
        "",
        "😂😂😂",
        "👍",
    ],
)
def test_clean_messages_score_low(tier: TextTier, text: str) -> None:
    category, score = top(tier, text)
    assert score <= CLEAN, (text, category, score, tier.classify(text).evidence)


@pytest.mark.parametrize(
    "text",
    [
        # negation
        "jij bent helemaal niet dom",
        "ik haat je niet hoor",
        "ik zou nooit iemand pijn doen",
        "gay people are not disgusting",
        # counter-speech: quoted and reported in order to condemn
        'berichten als "alle moslims zijn ratten" rapporteer ik meteen',
        "stop met mensen flikker te noemen, dat is kwetsend",
        "saying that women are stupid is unacceptable",
        "we mogen niet toestaan dat vluchtelingen worden aangevallen",
        # a school's advice on what to do with what one receives
        "wie een naaktfoto van een klasgenoot ontvangt, stuurt die niet door en meldt het",
        "hij ontving berichten waarin ze hem een vieze homo noemden, hij meldde het bij de mentor",
    ],
)
def test_negation_and_counter_speech_are_not_flagged(tier: TextTier, text: str) -> None:
    category, score = top(tier, text)
    assert score < 0.5, (text, category, score, tier.classify(text).evidence)


def test_evasions_are_caught(tier: TextTier) -> None:
    for text in ["k4nk3rl1jer", "k a n k e r l i j e r", "kаnkеrlijеr", "jij bent een kl00tz4k", "kuuuuutwijf"]:
        category, score = top(tier, text)
        assert score >= CLEAR, (text, category, score)


def test_a_stretched_curse_is_still_a_curse(tier: TextTier) -> None:
    # The normaliser leaves two letters (kuuuut -> kuut); the look-up must still find the curse 'kut'.
    for text in ["kuuuut jij", "jij kuuuut", "kaaankerrr jij"]:
        category, score = top(tier, text)
        assert category is Category.INSULT and score >= CLEAR, (text, category, score)
    assert top(tier, "kuuuut, mijn fiets is weer stuk")[1] < 0.5  # swearing at a bike is no insult


def test_a_stretched_last_letter_does_not_hide_a_threat(tier: TextTier) -> None:
    for text in ["ik maak je afff", "ikk weet waar je woonttt", "wacht maar na schoolll", "kill yourselfff"]:
        category, score = top(tier, text)
        assert category is Category.THREAT and score >= CLEAR, (text, category, score)
    assert top(tier, "ik maak mijn huiswerk afff")[1] < 0.5


def test_gay_thrown_at_a_person_is_a_borderline_insult_saying_it_of_yourself_is_not(tier: TextTier) -> None:
    for text in ["jij bent echt zo gay", "wat ben jij gay zeg"]:
        category, score = top(tier, text)
        assert category is Category.INSULT and score == pytest.approx(0.6), text  # the default insult threshold
    for text in ["ik ben gay en trots", "ben jij ook gay?"]:
        assert top(tier, text)[1] < 0.5, text


def test_evidence_quotes_the_original_text(tier: TextTier) -> None:
    result = tier.classify("1k m44k j3 af")
    assert result.evidence[0].explanation == "threat pattern 'ik maak je af' in '1k m44k j3 af'"
    assert result.evidence[0].category is Category.THREAT


def test_concrete_threat_is_marked_criminal(tier: TextTier) -> None:
    result = tier.classify("ik maak je af")
    assert any(e.criminal for e in result.evidence)
    assert not any(e.criminal for e in tier.classify("jij bent een sukkel").evidence)


def test_sexual_content_about_a_child_is_criminal(tier: TextTier) -> None:
    result = tier.classify("stuur naaktfoto's van dat kind")
    assert result.score(Category.SEXUAL) >= CLEAR
    assert any(e.criminal for e in result.evidence)


def test_scores_cover_every_abuse_category_in_range(tier: TextTier) -> None:
    for text in ["", "hallo", "jij bent een kankerlijer", "ik maak je af"]:
        result = tier.classify(text)
        assert [c for c, _ in result.scores] == list(ABUSE_CATEGORIES)
        assert all(0.0 <= v <= 1.0 for _, v in result.scores)


def test_borderline_is_in_the_middle(tier: TextTier) -> None:
    # A bare insult word inside a longer sentence, aimed at no one in particular.
    _, score = top(tier, "die hele situatie met de klootzak van de overkant was raar gisteren")
    assert 0.3 <= score <= 0.6


def test_a_long_message_is_judged_whole_in_overlapping_parts(tier: TextTier) -> None:
    text = "hallo allemaal " * 4_000 + "jij bent een kankerlijer"  # 60,000 characters
    result = tier.classify(text)
    assert result.note == "judged in 34 overlapping parts"
    assert result.score(Category.INSULT) >= CLEAR  # past the first 20,000 characters, and still found


def test_a_huge_message_is_judged_up_to_a_bound_and_says_so(tier: TextTier) -> None:
    result = tier.classify("hallo allemaal " * 70_000 + "jij bent een kankerlijer")
    assert result.note.startswith("judged the first 131,072 of 1,050,024 visible characters")
    assert max(v for _, v in result.scores) == 0.0  # the insult lies past the bound, and the note says so
    head = tier.classify("jij bent een kankerlijer " + "hallo allemaal " * 70_000)
    assert head.score(Category.INSULT) >= CLEAR


@pytest.mark.parametrize("pad", ["\u00ad", "\u200b", "\u2060", "\ufeff"])
def test_invisible_padding_cannot_push_an_insult_out_of_reach(tier: TextTier, pad: str) -> None:
    result = tier.classify(pad * 20_000 + "jij bent een kankerlijer")  # 40 KB, as Synapse accepts it
    assert result.score(Category.INSULT) >= CLEAR and result.note == ""
    assert "in 'jij bent een kankerlijer'" in result.evidence[0].explanation


def test_hostile_text_is_judged_with_bounded_work(tier: TextTier) -> None:
    noise = " ".join(f"q{i}x{i % 7}z" for i in range(9_000))  # thousands of new, unusual words
    assert tier.classify(noise).score(Category.INSULT) == 0.0
    later = tier.classify("jij bent een klootzk")  # the next message still gets the full fuzzy look-up
    assert later.score(Category.INSULT) >= CLEAR
    letters = "abcdefghijklmnopqrstuvwxyz"
    lines = [f"jij bent een sukkel q{letters[i % 26]}{letters[i // 26 % 26]}. " for i in range(2_700)]
    dense = tier.classify("".join(lines))  # 66,000 characters, no part like another, abuse in every one
    assert dense.score(Category.INSULT) >= CLEAR and "hurtful passages found" in dense.note


def test_a_message_of_censored_words_reads_back_only_so_many(tier: TextTier) -> None:
    letters = "abcdefghijklmnopqrstuvwxyz"
    censored = " ".join(f"q{letters[i % 26]}*{letters[i // 26 % 26]}x" for i in range(2 * MAX_CENSORED_READS))
    assert tier.classify(f"{censored} k*nker op jij").score(Category.INSULT) == 0.0  # past the cap
    assert tier.classify("k*nker op jij").score(Category.INSULT) >= CLEAR  # the next message reads it


def _unusual_words(count: int, seed: str) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return " ".join(f"q{seed}{letters[i % 26]}{letters[i // 26 % 26]}w" for i in range(count))


@pytest.mark.parametrize(
    ("tail", "category"),
    [
        ("jij bent een k-lootzak", Category.INSULT),
        ("wat een k.l.o.o.t.z.a.k", Category.INSULT),
        ("ik maak je a f", Category.THREAT),
        ("stuur me een e-mail", None),
        ("ik heb het gemeld, de mentor weet het", None),
    ],
)
def test_split_words_are_still_joined_once_a_messages_fuzzy_budget_is_spent(
    tier: TextTier, tail: str, category: Category | None
) -> None:
    noise = _unusual_words(2 * FUZZY_BUDGET, seed=tail[:3].replace(" ", "x"))  # spends the budget first
    found, _ = top(tier, f"{noise}. {tail}")
    assert found is category


def test_a_spent_budget_reads_words_as_the_full_look_up_does_then() -> None:
    lookup = WordLookup(build_lexicon())
    lookup.limit_fuzzy(3)
    for word in _unusual_words(5, seed="b").split():
        lookup.resolve(word)
    assert lookup.settled()
    words = ["klootzak", "kankerlijer", "sukkels", "huiswerk", "negeer", "qbzzw", "x" * 50, "lootzak", "dood"]
    plain = {word: lookup.resolve_settled(word) for word in words}
    assert plain == {word: lookup.resolve(word) for word in words}
    nothing = lookup.read_as_nothing(words)
    assert "qbzzw" in nothing and not {"klootzak", "huiswerk", "dood"} & nothing
    assert all(not plain[word].entries for word in nothing)


def test_bad_input_gives_a_clear_result(tier: TextTier) -> None:
    for text in ["\ud800\udfff", "\x00\x01\x02", "🤬🤬🤬", "тыдурак", "日本語のテキスト", "مرحبا kut"]:
        result = tier.classify(text)
        assert all(0.0 <= v <= 1.0 for _, v in result.scores)


def score_of(tier: TextTier, text: str, category: Category) -> float:
    return tier.classify(text).score(category)


@pytest.mark.parametrize(
    "text",
    [
        "ik ga dood van de hitte in de gymzaal",  # what the speaker feels, not a wish
        "ik sterf van de honger, wanneer is het pauze",
        "in dat toneelstuk gaat de koning dood aan het eind",  # "dood aan" needs someone it is aimed at
        "ik wacht na school op je bij de fietsen",  # a time and a person: a meeting as often as a threat
        "ik maak je kapot in tekken vanavond",  # a game
    ],
)
def test_everyday_talk_of_dying_meeting_and_games_is_no_threat(tier: TextTier, text: str) -> None:
    result = tier.classify(text)
    assert result.score(Category.THREAT) < 0.5
    assert not any(e.criminal for e in result.evidence)


@pytest.mark.parametrize(
    "text",
    ["ga dood", "ik zeg het nog één keer: ga dood", "dood aan alle moslims", "na school steek ik je neer"],
)
def test_the_same_words_as_a_wish_or_threat_still_count(tier: TextTier, text: str) -> None:
    assert score_of(tier, text, Category.THREAT) >= CLEAR


def test_talk_of_a_game_never_softens_a_threat_against_the_school(tier: TextTier) -> None:
    result = tier.classify("na het gamen neem ik morgen een mes mee naar school")
    assert result.score(Category.THREAT) >= CLEAR
    assert any(e.criminal for e in result.evidence)


def test_laughter_softens_only_the_weak_self_harm_phrase(tier: TextTier) -> None:
    assert score_of(tier, "ik kan niet meer 😂 die video", Category.SELF_HARM) < 0.5
    assert score_of(tier, "ik kan niet meer haha", Category.SELF_HARM) < 0.5
    assert score_of(tier, "ik kan niet meer", Category.SELF_HARM) >= 0.5
    assert score_of(tier, "ik ben het leven zat 😂", Category.SELF_HARM) >= CLEAR
    assert score_of(tier, "ik wil dood haha", Category.SELF_HARM) >= CLEAR


@pytest.mark.parametrize(
    "text",
    ["jij bent een sukkel, ik zweer het", "jij bent echt een sukkel i swear", "jij bent echt een sukkel b212"],
)
def test_the_subject_of_is_is_the_target_whoever_is_named_after_it(tier: TextTier, text: str) -> None:
    assert score_of(tier, text, Category.INSULT) >= CLEAR


def test_the_speaker_who_calls_themselves_names_still_is_not_bullied(tier: TextTier) -> None:
    assert score_of(tier, "ik ben zo een sukkel, jij niet", Category.INSULT) < CLEAN


@pytest.mark.parametrize(
    "text", ["doe je shirt uit voor het douchen", "jullie moeten na de gymles douchen", "je doucht te lang"]
)
def test_a_dutch_ending_on_an_english_insult_makes_the_dutch_word(tier: TextTier, text: str) -> None:
    # "douche" is an English insult; "douchen" and "douchet" are to shower
    assert top(tier, text)[1] <= CLEAN


@pytest.mark.parametrize("text", ["jullie zijn echt douches", "wat een stelletje retards", "jij bent een douche"])
def test_an_english_insult_keeps_its_english_endings(tier: TextTier, text: str) -> None:
    assert top(tier, text)[0] is Category.INSULT


@pytest.mark.parametrize(
    "text",
    [
        "de gastles ging over wat je moet doen als iemand om naaktfoto's vraagt",
        "in de mentorles hadden we het over wat je doet als iemand nudes vraagt",
        "de workshop ging over sexting en wat je doet als iemand je foto doorstuurt",
        "the lesson was about why you should never call someone a slut",
    ],
)
def test_what_a_lesson_was_about_is_no_abuse(tier: TextTier, text: str) -> None:
    assert top(tier, text)[1] <= CLEAN


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("na de gastles stuur ik je een dickpic", Category.SEXUAL),
        ("de voorlichting over pesten was saai, jij bent een kankerhoer", Category.INSULT),
        ("de gastles over pesten, wat een kankerhoer is die juf", Category.INSULT),
        ("de spreekbeurt over de holocaust: joden moeten vergast worden", Category.DISCRIMINATION),
    ],
)
def test_abuse_beside_a_lesson_is_still_abuse(tier: TextTier, text: str, category: Category) -> None:
    found, score = top(tier, text)
    assert found is category and score >= 0.7


def disclosed(tier: TextTier, text: str) -> bool:
    evidence = tier.classify(text).evidence
    return bool(evidence) and evidence[0].disclosure


@pytest.mark.parametrize(
    "text",
    [
        "hij vroeg me om nudes te sturen",
        "een jongen uit 3c vraagt me steeds om naaktfoto's",
        "gisteren vroeg hij me of ik foto's in mijn ondergoed wilde sturen",
        "ze zei dat ze me gaat afmaken na school",
    ],
)
def test_a_student_telling_what_was_asked_of_or_threatened_to_them_is_a_disclosure(tier: TextTier, text: str) -> None:
    assert top(tier, text)[1] >= 0.5  # a reviewer must see it
    assert disclosed(tier, text)


@pytest.mark.parametrize(
    "text",
    [
        "ik vroeg haar om nudes te sturen",  # the writer asked
        "hij vroeg me om jouw nudes te sturen",  # someone addressed is the one it is about
        "hij zei dat ik je moet afmaken",
        "stuur me nudes",
    ],
)
def test_the_writer_asking_or_threatening_is_no_disclosure(tier: TextTier, text: str) -> None:
    assert top(tier, text)[1] >= 0.5 and not disclosed(tier, text)


@pytest.mark.parametrize(
    "text",
    ["hang je jas aan de kapstok", "ik hang bij de kluisjes, kom je?", "hij haalde cum laude", "ik maak een beat"],
)
def test_an_english_word_that_is_an_everyday_dutch_word_is_the_dutch_one_in_dutch(tier: TextTier, text: str) -> None:
    assert top(tier, text)[1] <= CLEAN


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("i will hang you", Category.THREAT),
        ("they should hang all of them", Category.THREAT),
        ("die gast moeten ze hangen", Category.THREAT),
        ("jij bent een douche", Category.INSULT),
    ],
)
def test_the_english_word_in_english_or_the_dutch_threat_still_counts(
    tier: TextTier, text: str, category: Category
) -> None:
    found, score = top(tier, text)
    assert found is category and score >= CLEAR
