"""R7: an edit that claims someone else's message is a fabricated message; it is removed, the original stays.

The adapter sets `Message.forged_edit_of` after checking the original's sender with the platform; this rule only
decides what that means for the protocol.
"""

from __future__ import annotations

from moderation.model import ActionKind, Category, Message, Severity, Verdict
from moderation.rules.base import RuleContext


class ForgedEdit:
    name = "forged_edit"

    def evaluate(self, message: Message, context: RuleContext) -> Verdict | None:
        if message.forged_edit_of is None:
            return None
        return Verdict(
            rule_id="R7",
            rule_name=self.name,
            category=Category.FORGED_EDIT,
            severity=Severity.MEDIUM,
            score=1.0,
            explanation=(
                f"forged edit: it claims a message sent by {message.forged_edit_of}; only the edit is removed, "
                "the original stays"
            ),
            actions=(ActionKind.DELETE, ActionKind.NOTIFY_SENDER),
            notice=context.notices.forged_edit(),
        )
