"""R2 repeated targeting: several incidents by the same author aimed at the same person within a window become one
bullying case for the anti-bullying coordinator.

Who a message is aimed at: the author of the message it replies to, else the first account it mentions (never the
author themself). The adapters give the mentions (each platform writes them its own way). This rule decides; the
incident log (incidents/targeting.py) finds the related incidents and records the case, which is itself an incident
(rule R2, rule name `repeated_targeting`, category harassment), so it is reviewed, listed, digested, retained and
exported like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from moderation.incidents.routing import COORDINATOR, route
from moderation.model import CATEGORIES, AccountId, Category, Message, Person, Severity, Verdict
from moderation.ports import Directory, ReviewerAssignment

CASE_RULE_NAME = "repeated_targeting"  # the rule name of an R2 repeated-targeting case


@dataclass(frozen=True, slots=True)
class Target:
    account: AccountId
    person: Person | None


@dataclass(frozen=True, slots=True)
class Related:
    """One of the author's incidents aimed at the same person, as the rule needs it."""

    id: int
    criminal: bool


def find_target(message: Message, directory: Directory, reply_author: AccountId | None) -> Target | None:
    author = directory.person_for(message.platform, message.author)
    candidates = ([reply_author] if reply_author else []) + list(dict.fromkeys(message.mentions))
    for account in candidates:
        person = directory.person_for(message.platform, account)
        if account == message.author or (person is not None and author is not None and person.id == author.id):
            continue  # replying to or naming yourself targets nobody
        return Target(account, person)
    return None


class RepeatedTargeting:
    name = CASE_RULE_NAME

    def __init__(self, *, window_days: int, threshold: int) -> None:
        self.window = timedelta(days=window_days)
        self.threshold = threshold

    @staticmethod
    def counts(category: Category) -> bool:
        """Only what someone did to someone counts (CATEGORIES' `targeting`)."""
        return CATEGORIES[category].targeting

    def evaluate(self, related: Sequence[Related]) -> Verdict | None:
        """A new case when there are enough related incidents (none is open for this author and target yet)."""
        if len(related) < self.threshold:
            return None
        members = ", ".join(f"#{r.id}" for r in related)
        return Verdict(
            rule_id=CATEGORIES[Category.HARASSMENT].rule_id,
            rule_name=self.name,
            category=Category.HARASSMENT,
            severity=Severity.HIGH,
            score=1.0,
            explanation=f"repeated targeting: {len(related)} incidents aimed at the same person within "
            f"{self.window.days} days ({members})",
            criminal=any(r.criminal for r in related),
        )


def case_reviewers(author: Person | None, verdict: Verdict, directory: Directory) -> tuple[ReviewerAssignment, ...]:
    """The case's reviewers: as routed, and the coordinator always (R13: bullying is the coordinator's, staff
    too), never the author themself. A criminal member already reached leadership with its own incident."""
    reviewers = {r.person_id: r.reason for r in route(author, replace(verdict, criminal=False), directory)}
    for coordinator in directory.coordinators():
        if author is None or coordinator.id != author.id:
            reviewers.setdefault(coordinator.id, COORDINATOR)
    return tuple(ReviewerAssignment(pid, reason) for pid, reason in reviewers.items())
