"""Weapons and the school: a weapon and the school in one sentence, violence aimed at the school, a weapon the
speaker brings on a condition. Safety first: these reach a reviewer even where no one is named."""

from __future__ import annotations

from moderation.classify.context import CONDITIONS, SPEAKER, talks_of_a_game
from moderation.classify.hit import Hit
from moderation.classify.tokens import Parsed
from moderation.model import Category

SCHOOL_THREAT = 0.95  # the speaker brings a weapon to school, or attacks the school: critical, to leadership
WEAPON_AT_SCHOOL = 0.6  # a weapon and the school in one sentence, nobody says they bring it: a reviewer looks
# "als ik morgen niet mag meedoen, neem ik een mes mee": the speaker brings a weapon if something happens; no place is
# named, so it is no crime by itself, but a reviewer must look (safety first)
CONDITIONAL_WEAPON = 0.6
_OTHERWISE = frozenset({"anders", "otherwise", "or", "tenzij", "unless"})
# "na school", "tot na school", "uit school": when, not where; "voor school" as in "before school" likewise.
_SCHOOL_AS_TIME = frozenset({"na", "voor", "uit", "after", "before"})
# The speaker as the one who acts; "mijn school", "onze school" only say whose school it is.
_SPEAKER_AS_SUBJECT = frozenset({"ik", "ikke", "k", "wij", "we", "i", "i'm", "im", "i'll", "we're", "we'll"})
_CLASSES = frozenset({"klas", "klassen"})
_OTHERS = ("you", "third", "person")  # someone other than the speaker, named in the sentence
# What a knife or an axe is taken along for: "als we gaan kamperen neem ik mijn zakmes mee" names a time and an
# outing, not a condition someone must meet. Only where nobody else is named in the sentence ("als hij weer begint
# neem ik mijn mes mee op kamp" stays a threat) and no school (a knife "voor de kookles" goes to the school rule).
_TOOL_USES = (
    frozenset({"kamperen", "kamp", "kampvuur", "tent", "camping", "scouting", "hiken", "trektocht", "survival"})
    | frozenset({"wandelen", "wandeltocht", "bos", "vissen", "hengel", "hengelen", "karpervissen"})
    | frozenset({"koken", "keuken", "barbecue", "barbecueen", "barbecueën", "bbq", "picknick", "picknicken"})
    | frozenset({"houtsnijden", "snijwerken", "hout", "klussen", "tuin", "snoeien"})
    | frozenset({"camp", "fishing", "cooking", "hiking", "woods"})
)

# With a weapon, a lesson or a member of staff names the school as well as the building does ("ik breng mijn mes
# mee naar de wiskundeles", "een mes voor de mentor"); lessons where a knife is a tool are not among them.
_STAFF = (
    frozenset({"leraar", "lerares", "leraren", "docent", "docente", "docenten", "mentor", "mentoren", "mentrix"})
    | frozenset({"conciërge", "concierge", "directeur", "directrice", "rector", "teamleider", "juf"})
    | frozenset({"les", "lessen", "teacher", "teachers"})
)
_TOOL_LESSONS = frozenset({"kookles", "kooklessen", "techniekles", "handvaardigheidles", "tekenles", "knutselles"})
_STAFF_ENDINGS = ("leraar", "lerares", "docent")
# A kitchen or pocket knife in the schoolbag or the locker for a lesson that uses it ("mijn mes voor de kookles zit
# in mijn schooltas") is a tool, where nobody else is named and no violence is said; a gun never is.
_KNIVES = frozenset({"mes", "mesje", "messen", "keukenmes", "zakmes", "knife"})


def _is_lesson_or_staff(word: str) -> bool:
    if word in _STAFF:
        return True
    if word in _TOOL_LESSONS:
        return False
    return (len(word) > 6 and word.endswith("les")) or word.endswith(_STAFF_ENDINGS)


