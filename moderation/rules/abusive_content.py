"""R2/R7: insults, harassment, threats, discrimination, sexual content and self-harm, from the classifier's
per-category scores and the room's thresholds."""

from __future__ import annotations

from moderation.model import (
    ABUSE_CATEGORIES,
    CATEGORIES,
    ActionKind,
    Category,
    Classification,
    Message,
    Role,
    Severity,
    Verdict,
)
from moderation.policy import AbuseAction, RoomPolicy
from moderation.rules.base import RuleContext


class AbusiveContent:
    name = "abusive_content"

    def evaluate(self, message: Message, context: RuleContext) -> Verdict | None:
        result = context.classification
        if result is None:
            return None  # the Moderator says once, at start, that this rule is inactive without a classifier
        hit = _strongest_over_threshold(result, context.policy)
        if hit is None:
            return None
        category, score = hit
        meaning = CATEGORIES[category]
        severity = meaning.severity
        evidence = [e for e in result.evidence if e.category is category]
        criminal = any(e.criminal for e in evidence)
        if criminal:
            severity = Severity.CRITICAL
        explanation = evidence[0].explanation if evidence else f"{category.value} score {score:.2f}"
        if result.note:
            explanation = f"{explanation} ({result.note})"
        disclosed = bool(evidence) and evidence[0].disclosure
        return Verdict(
            rule_id=meaning.rule_id,
            rule_name=self.name,
            category=category,
            severity=severity,
            score=score,
            explanation=explanation,
            actions=_actions(category, context.policy, disclosed),
            notice=_notice(category, context, disclosed),
            criminal=criminal,
            scores=tuple((cat.value, round(value, 4)) for cat, value in result.scores),
        )


def _strongest_over_threshold(result: Classification, policy: RoomPolicy) -> tuple[Category, float] | None:
    over = [
        (cat, value)
        for cat, value in result.scores
        if cat in ABUSE_CATEGORIES and value >= policy.thresholds.get(cat, 1.01)
    ]
    if not over:
        return None
    return max(over, key=lambda hit: (CATEGORIES[hit[0]].severity, hit[1]))


# Care, not punishment: a cry for help, or a student telling of being asked for pictures or threatened ("hij vroeg
# me om nudes"), is never deleted; a reviewer sees it and the writer reads where to find help.
_CARE = (ActionKind.FLAG, ActionKind.NOTIFY_SENDER)


def _actions(category: Category, policy: RoomPolicy, disclosed: bool) -> tuple[ActionKind, ...]:
    if category is Category.SELF_HARM or disclosed:
        return _CARE
    actions = [ActionKind.DELETE] if policy.abuse_action is AbuseAction.DELETE else [ActionKind.FLAG]
    if policy.notify_sender:
        actions.append(ActionKind.NOTIFY_SENDER)
    return tuple(actions)


def _notice(category: Category, context: RuleContext, disclosed: bool) -> str:
    if category is Category.SELF_HARM:
        return context.notices.self_harm()
    if disclosed:
        return context.notices.disclosure()
    staff = context.author is not None and context.author.role is Role.STAFF
    policy = context.policy
    deleted = policy.abuse_action is AbuseAction.DELETE
    return context.notices.abusive(category, policy.room.name, staff=staff, deleted=deleted)
