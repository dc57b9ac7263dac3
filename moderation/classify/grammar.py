"""The grammar of abuse: who is targeted by which hurtful words.

A hurtful word (insult, slur, dehumanising noun, hatred, violence) becomes abuse when the same sentence names a
target: the person addressed, a third person, a group of people, or a protected group (then it is discrimination).
Templates from the lexicon add fixed formulas (threats, exclusion) and multi-word predicates ("has no right to
live"). `context.soften` then applies negation, quotation, counter-speech and self-directedness.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from moderation.classify.context import (
    NOT_A_TARGET,
    OTHER_TARGETS,
    SCAN,
    SELF_AIMED,
    SPEAKER,
    THING,
    intensifies,
    modifies_thing,
    negated_before,
    soften,
)
from moderation.classify.hit import Hit
from moderation.classify.lexicon import Entry
from moderation.classify.school_threats import conditional_weapons, school_threats
from moderation.classify.templates import TemplateMatch
from moderation.classify.tokens import Parsed, Token
from moderation.model import Category

_SELF_AIMABLE = frozenset({"insult_noun", "insult_adj", "dehum_noun", "slur", "profanity", "praise"})
_PERSPECTIVE = frozenset({"to", "for", "voor", "volgens", "tegen"})
_NEAR = 6  # words; a target further away is less surely the one the word is about
# Words after which a noun starts its own statement ("de ratten zijn ..."); a demonstrative ("die ratten zijn weer
# bezig", "that monkey is ...") points at someone, so it is not among them.
_SUBJECT_INTRODUCERS = frozenset({"de", "the", "alle", "all", "veel", "many", "sommige", "some"})
_GUESSED_PERSON = frozenset({"third"})
_OBJECT_STARTS = frozenset(
    {"iedereen", "alles", "everyone", "everybody", "de", "het", "een", "die", "deze", "dat", "the", "a", "all"}
)
# Subjects that name no one: "dit is een ...", "for being a ...", "not to be a ..."
_NO_SUBJECT = frozenset(
    {"dit", "dat", "het", "this", "that", "it", "er", "hier", "daar", "there", "here", "wat", "what", "for", "to"}
)
_NOT_NOUN_AFTER = frozenset({"hoor", "zeg", "joh", "man", "echt", "toch", "ofzo", "gewoon", "haha", "lol", "and", "en"})
_LESS = frozenset({"minder", "less"})
_THAT = frozenset({"dat", "that"})
_NEEDS_A_NEIGHBOUR = frozenset({"curse", "profanity"})  # they hit only the word next to them (see below)

GUESSED_TARGET = 0.85
FAR_TARGET = 0.85
BARE_CURSE = 0.65


@dataclass(frozen=True, slots=True)
class _Predicate:
    kind: str
    first: int
    last: int
    entry: Entry | None
    how: str
    in_template: bool = False


# (score with a target, score without) per predicate kind; the category comes from the target or the entry.
_BASE: dict[str, tuple[float, float]] = {
    "slur": (0.92, 0.85),
    "dehum_noun": (0.9, 0.25),
    "insult_noun": (0.88, 0.45),
    "insult_adj": (0.8, 0.1),
    "hate_verb": (0.86, 0.3),
    "violence": (0.9, 0.3),
    "curse": (0.86, 0.3),
    "profanity": (0.45, 0.15),
    "sexual": (0.75, 0.45),
    "praise": (0.85, 0.1),  # only ever produced negated: "zijn nooit intelligent", "not welcome"
}
_LABELS = {
    "slur": "slur",
    "dehum_noun": "dehumanising word",
    "insult_noun": "insult",
    "insult_adj": "demeaning word",
    "hate_verb": "hatred",
    "violence": "violence",
    "curse": "curse",
    "profanity": "swearing",
    "sexual": "sexual word",
    "praise": "denied quality",
}


def _predicates(parsed: Parsed, templates: Sequence[TemplateMatch], idioms: set[int]) -> list[_Predicate]:
    spans: list[_Predicate] = []
    covered: set[int] = set(idioms)
    negating = [(m.first, m.last) for m in templates if m.entry.acts_as == "negation"]
    for match in templates:
        if match.entry.acts_as is not None and match.entry.acts_as not in ("negation", "idiom"):
            if any(a <= match.last and match.first <= b for a, b in negating):
                continue  # "not worth any less", "niet minder waard": a negation template overrides it
            spans.append(_Predicate(match.entry.acts_as, match.first, match.last, match.entry, "", True))
            covered.update(range(match.first, match.last + 1))
    for token in parsed.tokens:
        if not token.kinds or token.index in covered:
            continue
        if "praise" in token.kinds:
            negated = negated_before(parsed, token.index, covered, 6)
            lessened = _lessened(parsed, token.index)
            if negated and not lessened:
                spans.append(_Predicate("praise", token.index, token.index, None, "negated"))
            elif lessened and not negated:  # "niet minder slim": two denials say it is
                spans.append(_Predicate("praise", token.index, token.index, None, "lessened"))
            continue
        for kind in _BASE:
            if kind in token.kinds:
                if kind == "dehum_noun" and _named_as_itself(parsed, token):
                    continue
                if kind == "hate_verb" and "profanity" in token.kinds and _opens_its_clause(parsed, token):
                    continue  # "damn die docent is streng", "damn, wat een goal": an exclamation, read as swearing
                entry = next((e for e in token.entries if e.kind == kind), None)
                spans.append(_Predicate(kind, token.index, token.index, entry, token.how))
                break
    return spans


def _lessened(parsed: Parsed, index: int) -> bool:
    """A good quality said to be smaller ("vrouwen zijn minder slim", "are less intelligent"): a denial by degree,
    which demeans when it is said of a group. Only with a copula before it in the clause."""
    tokens = parsed.tokens
    near = [tokens[i] for i in (index - 1, index - 2) if i >= 0 and tokens[i].clause == tokens[index].clause]
    if not near or not any(t.word in _LESS for t in near):
        return False
    start = max(parsed.sentence_of(index)[0], index - SCAN)
    return any("copula" in t.kinds and t.clause == tokens[index].clause for t in tokens[start:index])


def _opens_its_clause(parsed: Parsed, token: Token) -> bool:
    return token.index == parsed.sentence_of(token.index)[0] or parsed.tokens[token.index - 1].clause != token.clause


def _named_as_itself(parsed: Parsed, token: Token) -> bool:
    """A dehumanising noun that is not said of anyone: an exclamation that is also a swear word ("holy shit, die
    goal ...": no copula in its clause, so it is read as swearing), or the subject of its own clause ("ratten zijn
    slimme dieren", "wist je dat ratten ... zijn": the animals themselves)."""
    tokens = parsed.tokens
    start, end = parsed.sentence_of(token.index)
    near = tokens[max(start, token.index - SCAN) : min(end, token.index + SCAN + 1)]
    clause = [t for t in near if t.clause == token.clause]
    if "profanity" in token.kinds and not any("copula" in t.kinds for t in clause):
        return True
    after = tokens[token.index + 1] if token.index + 1 < end else None
    before = tokens[token.index - 1] if token.index > start else None
    if token.kinds & OTHER_TARGETS:
        return False
    if before is not None and before.word == "dat":  # a subordinate clause, verb last: "... dat ratten slim zijn"
        return any("copula" in t.kinds for t in clause if t.index > token.index)
    introduced = before is None or before.word in _SUBJECT_INTRODUCERS
    return introduced and after is not None and "copula" in after.kinds


def idiom_words(parsed: Parsed, templates: Sequence[TemplateMatch]) -> set[int]:
    """Tokens of fixed expressions whose violent verb means something else ("schiet op, we gaan", "mijn school
    schiet tekort"), unless a person follows right after ("schiet op hem"): then it is the act itself."""
    tokens = parsed.tokens
    words: set[int] = set()
    for match in templates:
        if match.entry.acts_as != "idiom":
            continue
        after = tokens[match.last + 1] if match.last + 1 < len(tokens) else None
        if after is not None and after.clause == tokens[match.last].clause and _names_an_object(after):
            continue
        words.update(i for i in range(match.first, match.last + 1) if i not in match.gaps)
    return words


def _names_an_object(token: Token) -> bool:
    """The start of what a violent verb is done to ("schieten op iedereen", "schiet op de school")."""
    return bool(token.kinds & (OTHER_TARGETS | {"school"})) or token.word in _OBJECT_STARTS


def _template_spans(templates: Sequence[TemplateMatch]) -> set[int]:
    """Tokens of templates' own words: a negation there is part of the template's meaning ("no right to live");
    one in a gap the template skipped is not ("je bent NIET alleen" does not fit "<you> bent * alleen")."""
    inside: set[int] = set()
    for match in templates:
        if match.entry.acts_as != "negation":
            inside.update(i for i in range(match.first, match.last + 1) if i not in match.gaps)
    return inside


def _nearest_target(parsed: Parsed, pred: _Predicate) -> Token | None:
    """The target the predicate most likely speaks of, within its sentence and SCAN words. A quoted predicate only
    reaches targets inside the quote (and the other way round). For nouns and adjectives the speaker can be the
    target ("my mum thinks I'M a scumbag"); for verbs the speaker is the one acting."""
    tokens = parsed.tokens
    start, end = parsed.sentence_of(pred.first)
    quoted = tokens[pred.first].quoted
    wanted = OTHER_TARGETS | (SPEAKER if pred.kind in _SELF_AIMABLE else frozenset())
    best: Token | None = None
    best_rank = (2, 1 << 30)
    for index in range(max(start, pred.first - SCAN), min(end, pred.last + SCAN + 1)):
        token = tokens[index]
        if token.quoted != quoted or not (token.kinds & wanted) or token.kinds & NOT_A_TARGET:
            continue
        if index > 0 and tokens[index - 1].word in _PERSPECTIVE and token.kinds & SPEAKER:
            continue  # "you are trash TO ME", "voor mij ben je ...": the speaker's view, not the target
        if index + 1 < pred.first and tokens[index + 1].word in _THAT and "you" in token.kinds:
            continue  # "wist je dat ratten ...", "did you know that ...": the listener, not what is said of
        inside = pred.first <= index <= pred.last
        if inside and not pred.in_template:
            continue
        if inside or (pred.kind not in _NEEDS_A_NEIGHBOUR and _copula_subject(tokens, index, pred.first)):
            distance = 0
        else:
            distance = min(abs(index - pred.first), abs(index - pred.last))
        # A protected group nearby wins (discrimination); otherwise the nearest, with a slight preference for
        # someone other than the speaker.
        rank = (
            0 if "identity" in token.kinds and distance <= _NEAR else 1,
            distance - (1 if token.kinds & OTHER_TARGETS else 0),
        )
        if rank < best_rank:
            best, best_rank = token, rank
    return best


def _unknown_subject(parsed: Parsed, index: int) -> Token | None:
    """The subject of "<X> is een klootzak" when the lexicon does not know X ("de PVV is een stelletje
    klootzakken", "die gast van 3b is een sukkel"): an insult noun after a copula is said of whatever comes before
    it, and that is someone. The target counts as guessed."""
    tokens = parsed.tokens
    clause = tokens[index].clause
    start = parsed.sentence_of(index)[0]
    for at in range(index - 1, max(start, index - SCAN) - 1, -1):
        if tokens[at].clause != clause:
            return None
        if "copula" in tokens[at].kinds:
            subject = tokens[at - 1] if at > start else None
            if subject is None or subject.clause != clause or subject.kinds or subject.quoted != tokens[index].quoted:
                return None
            if subject.word in _NO_SUBJECT or _before_a_noun(tokens, index):
                return None  # "dit is een idioot voorbeeld", "sorry for being a shithead", "het leven is een bitch"
            return replace(subject, kinds=_GUESSED_PERSON, how="guessed")
    return None


def _before_a_noun(tokens: Sequence[Token], index: int) -> bool:
    """The insult noun used as an adjective: "een idioot voorbeeld", "a scumbag thing"."""
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    return (
        following is not None
        and following.sentence == tokens[index].sentence
        and not following.kinds
        and len(following.word) >= 3
        and following.word not in _NOT_NOUN_AFTER
    )


def _copula_subject(tokens: Sequence[Token], index: int, first: int) -> bool:
    """The one a noun or adjective is said of: "JIJ bent een sukkel, ik zweer het", "wat ben JIJ een sukkel"."""
    if index >= first:
        return False
    clause = tokens[index].clause
    near = (index - 1, index + 1)
    return any(0 <= i < first and tokens[i].clause == clause and "copula" in tokens[i].kinds for i in near)


def _category(pred: _Predicate, target: Token | None, entries: Sequence[Entry]) -> Category:
    if pred.how == "compound":  # kankerlijer: an insult; kankerjood: aimed at a group
        return Category.DISCRIMINATION if any(e.kind == "identity" for e in entries) else Category.INSULT
    if pred.kind == "slur":
        # "je moeder is een hoer", "wat ben jij een retard": a slur used as a plain insult for one person is an
        # insult; said of a group ("vrouwen zijn hoeren") or a group slur, it is discrimination
        personal = pred.entry is not None and pred.entry.category is Category.INSULT
        aimed_at_group = target is not None and "identity" in target.kinds
        return Category.INSULT if personal and not aimed_at_group else Category.DISCRIMINATION
    if target is not None and "identity" in target.kinds:
        return Category.DISCRIMINATION
    if pred.kind == "violence":
        return Category.THREAT
    if pred.kind == "sexual":
        return Category.SEXUAL
    return Category.INSULT


def _score_predicate(parsed: Parsed, pred: _Predicate) -> Hit | None:
    tokens = parsed.tokens
    kinds_here = parsed.sentence_kinds[tokens[pred.first].sentence]
    target = _nearest_target(parsed, pred)
    if pred.how == "lessened" and (target is None or "identity" not in target.kinds):
        return None  # "hij is minder slim dan zijn broer": a comparison of two people, not a put-down of a group
    with_target, alone = _BASE[pred.kind]
    reasons: list[str] = []
    factor = 1.0
    if pred.how == "compound":
        with_target = alone = 0.9  # kankerlijer, tyfushoer: a person word welded to a disease curse
    if pred.kind == "curse" and pred.how != "compound" and not pred.in_template:
        if "disease_context" in kinds_here:
            return None  # "mijn oma heeft kanker": the illness, not a curse
        if intensifies(parsed, pred.last):
            return None  # "kk grappig", "kanker mooi": teen slang for "very"; the next word decides
        if target is not None and abs(target.index - pred.first) > 2:
            target = None  # a bare curse only hits the word right next to it ("kanker jij")
    if target is None and pred.kind == "insult_noun":
        target = _unknown_subject(parsed, pred.first)
    near = target is not None and abs(target.index - pred.first) <= 2
    if pred.kind == "profanity" and target is not None and "identity" not in target.kinds and not near:
        target = None  # swearing only hits a person right next to it ("fucking idiot you")
    if target is not None and not (target.kinds & OTHER_TARGETS):
        factor *= SELF_AIMED  # "ik ben zo'n idioot", "I'm a proud ...": about the speaker
        reasons.append("about the speaker")
    score = with_target if target is not None else alone
    if pred.kind == "profanity" and target is not None and "identity" in target.kinds:
        score = 0.8  # "fucking muslims", "shitty human beings" said of a group
    if pred.kind == "insult_noun" and target is None and len(tokens) <= 4:
        score = max(score, 0.75)  # "klootzak!", "wat een eikel": aimed at whoever it answers
    if pred.kind == "curse" and target is None and len(tokens) <= 2:
        score = max(score, BARE_CURSE)  # "kanker!", "tyfus man": a disease curse thrown at whoever it answers
    about_people = target is not None and bool(target.kinds & {"identity", "you"})
    if (
        pred.kind in ("insult_adj", "profanity")
        and not about_people
        and modifies_thing(tokens, pred.first, pred.last, target)
    ):
        factor *= THING
        reasons.append("about a thing")
    category = _category(pred, target, tokens[pred.first].entries)
    criminal = False
    if pred.kind == "violence" and target is not None and any(k in kinds_here for k in SPEAKER):
        criminal = bool(target.kinds & {"you", "third"})  # "I will ... you/him": a concrete threat
        score = max(score, 0.92)
    if pred.kind == "sexual" and "minor" in kinds_here:
        score, criminal = 0.9, True
    if target is not None:
        if target.how == "guessed":
            score *= GUESSED_TARGET
        distance = min(abs(target.index - pred.first), abs(target.index - pred.last))
        if distance > _NEAR:
            score *= FAR_TARGET
    first = min(pred.first, target.index) if target is not None else pred.first
    last = max(pred.last, target.index) if target is not None else pred.last
    matched = " ".join(t.word for t in tokens[pred.first : pred.last + 1])
    label = _LABELS[pred.kind] + (" compound" if pred.how == "compound" else "")
    aimed = f" aimed at '{target.word}'" if target is not None else ""
    verb_like = pred.kind in ("violence", "hate_verb") or pred.in_template
    return Hit(
        category,
        score * factor,
        f"{label} '{matched}'{aimed}",
        first,
        last,
        criminal,
        (pred.first, pred.last),
        verb_like,
        negation_is_meaning=pred.kind == "praise",
        reasons=tuple(reasons),
        softening=factor,
    )


def find_hits(parsed: Parsed, templates: Sequence[TemplateMatch]) -> list[Hit]:
    tokens = parsed.tokens
    hits: list[Hit] = []
    exempt = _template_spans(templates)
    for match in templates:
        entry = match.entry
        if entry.acts_as is not None or entry.category is None:
            continue
        matched = " ".join(t.word for t in tokens[match.first : match.last + 1])
        label = f"{entry.category.value} pattern '{matched}'"
        raw = Hit(
            entry.category,
            entry.weight,
            label,
            match.first,
            match.last,
            entry.criminal,
            (match.first, match.last),
            True,
            entry,
            gaps=match.gaps,
        )
        hits.append(soften(parsed, raw, exempt))
    idioms = idiom_words(parsed, templates)
    for pred in _predicates(parsed, templates, idioms):
        hit = _score_predicate(parsed, pred)
        if hit is not None:
            hits.append(soften(parsed, hit, exempt))
    hits.extend(soften(parsed, hit, exempt, at_school=True) for hit in school_threats(parsed, idioms))
    hits.extend(soften(parsed, hit, exempt) for hit in conditional_weapons(parsed))
    return hits
