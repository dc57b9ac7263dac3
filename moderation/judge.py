"""Judging one message: every rule, each isolated, then the strongest verdict. Decides only; acts never."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from moderation.model import (
    ActionKind,
    Category,
    Classification,
    MediaFinding,
    MemberChange,
    Message,
    Person,
    PrivateRoom,
    Severity,
    Verdict,
)
from moderation.policy import RoomPolicy
from moderation.ports import Classifier, MediaScanner
from moderation.rules.base import MemberContext, MemberRule, RoomContext, RoomRule, Rule, RuleContext
from moderation.rules.may_post import may_post
from moderation.texts import Notices

log = logging.getLogger(__name__)


class _Named(Protocol):
    name: str


NamedRule = TypeVar("NamedRule", bound=_Named)

_ACTION_ORDER = (ActionKind.DELETE, ActionKind.FLAG, ActionKind.NOTIFY_SENDER)


class Judge:
    def __init__(
        self,
        rules: Sequence[Rule],
        classifier: Classifier | None,
        member_rules: Sequence[MemberRule] = (),
        media_scanner: MediaScanner | None = None,
        room_rules: Sequence[RoomRule] = (),
        *,
        notices: Notices,
    ) -> None:
        self._notices = notices  # handed to every rule in its context
        self._rules = tuple(rules)
        self._room_rules = tuple(room_rules)
        self._media_scanner = media_scanner
        self._member_rules = tuple(member_rules)
        self._classifier = classifier
        # What judges the text, for the latency figures: "rules" alone, or the classifier's tiers ("text+e5").
        self.tier = "rules" if classifier is None else str(getattr(classifier, "name", "classifier"))
        if classifier is None:
            log.warning("no classifier configured: abusive content is NOT checked (rule abusive_content is inactive)")

    @property
    def has_classifier(self) -> bool:
        return self._classifier is not None

    async def judge(self, message: Message, policy: RoomPolicy, author: Person | None) -> Verdict | None:
        """Run every rule; the strongest verdict wins, and it carries the actions of all of them."""
        classification, classify_error = await self.classify(message.text)
        context = RuleContext(
            policy=policy,
            author=author,
            may_post=may_post(policy, author),
            classification=classification,
            media=await self._scan(message) if message.has_media else None,
            notices=self._notices,
        )
        where = f"{message.room_id}/{message.event_id}"
        errors = [classify_error] if classify_error else []
        return _run_isolated(self._rules, lambda rule: rule.evaluate(message, context), where, errors)

    def judge_member(self, change: MemberChange, context: MemberContext) -> Verdict | None:
        """Run every member rule (who is in a room, under which name), each isolated; the strongest wins."""
        where = f"{change.room_id}/{change.event_id}"
        return _run_isolated(self._member_rules, lambda rule: rule.evaluate(change, context), where)

    def judge_room(self, room: PrivateRoom, context: RoomContext) -> Verdict | None:
        """Run every room rule (who is in a room together), each isolated; the strongest wins."""
        return _run_isolated(self._room_rules, lambda rule: rule.evaluate(room, context), room.room_id)

    async def _scan(self, message: Message) -> MediaFinding | None:
        if self._media_scanner is None:
            return None
        try:
            return await self._media_scanner.scan(message)
        except Exception:  # a broken image tier leaves the media to the room's policy
            log.exception("the media scanner crashed on %s/%s", message.room_id, message.event_id)
            return None

    async def classify(self, text: str) -> tuple[Classification | None, str | None]:
        if self._classifier is None or not text.strip():
            return None, None
        try:
            return await self._classifier.classify(text), None
        except Exception as exc:
            log.exception("the classifier crashed")
            return None, f"classifier crashed: {type(exc).__name__}: {exc}"


def _run_isolated(
    rules: Sequence[NamedRule],
    evaluate: Callable[[NamedRule], Verdict | None],
    where: str,
    errors: Sequence[str] = (),
) -> Verdict | None:
    """Each rule on its own: one that crashes is logged and recorded, and the others still run. `errors`: what
    failed before the rules ran (the classifier), recorded with theirs."""
    verdicts: list[Verdict] = []
    failed = list(errors)
    for rule in rules:
        try:
            found = evaluate(rule)
        except Exception as exc:  # one broken rule must not stop the others, nor the bot
            log.exception("rule %s crashed on %s", rule.name, where)
            failed.append(f"rule {rule.name} crashed: {type(exc).__name__}: {exc}")
            continue
        if found is not None:
            verdicts.append(found)
    if not verdicts:
        return _rule_error_verdict(failed) if failed else None
    return _merge(verdicts, failed)


def _merge(verdicts: list[Verdict], errors: list[str]) -> Verdict:
    strongest = max(verdicts, key=Verdict.strength)
    kinds = {k for v in verdicts for k in v.actions}
    actions = tuple(k for k in _ACTION_ORDER if k in kinds)
    if ActionKind.DELETE in actions:
        actions = tuple(k for k in actions if k is not ActionKind.FLAG)  # deleting already flags
    others = [v.explanation for v in verdicts if v is not strongest]
    return Verdict(
        rule_id=strongest.rule_id,
        rule_name=strongest.rule_name,
        category=strongest.category,
        severity=strongest.severity,
        score=strongest.score,
        explanation="; also: ".join([strongest.explanation, *others, *errors]),
        actions=actions,
        notice=strongest.notice or next((v.notice for v in verdicts if v.notice), None),
        criminal=any(v.criminal for v in verdicts),
        scores=strongest.scores or next((v.scores for v in verdicts if v.scores), ()),
        excerpt=next((v.excerpt for v in verdicts if v.excerpt is not None), None),
        for_review=any(v.for_review for v in verdicts) or bool(errors),
    )


def _rule_error_verdict(errors: list[str]) -> Verdict:
    return Verdict(
        rule_id="-",
        rule_name="pipeline",
        category=Category.RULE_ERROR,
        severity=Severity.LOW,
        score=0.0,
        explanation="not fully judged: " + "; ".join(errors),
        actions=(ActionKind.FLAG,),
    )
