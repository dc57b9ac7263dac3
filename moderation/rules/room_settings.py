"""R10: a room's settings were changed (an announcement room others may post in again). The adapter notices the
change; this rule says what it means."""

from __future__ import annotations

from moderation.model import CATEGORIES, ActionKind, Category, Verdict


class RoomSettings:
    name = "room_settings"

    def evaluate(self, category: Category, explanation: str) -> Verdict:
        meaning = CATEGORIES[category]
        return Verdict(
            rule_id=meaning.rule_id,
            rule_name=self.name,
            category=category,
            severity=meaning.severity,
            score=1.0,
            explanation=explanation,
            actions=(ActionKind.FLAG,),
        )