def _a_tool_for_a_lesson(parsed: Parsed, sentence: int, weapons: list[int]) -> bool:
    kinds = parsed.sentence_kinds[sentence]
    if any(k in kinds for k in _OTHERS) or not all(parsed.tokens[i].word in _KNIVES for i in weapons):
        return False
    start, end = parsed.sentence_bounds[sentence]
    return any(parsed.tokens[i].word in _TOOL_LESSONS | _TOOL_USES for i in range(start, end))


def _lessons_and_staff(parsed: Parsed, sentence: int) -> list[int]:
    start, end = parsed.sentence_bounds[sentence]
    return [i for i in range(start, end) if _is_lesson_or_staff(parsed.tokens[i].word)]


def conditional_weapons(parsed: Parsed) -> list[Hit]:
    """The speaker says they will bring a weapon on a condition ("als ..., neem ik een mes mee", "... anders neem ik
    een mes mee"), with no school named (the school rule reads those)."""
    hits: list[Hit] = []
    tokens = parsed.tokens
    for number, kinds in enumerate(parsed.sentence_kinds):
        weapons = kinds.get("weapon")
        if not weapons or "school" in kinds or not kinds.get("carry") or not any(k in kinds for k in SPEAKER):
            continue
        if _lessons_and_staff(parsed, number):  # the school rule reads it
            continue
        start, end = parsed.sentence_bounds[number]
        words = [tokens[i].word for i in range(start, end)]
        if not any(w in CONDITIONS or w in _OTHERWISE for w in words):
            continue
        if not any(k in kinds for k in _OTHERS) and any(w in _TOOL_USES for w in words):
            continue
        core = weapons[0]
        label = f"threat: the speaker brings weapon '{tokens[core].word}' on a condition"
        hits.append(Hit(Category.THREAT, CONDITIONAL_WEAPON, label, core, core, False, (core, core), True))
    return hits


def school_threats(parsed: Parsed, idioms: set[int]) -> list[Hit]:
    """A weapon and the school in one sentence ("ik neem morgen een mes mee naar school"), or violence aimed at
    the school ("ik schiet de hele school overhoop"). With the speaker as the one acting it is a possible crime.
    Violence in a fixed expression ("schiet op, we gaan naar school") is none, and "na school" is a time, not the
    place violence is aimed at (violence against someone after school is a threat against that person)."""
    tokens = parsed.tokens
    hits: list[Hit] = []
    game: bool | None = None  # whether the message talks of a game, found once when first needed
    for number, kinds in enumerate(parsed.sentence_kinds):
        weapons = kinds.get("weapon", [])
        schools = list(kinds.get("school", ()))
        if weapons:
            schools += _lessons_and_staff(parsed, number)
        if not schools:
            continue
        violence = [i for i in kinds.get("violence", []) if i not in idioms]
        if not weapons:
            schools = [i for i in schools if not (i > 0 and tokens[i - 1].word in _SCHOOL_AS_TIME)]
            if game is None:
                game = talks_of_a_game(parsed)
            if game:  # "we gaan die andere klas slopen bij trefbal": a class is a team there
                schools = [i for i in schools if tokens[i].word not in _CLASSES]
        if not schools or (not weapons and not violence):
            continue
        if weapons and not violence and _a_tool_for_a_lesson(parsed, number, weapons):
            continue
        if weapons:  # "gonna bring my dad's gun to school": with a weapon, any word for the speaker counts
            speaker = any(k in kinds for k in SPEAKER)
        else:
            speaker = any(tokens[i].word in _SPEAKER_AS_SUBJECT for k in SPEAKER for i in kinds.get(k, ()))
        core = (weapons or violence)[0]
        place = schools[0]
        criminal = speaker and bool(violence or kinds.get("carry") or kinds.get("modal"))
        score = SCHOOL_THREAT if criminal else WEAPON_AT_SCHOOL
        what = "weapon" if weapons else "violence"
        label = f"school threat: {what} '{tokens[core].word}' and '{tokens[place].word}'"
        first, last = min(core, place), max(core, place)
        hits.append(Hit(Category.THREAT, score, label, first, last, criminal, (core, core), True))
    return hits
