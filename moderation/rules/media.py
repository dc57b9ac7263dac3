"""R6: no photos or videos of someone else without their consent. The bot cannot see who is in a picture; where a
room's policy asks for it, a photo or video posted by a student is flagged for the mentor or taken down with a
notice. The media is never copied: the reviewer sees it through the platform's own link to the message.

An optional image tier (docs/image-tier.md) would plug in through `MediaScanner` in moderation/ports.py and lift or
lower this rule's verdict; none ships by default.
"""

from __future__ import annotations

from moderation.model import ActionKind, Category, MediaFinding, Message, Role, Severity, Verdict
from moderation.policy import MediaAction
from moderation.rules.base import RuleContext

_SURE = 0.8  # an image tier's score from which its finding decides, whatever the room's policy


class MediaPosts:
    name = "media_posts"

    def evaluate(self, message: Message, context: RuleContext) -> Verdict | None:
        if not message.has_media:
            return None
        seen = context.media
        if seen is not None and seen.score >= _SURE:
            return _seen_by_the_image_tier(seen, context)
        action = context.policy.media
        if action is MediaAction.ALLOW:
            return None
        author = context.author
        if author is not None and author.role is Role.STAFF:
            return None
        room = context.policy.room.name
        held = action is MediaAction.HOLD
        return Verdict(
            rule_id="R6",
            rule_name=self.name,
            category=Category.MEDIA,
            severity=Severity.LOW,
            score=1.0,
            explanation=f"a photo or video in #{room}, where the room's policy is '{action.value}'",
            actions=(ActionKind.DELETE, ActionKind.NOTIFY_SENDER) if held else (ActionKind.FLAG,),
            notice=context.notices.media_held(room) if held else None,
        )


def _seen_by_the_image_tier(seen: MediaFinding, context: RuleContext) -> Verdict:
    """Whatever the room's policy: an image tier that is sure (e.g. nudity) takes it down for the mentor."""
    return Verdict(
        rule_id="R7" if seen.category is Category.SEXUAL else "R6",
        rule_name="media_posts",
        category=seen.category,
        severity=Severity.HIGH,
        score=seen.score,
        explanation=seen.explanation,
        actions=(ActionKind.DELETE, ActionKind.NOTIFY_SENDER),
        notice=context.notices.media_removed(context.policy.room.name),
    )
