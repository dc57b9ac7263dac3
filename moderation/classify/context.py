"""Context that softens a hurtful word: negation, quotation, counter-speech, and abuse aimed at the speaker.

Every check looks at a bounded neighbourhood (its clause or sentence, at most SCAN words away) through the
per-sentence indexes in `Parsed`, so a 20,000-character message costs linear time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from moderation.classify.hit import Hit
from moderation.classify.language import is_english
from moderation.classify.tokens import Parsed, Token
from moderation.model import Category

OTHER_TARGETS = frozenset({"you", "third", "identity", "person"})
SPEAKER = frozenset({"self", "first"})
NOT_A_TARGET = frozenset({"insult_noun", "slur", "dehum_noun"})  # "you ARE an idiot": the noun is no target
SCAN = 12  # words; how far any context check looks

NEGATED = 0.3
QUOTED = 0.2  # a quoted statement is mostly shown, not meant ('"alle X zijn ratten" is walgelijk')
QUOTED_AIMED = 0.9  # but quoted abuse addressed to a person ('"jij bent een slet," zei hij tegen haar') still hurts
COUNTER_SPEECH = 0.2
REPORTED = 0.9
GAMING = 0.35  # "ik maak je af in fortnite": violence in a game, no threat to a person
SELF_AIMED = 0.25
THING = 0.5
JOKING = 0.5  # "ik vermoord je haha nee grapje": a reviewer need not see it; "geen grapje" keeps it
FOND_TEASING = 0.5  # "je bent zo'n nerd, maar dat is goed": a friend's teasing, not an insult
HYPERBOLE = 0.3  # "mijn vader vermoordt me als ik te laat ben": a figure of speech, not a threat by anyone

# Stems of the killing verbs that Dutch and English use as hyperbole about what family will do to the speaker.
# Hitting is left out on purpose: "mijn vader slaat me" may be a child telling of violence at home.
_HYPERBOLIC_STEMS = ("vermoord", "afma", "doodma", "kill", "murder", "sloop", "slopen")
# The speaker as the object ("... vermoordt me"), never the reflexive ("ik vermoord mezelf": self-harm care).
_SPEAKER_OBJECTS = frozenset({"me", "mij"})
_REFLEXIVE = frozenset({"mezelf", "mijzelf", "myself", "zelf"})
# Who says "... kills me if ..." as hyperbole: family, a coach, a mentor.
_RELATIVES = frozenset(
    [
        "vader",
        "moeder",
        "pa",
        "ma",
        "papa",
        "mama",
        "pap",
        "mam",
        "ouders",
        "broer",
        "zus",
        "zusje",
        "broertje",
        "opa",
        "oma",
        "oom",
        "tante",
        "stiefvader",
        "stiefmoeder",
        "trainer",
        "coach",
        "mentor",
        "dad",
        "mom",
        "mum",
        "mother",
        "father",
        "parents",
        "brother",
        "sister",
    ]
)
DUTCH_SENSE = 0.1  # "ik hang bij de kluisjes": the Dutch word, not the English one
TOPIC = 0.3  # "we hadden het in de klas over de holocaust": a violent act talked about, not done or threatened

# Words after an adjective that are not the noun it describes ("zo dom hoor", "stupid and ...").
_AFTER = frozenset({"na", "after"})
_MILD_INSULTS = frozenset({"insult_noun", "insult_adj"})
_BUT = frozenset({"maar", "but"})
_FOND = frozenset(
    {
        "lief",
        "liefste",
        "schat",
        "schatje",
        "respect",
        "beste",
        "goed",
        "leuk",
        "mooi",
        "slim",
        "chill",
        "grappig",
        "knap",
        "geweldig",
        "love",
        "hou",
        "houden",
        "mis",
        "trots",
        "proud",
        "ster",
        "held",
        "legend",
        "sweet",
    }
)
_NOT_NOUNS = frozenset(
    [
        "lol",
        "haha",
        "hoor",
        "zeg",
        "man",
        "echt",
        "toch",
        "ofzo",
        "joh",
        "gewoon",
        "ook",
        "nog",
        "wel",
        "hè",
        "he",
        "and",
        "en",
        "or",
        "of",
        "to",
        "te",
        "is",
        "was",
        "are",
        "ben",
        "bent",
        "zijn",
        "the",
        "een",
        "a",
        "an",
        "as",
        "als",
        "like",
        "so",
        "zo",
        "too",
        "kan",
        "kunnen",
        "zonder",
        "without",
        "om",
        "for",
        "voor",
        "met",
        "with",
        "in",
        "op",
        "at",
        "on",
        "by",
        "door",
        "dan",
        "than",
        "wordt",
        "worden",
        "can",
        "could",
        "would",
        "will",
        "zal",
        "zou",
        "be",
    ]
)
_PERSON_NOUNS = frozenset({"insult_noun", "slur", "dehum_noun", "compound_tail", "curse"})

_COMPARATIVE = frozenset({"dan", "than", "beter", "better", "anders", "else", "but", "erger", "worse"})
# "isn't it clear ...", "is het niet duidelijk ...": a rhetorical question asserts, it does not negate
_ASSERTING = frozenset({"it", "clear", "obvious", "evident", "duidelijk", "logisch", "zo"})
_SUBORDINATE = frozenset({"dat", "that", "als", "if", "wie", "who", "whether", "of"})
_RHETORICAL = frozenset({"waarom", "why"})
_ASKING = frozenset({"kan", "kun", "kunnen", "wil", "zou", "zouden", "can't", "cant", "won't", "wont"})
# Phrases that are never "about the speaker" merely because the speaker is their subject: a cry for help, a
# threat ("ik blaas de school op": the speaker is the one who would act), and a sexual demand ("stuur me een
# naaktfoto": the speaker is who receives, the one addressed is who is asked).
_ACTS_ON_OTHERS = frozenset({Category.SELF_HARM, Category.THREAT, Category.SEXUAL})
# What counter-speech and reporting look for.
_COUNTER_KINDS = frozenset({"frame", "condemn", "oppose", "permit", "lesson"})
_ABOUT = frozenset({"over", "about"})
# Named in the explanation of a hit told by the one it was aimed at (a reviewer's card says so).
DISCLOSURE_REASON = "told by the one it was aimed at"
# What a student may tell of having been done to them: asked for pictures, threatened.
_DISCLOSED = frozenset({Category.SEXUAL, Category.THREAT})
_SPEAKER_AS_OBJECT = frozenset({"me", "mij", "mijn", "m'n", "mn", "ons", "onze", "my"})
_SPEAKER_AS_SUBJECT = frozenset({"ik", "k", "ikke", "we", "wij", "i"})
# "over" as part of a verb ("als ik niet over ga": pass to the next year) is no "about"
_OVER_AS_VERB = frozenset({"ga", "gaat", "gaan", "ging", "gingen", "doe", "doet", "doen", "kom", "komt"})
_TOPICS_OF_TALK = frozenset({Category.THREAT, Category.DISCRIMINATION})
_PRONOUN_TARGETS = frozenset({"you", "third"})


# An if-clause before the main clause: its negation is part of the condition ("als ik niet over ga, komt er een
# bloedbad op school"), never of what is announced.
CONDITIONS = frozenset({"als", "wanneer", "zodra", "indien", "if", "when", "once"})
# Where the main clause begins after the if-clause: "dan"/"then", or its finite verb before its subject (Dutch puts
# the verb first there: "... komt ER", "... neem IK", "... ben JE").
_MAIN_CLAUSE_OPENERS = frozenset({"dan", "then", "anders"})
_SUBJECTS = frozenset(
    {"ik", "je", "jij", "we", "wij", "hij", "zij", "ze", "er", "u", "jullie", "i", "you", "he", "she", "they"}
)
# Words before a pronoun that are no verb: the pronoun is their object ("als ik niet MET je praat").
_NO_VERB = frozenset(
    {
        *_SUBJECTS,
        *("met", "naar", "voor", "op", "aan", "bij", "tegen", "van", "om", "over", "door", "zonder", "achter", "tot"),
        *("en", "of", "dat", "die", "wat", "waar", "hoe", "niet", "geen", "nooit", "nog", "ook", "al", "zo", "te"),
        *("with", "to", "for", "at", "on", "of", "about", "and", "or", "that", "not", "never", "than", "as"),
    }
)


def _condition_ends_between(parsed: Parsed, negation: int, index: int) -> bool:
    """Whether the negation at `negation` stands in an if-clause that ends before the word at `index`."""
    tokens = parsed.tokens
    clause = tokens[negation].clause
    opened = -1
    for before in range(negation - 1, max(-1, negation - 1 - SCAN), -1):
        if tokens[before].clause != clause:
            break
        if tokens[before].word in CONDITIONS:
            opened = before
            break
    if opened < 0:
        return False
    for main in range(negation + 1, min(index + 1, len(tokens) - 1)):
        word = tokens[main].word
        if word in _MAIN_CLAUSE_OPENERS:
            return True
        if tokens[main + 1].word in _SUBJECTS and word not in _NO_VERB:
            return True
    return False


def negates(parsed: Parsed, index: int) -> bool:
    """Whether the negation word at `index` really negates: "niets dan", "no better than", "nothing but" compare,
    and "why don't we ..." proposes."""
    tokens = parsed.tokens
    after = tokens[index + 1].word if index + 1 < len(tokens) else ""
    if after in _COMPARATIVE or after in _ASSERTING:
        return False
    clause = tokens[index].clause
    if index >= 2 and tokens[index - 2].word in _ASKING and "you" in tokens[index - 1].kinds:
        return False  # "kan je niet gewoon oprotten": a request, not a denial
    for before in range(index - 1, max(-1, index - SCAN), -1):
        if tokens[before].clause != clause:
            break
        if tokens[before].word in _RHETORICAL:
            return False
    return True


def negated_before(parsed: Parsed, index: int, exempt: set[int], reach: int) -> bool:
    """A real negation at most `reach` words before `index`, in its clause and not inside a subordinate clause
    ("isn't it clear THAT ...")."""
    tokens = parsed.tokens
    clause = tokens[index].clause
    for before in range(index - 1, max(-1, index - 1 - reach), -1):
        token = tokens[before]
        if token.clause != clause or token.word in _SUBORDINATE or token.word in _RHETORICAL:
            return False
        if "negation" in token.kinds and before not in exempt and negates(parsed, before):
            return not _condition_ends_between(parsed, before, index)
    return False


def _negated(parsed: Parsed, hit: Hit, exempt: set[int]) -> bool:
    """Right before a noun or adjective ("not stupid"), anywhere earlier in the clause for a verb (Dutch puts it
    far ahead: "ik zou nooit een ... pijn doen"), or just after a verb ("ik haat je niet")."""
    first, last = hit.core
    if negated_before(parsed, first, exempt, SCAN if hit.verb_like else 3):
        return True
    if hit.verb_like:
        tokens = parsed.tokens
        for index in range(last + 1, min(last + 3, len(tokens))):
            token = tokens[index]
            if token.clause == tokens[last].clause and "negation" in token.kinds and index not in exempt:
                return negates(parsed, index)
    return False


def _denied_report(parsed: Parsed, index: int, exempt: set[int]) -> bool:
    """ "Ik heb nooit gezegd dat ...", "you can't seriously believe that ...": the speaker disowns the words."""
    tokens = parsed.tokens
    for frame in parsed.kind_in_sentence(index, "frame"):
        for before in range(max(0, frame - 3), frame):
            token = tokens[before]
            if (
                "negation" in token.kinds
                and before not in exempt
                and negates(parsed, before)
                and not _condition_ends_between(parsed, before, index)
            ):
                return True
    return False


def _refused(parsed: Parsed, index: int) -> bool:
    """ "We mogen niet toestaan dat ...", "never support a politician who ...": the speaker opposes the harm."""
    tokens = parsed.tokens
    for permit in parsed.kind_in_sentence(index, "permit"):
        near = range(max(0, permit - 4), min(len(tokens), permit + 2))
        if any("negation" in tokens[i].kinds for i in near if i != permit):
            return True
    return False


def _has_kind_outside(parsed: Parsed, index: int, kind: str, core: range, whole_message: bool) -> bool:
    having = parsed.message_kinds.get(kind, []) if whole_message else parsed.kind_in_sentence(index, kind)
    return len(having) > len(core) or any(i not in core for i in having)


def soften(parsed: Parsed, hit: Hit, exempt: set[int], at_school: bool = False) -> Hit:
    """Apply negation, quoting, counter-speech and self-directedness to one hit. `exempt`: tokens inside
    templates, whose negations are part of the template's meaning ("has no right to live"). `at_school`: a threat
    against the school itself, which talk of a game never softens (the school is no game)."""
    tokens = parsed.tokens
    kinds = parsed.message_kinds  # each check below needs a word of its kind somewhere in the message
    factor = 1.0
    reasons: list[str] = []
    disclosure = False
    if (
        not hit.negation_is_meaning
        and "negation" in kinds
        and (_negated(parsed, hit, exempt) or _negated_gap(parsed, hit))
    ):
        factor *= NEGATED
        reasons.append("negated")
    if "false_friend" in kinds and _dutch_sense(parsed, hit):
        factor *= DUTCH_SENSE
        reasons.append("an everyday Dutch word")
    quoted = parsed.unquoted < len(tokens) and all(tokens[i].quoted for i in range(hit.first, hit.last + 1))
    if quoted and parsed.unquoted >= 2:
        aimed = any(not tokens[i].kinds.isdisjoint(_PRONOUN_TARGETS) for i in range(hit.first, hit.last + 1))
        factor *= QUOTED_AIMED if aimed else QUOTED
        reasons.append("quoted")
    anchor = hit.core[0]
    if not _COUNTER_KINDS.isdisjoint(kinds):
        core = range(hit.core[0], hit.core[1] + 1)
        frame = _has_kind_outside(parsed, anchor, "frame", core, quoted)
        # "iemand noemde haar een hoer, ik heb het gemeld": the condemning may stand anywhere in the message
        condemn = _has_kind_outside(parsed, anchor, "condemn", core, True)
        oppose = _has_kind_outside(parsed, anchor, "oppose", core, quoted)
        if (
            (frame and condemn)
            or oppose
            or _lesson_topic(parsed, anchor)
            or _denied_report(parsed, anchor, exempt)
            or _refused(parsed, anchor)
        ):
            factor *= COUNTER_SPEECH
            reasons.append("counter-speech")
        elif frame:
            factor *= REPORTED
            reasons.append("reported speech")
            if hit.category in _DISCLOSED and _told_by_target(parsed, anchor):
                disclosure = True
                reasons.append(DISCLOSURE_REASON)
    aims_at_someone = hit.template is not None and "<" in hit.template.term
    if hit.template is not None and not aims_at_someone and hit.category not in _ACTS_ON_OTHERS:
        others = any(
            not (tokens[i].kinds & NOT_A_TARGET) for k in OTHER_TARGETS for i in parsed.kind_in_sentence(anchor, k)
        )
        speaker = any(parsed.kind_in_sentence(anchor, k) for k in SPEAKER)
        if speaker and not others:
            factor *= SELF_AIMED
            reasons.append("about the speaker")
    if hit.category in _TOPICS_OF_TALK and _talked_about(parsed, anchor):
        factor *= TOPIC
        reasons.append("topic of talk")
    criminal = hit.criminal
    if hit.category is Category.THREAT and not at_school and _hyperbole(parsed, hit):
        factor *= HYPERBOLE
        reasons.append("hyperbole")
        criminal = False
    if hit.category is Category.THREAT and not at_school and _joking(parsed):
        factor *= JOKING
        reasons.append("said as a joke")
        criminal = False
    if hit.category is Category.INSULT and _teased_fondly(parsed, hit):
        factor *= FOND_TEASING
        reasons.append("fond teasing")
    if hit.category is Category.THREAT and talks_of_a_game(parsed) and not at_school:
        factor *= GAMING
        reasons.append("gaming talk")
        criminal = False  # a game is no crime, however it is put
    if factor == 1.0:
        return hit
    return replace(
        hit,
        score=hit.score * factor,
        reasons=hit.reasons + tuple(reasons),
        softening=hit.softening * factor,
        criminal=criminal,
        disclosure=disclosure,
    )


def _told_by_target(parsed: Parsed, index: int) -> bool:
    """ "hij vroeg me om nudes te sturen", "ze zei dat ze me gaat afmaken": someone else's words, and the writer is
    the one they were aimed at. Not when the writer said them ("ik vroeg haar om nudes"), and not when someone is
    addressed ("hij vroeg me om jouw nudes")."""
    tokens = parsed.tokens
    start, end = parsed.sentence_of(index)
    words = [t.word for t in tokens[start:end]]
    if not _SPEAKER_AS_OBJECT.intersection(words) or parsed.kind_in_sentence(index, "you"):
        return False
    for frame in parsed.kind_in_sentence(index, "frame"):
        near = range(max(start, frame - 2), min(end, frame + 2))
        if any(tokens[i].word in _SPEAKER_AS_SUBJECT for i in near):
            return False
    return True


def _talked_about(parsed: Parsed, index: int) -> bool:
    """The word is what the sentence talks about ("over de moord op ...", "a lesson about the genocide"), and the
    sentence addresses or names no one it could be aimed at."""
    tokens = parsed.tokens
    sentence = tokens[index].sentence
    start = max(0, index - SCAN)
    if not any(
        tokens[i].word in _ABOUT and tokens[i].sentence == sentence and tokens[i + 1].word not in _OVER_AS_VERB
        for i in range(start, index)
    ):
        return False
    return not any(parsed.kind_in_sentence(index, kind) for kind in _PRONOUN_TARGETS)


def _dutch_sense(parsed: Parsed, hit: Hit) -> bool:
    """ "ik hang bij de kluisjes", "hang je jas op": an English word of the lexicon that is an everyday Dutch word
    too, in a Dutch sentence."""
    tokens = parsed.tokens
    core = tokens[hit.core[0] : hit.core[1] + 1]
    if hit.template is not None or not any("false_friend" in t.kinds for t in core):  # "ik hang mezelf op"
        return False
    start, end = parsed.sentence_of(hit.core[0])
    return not is_english(t.word for t in tokens[start:end])


def _lesson_topic(parsed: Parsed, index: int) -> bool:
    """ "de gastles ging over wat je doet als iemand om nudes vraagt": the word is what a lesson was about. Not
    when a statement is made of it after "over" ("de voorlichting over pesten was saai, jij bent ...", "... wat
    een hoer is die juf") or no "over" ties them ("na de gastles stuur ik je ...")."""
    tokens = parsed.tokens
    lessons = [i for i in parsed.kind_in_sentence(index, "lesson") if i < index]
    if not lessons:
        return False
    abouts = [i for i in range(lessons[0] + 1, index) if tokens[i].word in _ABOUT]
    if not abouts:
        return False
    end = parsed.sentence_of(index)[1]
    clause_end = next((i for i in range(index, end) if tokens[i].clause != tokens[index].clause), end)
    return not any("copula" in tokens[i].kinds for i in range(abouts[0] + 1, clause_end))


def _joking(parsed: Parsed) -> bool:
    """ "ik vermoord je haha nee grapje": the writer says it is a joke, and does not deny it ("dit is geen grap")."""
    return _said_and_not_denied(parsed, "joke")


def _teased_fondly(parsed: Parsed, hit: Hit) -> bool:
    """ "je bent zo'n nerd, maar dat is goed", "hij is een sukkel met die grappen, maar wel lief": a mild name for
    someone taken back in the same sentence by something fond. Slurs and curse compounds are never mild."""
    tokens = parsed.tokens
    core = tokens[hit.core[0]]
    if not core.kinds & _MILD_INSULTS or "slur" in core.kinds or core.how == "compound" or hit.template is not None:
        return False
    end = parsed.sentence_of(hit.last)[1]
    after = [t.word for t in tokens[hit.last + 1 : min(end, hit.last + 1 + SCAN)]]
    for at, word in enumerate(after):
        if word in _BUT:
            return not _FOND.isdisjoint(after[at + 1 : at + 6])
    return False


def talks_of_a_game(parsed: Parsed) -> bool:
    """A game word that is not denied ("dat is geen spel" says the threat is meant) and is not the time after
    which something will happen ("na de training sla ik je")."""
    return _said_and_not_denied(parsed, "gaming", _AFTER)


def _said_and_not_denied(parsed: Parsed, kind: str, also_not_after: frozenset[str] = frozenset()) -> bool:
    """A word of `kind` with no negation (nor a word of `also_not_after`) in the two words before it."""
    tokens = parsed.tokens
    return any(
        not any("negation" in t.kinds or t.word in also_not_after for t in tokens[max(0, i - 2) : i])
        for i in parsed.message_kinds.get(kind, ())
    )


def _negated_gap(parsed: Parsed, hit: Hit) -> bool:
    """A negation inside a template's gap: "je bent NIET alleen" is support, not "<you> bent * alleen"."""
    tokens = parsed.tokens
    return any("negation" in tokens[i].kinds and negates(parsed, i) for i in hit.gaps)


def intensifies(parsed: Parsed, index: int) -> bool:
    """A curse right before a word that is neither a person nor a person-noun works as "very"."""
    tokens = parsed.tokens
    if index + 1 >= len(tokens) or tokens[index + 1].sentence != tokens[index].sentence:
        return False
    following = tokens[index + 1].kinds
    return not (following & (OTHER_TARGETS | _PERSON_NOUNS)) and tokens[index + 1].word not in _NOT_NOUNS


def modifies_thing(tokens: Sequence[Token], first: int, last: int, target: Token | None) -> bool:
    """ "een idioot idee", "a shitty apartment": an adjective right before an unknown noun describes that thing."""
    following = tokens[last + 1] if last + 1 < len(tokens) else None
    if following is None or following.kinds or following.word in _NOT_NOUNS or len(following.word) < 3:
        return False
    if following.sentence != tokens[last].sentence:
        return False
    return target is None or abs(target.index - first) > 1


def _hyperbole(parsed: Parsed, hit: Hit) -> bool:
    """ "Mijn moeder vermoordt me als ...", "my mom is gonna kill me": a relative, a killing verb and the speaker
    as its object in one sentence, and nobody addressed."""
    tokens = parsed.tokens
    first, last = hit.core
    if not any(e.term.startswith(_HYPERBOLIC_STEMS) for i in range(first, last + 1) for e in tokens[i].entries):
        return False
    start, end = parsed.sentence_of(first)
    words = {tokens[i].word for i in range(start, end)}
    if parsed.kind_in_sentence(first, "you") or not words.isdisjoint(_REFLEXIVE):
        return False
    return not words.isdisjoint(_SPEAKER_OBJECTS) and not words.isdisjoint(_RELATIVES)
