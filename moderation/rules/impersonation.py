"""R7: no fictitious sender names — a display name or nickname that imitates a staff member ("Meneer de Vries",
"Mevr. Jansen") or the school itself ("Schoolleiding", "Minkema College"), with look-alike letters and spacing.

A staff member under their own name is never flagged; nor is someone whose own roster name it is.
"""

from __future__ import annotations

from collections.abc import Mapping

from moderation.model import ActionKind, Category, MemberChange, Role, Severity, Verdict
from moderation.names import imitates, skeleton
from moderation.rules.base import MemberContext


class Impersonation:
    name = "impersonation"

    def __init__(self, lookalikes: Mapping[str, str]) -> None:
        self._lookalikes = lookalikes

    def evaluate(self, change: MemberChange, context: MemberContext) -> Verdict | None:
        member = context.member
        if member is not None and member.role is Role.STAFF:
            return None
        shown = change.display_name.strip()
        if not shown:
            return None
        if member is not None and skeleton(shown, self._lookalikes) == skeleton(member.name, self._lookalikes):
            return None
        staff = [p.name for p in context.staff if member is None or p.id != member.id]
        imitation = imitates(shown, staff, context.official_names, self._lookalikes)
        if imitation is None:
            return None
        who = member.name if member else f"unknown account {change.account}"
        return Verdict(
            rule_id="R7",
            rule_name=self.name,
            category=Category.IMPERSONATION,
            severity=Severity.MEDIUM,
            score=1.0,
            explanation=f"{who} uses the name '{shown}', which imitates {imitation.whom} ({imitation.how})",
            actions=(ActionKind.FLAG,),
        )
