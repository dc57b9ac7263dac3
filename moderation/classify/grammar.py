"""The grammar of abuse: who is targeted by which hurtful words, and what context softens it.

A hurtful word (insult, slur, dehumanising noun, hatred, violence) becomes abuse when the same sentence names a
target: the person addressed, a third person, a group of people, or a protected group (then it is discrimination).
The same words are softened when they are negated in their clause, quoted or reported in order to condemn them
(counter-speech), or aimed only at the speaker. Templates from the lexicon add fixed formulas (threats, exclusion).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from moderation.classify.lexicon import Entry
from moderation.classify.templates import TemplateMatch
from moderation.classify.tokens import Token
from moderation.model import Category

OTHER_TARGETS = frozenset({"you", "third", "identity", "person"})
_SPEAKER = frozenset({"self", "first"})
_NOT_A_TARGET = frozenset({"insult_noun", "slur", "dehum_noun"})  # "you ARE an idiot": the noun is no target
_COMPARATIVE = frozenset({"dan", "than", "beter", "better", "anders", "else", "but", "erger", "worse"})
_SUBORDINATE = frozenset({"dat", "that", "als", "if", "wie", "who", "whether", "of"})
_RHETORICAL = frozenset({"waarom", "why"})
_SELF_AIMABLE = frozenset({"insult_noun", "insult_adj", "dehum_noun", "slur", "profanity", "praise"})
_NOT_NOUNS = frozenset(
    "lol haha hoor zeg man echt toch ofzo joh gewoon ook nog wel hè he and en or of to te is was are ben bent zijn "
    "the een a an as als like so zo too kan kunnen zonder without om for voor met with in op at on by door dan than "
    "wordt worden can could would will zal zou be".split()
)
_NEAR = 6  # tokens; a target further away is less surely the one the word is about

NEGATED = 0.3
QUOTED = 0.2
COUNTER_SPEECH = 0.2
REPORTED = 0.9
SELF_AIMED = 0.25
GUESSED_TARGET = 0.85
THING = 0.5
FAR_TARGET = 0.85


@dataclass(frozen=True, slots=True)
class Hit:
    category: Category
    score: float
    label: str  # "insult", "threat pattern", ...
    first: int  # token span the evidence quotes
    last: int
    matched: str  # the normalised words that matched
    criminal: bool = False
    core: tuple[int, int] = (0, 0)  # token span of the hurtful words themselves (without the target)
    verb_like: bool = False  # negation scope: a verb is negated from anywhere earlier in its clause
    template: Entry | None = None
    reasons: tuple[str, ...] = ()  # softening context, for the explanation
    softening: float = 1.0  # the factor those reasons applied


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


def _predicates(tokens: Sequence[Token], templates: Sequence[TemplateMatch]) -> list[_Predicate]:
    spans: list[_Predicate] = []
    covered: set[int] = set()
    negating = _negation_spans(templates)
    for match in templates:
        if match.entry.acts_as is not None and match.entry.acts_as != "negation":
            if any(a <= match.last and match.first <= b for a, b in negating):
                continue  # "not worth any less", "niet minder waard": a negation template overrides it
            spans.append(_Predicate(match.entry.acts_as, match.first, match.last, match.entry, "", True))
            covered.update(range(match.first, match.last + 1))
    for token in tokens:
        if token.index in covered:
            continue
        if "praise" in token.kinds and _negated_at(tokens, token.index, covered):
            spans.append(_Predicate("praise", token.index, token.index, None, "negated"))
            continue
        for kind in _BASE:
            if kind in token.kinds:
                entry = next((e for e in token.entries if e.kind == kind), None)
                spans.append(_Predicate(kind, token.index, token.index, entry, token.how))
                break
    return spans


def _negation_spans(templates: Sequence[TemplateMatch]) -> list[tuple[int, int]]:
    return [(m.first, m.last) for m in templates if m.entry.acts_as == "negation"]


def _template_spans(templates: Sequence[TemplateMatch]) -> set[int]:
    """Tokens inside templates: a negation there is part of the template's meaning ("no right to live")."""
    inside: set[int] = set()
    for match in templates:
        if match.entry.acts_as != "negation":
            inside.update(range(match.first, match.last + 1))
    return inside


