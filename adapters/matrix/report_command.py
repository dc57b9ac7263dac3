"""`!report [reason]`, sent as a reply to a message or with its matrix.to link: who reports which message, why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from adapters.matrix.event_fields import MalformedEvent
from adapters.matrix.translate import message_from_event, parse_event_link
from moderation.model import AccountId, EventId, RoomId

REPORT_COMMAND = "!report"
REPORT_REASON_MAX = 500  # the reason lands on the incident card; a pasted essay must not flood every reviewer's card


@dataclass(frozen=True, slots=True)
class ReportCommand:
    reporter: AccountId
    target: EventId  # the message being reported (the one the command replies to, or the one its link names)
    reason: str
    command_event: EventId
    target_room: RoomId | None = None  # set when the message was named by a matrix.to link (a private report)


def report_command(room_id: str, event: Mapping[str, object]) -> ReportCommand | None:
    """`!report [reason]` sent as a reply: which message is reported, by whom, why. None when it is not one."""
    if event.get("type") != "m.room.message":
        return None
    message = message_from_event(room_id, event)
    if message is None or message.is_edit:
        return None
    words = message.text.strip().split(maxsplit=1)
    if not words or words[0].lower() != REPORT_COMMAND:
        return None
    tokens = words[1].split() if len(words) > 1 else []
    named = None
    if message.reply_to is None:  # a private report: the message's link, e.g. in the direct room with the bot
        links = [token for token in tokens if token.startswith("https://matrix.to/")]
        named = parse_event_link(links[0]) if links else None
        if named is None:
            raise MalformedEvent("!report must be sent as a reply to the message it reports, or with its link")
        tokens = [token for token in tokens if token not in links]  # (an HTML rendering may repeat the link)
    reason = " ".join(tokens)
    if len(reason) > REPORT_REASON_MAX:
        reason = reason[: REPORT_REASON_MAX - 1] + "…"
    target = named[1] if named else message.reply_to
    assert target is not None
    return ReportCommand(
        reporter=message.author,
        target=target,
        reason=reason,
        command_event=message.event_id,
        target_room=named[0] if named else None,
    )
