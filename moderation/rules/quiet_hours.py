"""R11: the school is phone-free; a room can have quiet hours (school hours, or the night). A student's message in
that window gets a friendly notice, or is held (removed with the notice) where the room's policy says so. Staff are
never held: an announcement is exactly what must get through. Nobody reviews these: the notice is the answer."""

from __future__ import annotations

from moderation.model import ActionKind, Category, Message, Role, Severity, Verdict
from moderation.rules.base import RuleContext


class QuietHoursRule:
    name = "quiet_hours"

    def evaluate(self, message: Message, context: RuleContext) -> Verdict | None:
        quiet = context.policy.quiet_hours
        if quiet is None or not quiet.covers(message.sent_at):
            return None
        if context.author is not None and context.author.role is Role.STAFF:
            return None
        room, window = context.policy.room.name, quiet.label()
        return Verdict(
            rule_id="R11",
            rule_name=self.name,
            category=Category.QUIET_HOURS,
            severity=Severity.LOW,
            score=1.0,
            explanation=f"a message in #{room} during its quiet hours ({window})",
            actions=(ActionKind.DELETE, ActionKind.NOTIFY_SENDER) if quiet.hold else (ActionKind.NOTIFY_SENDER,),
            notice=context.notices.quiet_hours(room, window, quiet.end, held=quiet.hold),
            for_review=False,
        )