def _nearest_target(tokens: Sequence[Token], pred: _Predicate) -> Token | None:
    """The target the predicate most likely speaks of. A quoted predicate only reaches targets inside the quote
    (and the other way round). For nouns and adjectives the speaker can be the nearest target ("my mum thinks
    I'M a scumbag"); for verbs the speaker is the one acting, not the target."""
    sentence = tokens[pred.first].sentence
    quoted = tokens[pred.first].quoted
    wanted = OTHER_TARGETS | (_SPEAKER if pred.kind in _SELF_AIMABLE else frozenset())
    best: Token | None = None
    best_rank = (2, 1 << 30)
    for token in tokens:
        if token.sentence != sentence or token.quoted != quoted:
            continue
        inside = pred.first <= token.index <= pred.last
        if inside and not pred.in_template:
            continue
        if token.kinds & wanted and not (token.kinds & _NOT_A_TARGET):
            distance = 0 if inside else min(abs(token.index - pred.first), abs(token.index - pred.last))
            # A protected group nearby wins (discrimination); otherwise the nearest, with a slight preference
            # for someone other than the speaker.
            rank = (
                0 if "identity" in token.kinds and distance <= _NEAR else 1,
                distance - (1 if token.kinds & OTHER_TARGETS else 0),
            )
            if rank < best_rank:
                best, best_rank = token, rank
    return best


def _category(pred: _Predicate, target: Token | None) -> Category:
    if pred.kind == "slur":
        return Category.DISCRIMINATION
    if target is not None and "identity" in target.kinds:
        return Category.DISCRIMINATION
    if pred.kind == "violence":
        return Category.THREAT
    if pred.kind == "sexual":
        return Category.SEXUAL
    return Category.INSULT


def _score_predicate(tokens: Sequence[Token], pred: _Predicate) -> Hit | None:
    sentence = tokens[pred.first].sentence
    kinds_here = frozenset().union(*(t.kinds for t in tokens if t.sentence == sentence))
    target = _nearest_target(tokens, pred)
    with_target, alone = _BASE[pred.kind]
    reasons: list[str] = []
    factor = 1.0
    if pred.how == "compound":
        with_target = alone = 0.9  # kankerlijer, tyfushoer: a person word welded to a disease curse
    if pred.kind == "curse" and pred.how != "compound" and not pred.in_template:
        if "disease_context" in kinds_here:
            return None  # "mijn oma heeft kanker": the illness, not a curse
        if target is not None and abs(target.index - pred.first) > 2:
            target = None  # a bare curse only hits the word right next to it ("kanker jij")
    if pred.kind == "profanity" and target is not None and "identity" not in target.kinds:
        if abs(target.index - pred.first) > 2:
            target = None
    if target is not None and not (target.kinds & OTHER_TARGETS):
        factor *= SELF_AIMED  # "ik ben zo'n idioot", "I'm a proud ...": about the speaker
        reasons.append("about the speaker")
    score = with_target if target is not None else alone
    if pred.kind == "insult_noun" and target is None and len(tokens) <= 4:
        score = 0.75  # "klootzak!", "wat een eikel": aimed at whoever it answers
    about_people = target is not None and bool(target.kinds & {"identity", "you"})
    if pred.kind in ("insult_adj", "profanity") and not about_people and _modifies_thing(tokens, pred, target):
        factor *= THING
        reasons.append("about a thing")
    category = _category(pred, target)
    criminal = False
    if pred.kind == "violence" and target is not None and kinds_here & _SPEAKER:
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
        category, score * factor, f"{label} '{matched}'{aimed}", first, last, matched, criminal,
        (pred.first, pred.last), verb_like, None, tuple(reasons), factor,
    )  # fmt: skip


def _modifies_thing(tokens: Sequence[Token], pred: _Predicate, target: Token | None) -> bool:
    """"een idioot idee", "a shitty apartment": an adjective right before an unknown noun describes that thing."""
    following = tokens[pred.last + 1] if pred.last + 1 < len(tokens) else None
    if following is None or following.kinds or following.word in _NOT_NOUNS or len(following.word) < 3:
        return False
    if following.sentence != tokens[pred.last].sentence:
        return False
    return target is None or abs(target.index - pred.first) > 1


def _negated(tokens: Sequence[Token], hit: Hit, exempt: set[int]) -> bool:
    """A negation in the predicate's clause: right before a noun or adjective ("not stupid"), anywhere before a
    verb (Dutch puts it far ahead: "ik zou nooit een ... pijn doen"), or just after one ("ik haat je niet").
    It does not reach into a subordinate clause ("isn't it clear THAT ..."), "niets dan" / "no better than" /
    "nothing but" compare rather than negate, and "why don't we ..." proposes rather than negates."""
    first, last = hit.core
    clause = tokens[first].clause
    for index in range(first - 1, -1, -1):
        token = tokens[index]
        if token.clause != clause or token.word in _SUBORDINATE or token.word in _RHETORICAL:
            break
        if "negation" in token.kinds and index not in exempt and _negates(tokens, index):
            if hit.verb_like or first - index <= 3:
                return True
    if hit.verb_like:
        for index in range(last + 1, min(last + 3, len(tokens))):
            token = tokens[index]
            if token.clause == clause and "negation" in token.kinds and index not in exempt:
                return _negates(tokens, index)
    return False


