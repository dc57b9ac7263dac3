"""R7: no fictitious sender names — a display name or nickname that imitates a staff member ("Meneer de Vries",
"Mevr. Jansen") or the school itself ("Schoolleiding", "Minkema College"), with look-alike letters and spacing.

A staff member under their own name is never flagged; nor is someone whose own roster name it is.
"""

from __future__ import annotations

from collections.abc import Mapping

from moderation.model import ActionKind, Category, MemberChange, Role, Severity, Verdict
from moderation.names import NameBook, skeleton
from moderation.rules.base import MemberContext


class Impersonation:
    name = "impersonation"

    def __init__(self, lookalikes: Mapping[str, str]) -> None:
        self._lookalikes = lookalikes
        self._book: tuple[tuple[tuple[str, ...], tuple[str, ...]], NameBook] | None = None

    def evaluate(self, change: MemberChange, context: MemberContext) -> Verdict | None:
        member = context.member
        if member is not None and member.role is Role.STAFF:
            return None
        shown = change.display_name.strip()
        if not shown:
            return None
        if member is not None and skeleton(shown, self._lookalikes) == skeleton(member.name, self._lookalikes):
            return None
        imitation = self._names(context).find(shown, self._lookalikes)
        if imitation is None:
            return None
        if member is not None and imitation.whom == member.name:
            return None
        who = member.name if member else f"unknown account {change.account}"
        return impersonation(
            self.name, f"{who} uses the name '{shown}', which imitates {imitation.whom} ({imitation.how})"
        )

    def _names(self, context: MemberContext) -> NameBook:
        """The names nobody else may take, worked out again only when the roster or the settings changed."""
        key = (tuple(p.name for p in context.staff), tuple(context.official_names))
        if self._book is None or self._book[0] != key:
            self._book = (key, NameBook(key[0], key[1], self._lookalikes))
        return self._book[1]


def impersonation(rule_name: str, explanation: str) -> Verdict:
    """R7: someone passes for staff or for the school, by name or by what they claim; flagged, never removed."""
    return Verdict(
        rule_id="R7",
        rule_name=rule_name,
        category=Category.IMPERSONATION,
        severity=Severity.MEDIUM,
        score=1.0,
        explanation=explanation,
        actions=(ActionKind.FLAG,),
    )
