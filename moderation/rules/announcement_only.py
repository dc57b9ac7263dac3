"""R10: in a staff-run announcement room, only the listed staff may post ("only the administrator may send").

Where the room lets everyone react (for "Gelezen ✓"), a reaction that got here is no read confirmation: it is removed
without a notice or an incident to review, since a stray emoji is no post and no abuse."""

from __future__ import annotations

from moderation.model import ActionKind, Category, Message, Severity, Verdict
from moderation.rules.base import RuleContext


class AnnouncementOnly:
    name = "announcement_only"

    def evaluate(self, message: Message, context: RuleContext) -> Verdict | None:
        # An integration (a followed announcement channel, a webhook) was set up by someone allowed to manage the
        # channel; its posts are the school's own, and there is nobody to send a notice to.
        if not context.policy.is_announcement or context.may_post or message.by_integration:
            return None
        room = context.policy.room.name
        who = context.author.name if context.author else f"unknown account {message.author}"
        if message.open_reaction:  # a stray emoji is no abuse: it goes, with no notice and no card
            return _only_staff_post(
                f"{who} reacted in announcement room #{room} with other than a read confirmation",
                (ActionKind.DELETE,),
                for_review=False,
            )
        return _only_staff_post(
            f"{who} posted in announcement room #{room}, where only staff may post",
            (ActionKind.DELETE, ActionKind.NOTIFY_SENDER),
            notice=context.notices.announcement_only(room),
        )


def _only_staff_post(
    explanation: str, actions: tuple[ActionKind, ...], *, for_review: bool = True, notice: str | None = None
) -> Verdict:
    return Verdict(
        rule_id="R10",
        rule_name=AnnouncementOnly.name,
        category=Category.ANNOUNCEMENT_ONLY,
        severity=Severity.LOW,
        score=1.0,
        explanation=explanation,
        actions=actions,
        for_review=for_review,
        notice=notice,
    )