def _negated_at(tokens: Sequence[Token], index: int, exempt: set[int]) -> bool:
    """A negation up to three words before this one, in its clause ("zijn nooit intelligent", "not equal")."""
    for before in range(index - 1, max(-1, index - 4), -1):
        token = tokens[before]
        if token.clause != tokens[index].clause:
            return False
        if "negation" in token.kinds and before not in exempt and _negates(tokens, before):
            return True
    return False


def _negates(tokens: Sequence[Token], index: int) -> bool:
    after = tokens[index + 1].word if index + 1 < len(tokens) else ""
    if after in _COMPARATIVE:
        return False
    return not any(t.word in _RHETORICAL for t in tokens[:index] if t.clause == tokens[index].clause)


def _denied_report(tokens: Sequence[Token], sentence: int, exempt: set[int]) -> bool:
    """"Ik heb nooit gezegd dat ...", "you can't seriously believe that ...": the speaker disowns the words."""
    for token in tokens:
        if token.sentence == sentence and "frame" in token.kinds:
            before = tokens[max(0, token.index - 3) : token.index]
            if any("negation" in t.kinds and t.index not in exempt and _negates(tokens, t.index) for t in before):
                return True
    return False


def _refused(tokens: Sequence[Token], sentence: int) -> bool:
    """"We mogen niet toestaan dat ...", "never support a politician who ...": the speaker opposes the harm."""
    for token in tokens:
        if token.sentence == sentence and "permit" in token.kinds:
            before = tokens[max(0, token.index - 4) : token.index]
            after = tokens[token.index + 1 : token.index + 2]
            if any("negation" in t.kinds for t in (*before, *after)):
                return True
    return False


def _soften(tokens: Sequence[Token], hit: Hit, exempt: set[int]) -> Hit:
    """Apply negation, quoting, counter-speech and self-directedness to one hit."""
    factor = 1.0
    reasons: list[str] = []
    span = tokens[hit.first : hit.last + 1]
    sentence = span[0].sentence
    if hit.label.startswith("denied quality"):
        pass  # the negation is what makes it hurtful
    elif _negated(tokens, hit, exempt):
        factor *= NEGATED
        reasons.append("negated")
    outside = sum(1 for t in tokens if not t.quoted)
    if all(t.quoted for t in span) and outside >= 2:
        factor *= QUOTED
        reasons.append("quoted")
    in_sentence = [t for t in tokens if t.sentence == sentence]
    core = range(hit.core[0], hit.core[1] + 1)
    scope = tokens if span[0].quoted else in_sentence
    kinds_all = frozenset().union(*(t.kinds for t in scope if t.index not in core))
    countered = ("frame" in kinds_all and "condemn" in kinds_all) or "oppose" in kinds_all
    if countered or _denied_report(tokens, sentence, exempt) or _refused(tokens, sentence):
        factor *= COUNTER_SPEECH
        reasons.append("counter-speech")
    elif "frame" in kinds_all:
        factor *= REPORTED
        reasons.append("reported speech")
    aims_at_someone = hit.template is not None and "<" in hit.template.term
    self_harm = hit.category is Category.SELF_HARM
    if hit.template is not None and not aims_at_someone and not self_harm:
        others = any(t.kinds & OTHER_TARGETS for t in in_sentence if not (t.kinds & _NOT_A_TARGET))
        if not others and any(t.kinds & _SPEAKER for t in in_sentence):
            factor *= SELF_AIMED
            reasons.append("about the speaker")
    if factor == 1.0:
        return hit
    return replace(
        hit, score=hit.score * factor, reasons=hit.reasons + tuple(reasons), softening=hit.softening * factor
    )


def find_hits(tokens: Sequence[Token], templates: Sequence[TemplateMatch]) -> list[Hit]:
    hits: list[Hit] = []
    exempt = _template_spans(templates)
    for match in templates:
        entry = match.entry
        if entry.acts_as is not None or entry.category is None:
            continue
        matched = " ".join(t.word for t in tokens[match.first : match.last + 1])
        label = f"{entry.category.value} pattern"
        raw = Hit(entry.category, entry.weight, f"{label} '{matched}'", match.first, match.last, matched,
                  entry.criminal, (match.first, match.last), True, entry)  # fmt: skip
        hits.append(_soften(tokens, raw, exempt))
    for pred in _predicates(tokens, templates):
        hit = _score_predicate(tokens, pred)
        if hit is not None:
            hits.append(_soften(tokens, hit, exempt))
    return hits
