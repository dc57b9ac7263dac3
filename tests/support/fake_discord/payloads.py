"""The JSON shapes Discord sends (API v10), built from the fake's world objects: docs/resources/Channel.md,
docs/resources/Message.md (webhook authors, crosspost flags, polls: docs/resources/Poll.md), docs/resources/Guild.md
and docs/topics/Gateway_Events.md "Guild Create" (members and threads as the receiving bot may see them)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.support.fake_discord.state import (
    DM,
    AuditEntry,
    Channel,
    Member,
    Role,
    StoredMessage,
    User,
    World,
)


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def user(u: User) -> dict[str, Any]:
    return {
        "id": str(u.id),
        "username": u.username,
        "global_name": u.global_name if u.global_name is not None else u.username.capitalize(),
        "discriminator": "0",
        "avatar": None,
        "bot": u.bot,
        "public_flags": 0,
    }


def role(r: Role) -> dict[str, Any]:
    return {
        "id": str(r.id),
        "name": r.name,
        "permissions": str(r.permissions),
        "position": r.position,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


def member(world: World, m: Member, *, with_user: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "roles": [str(r) for r in m.role_ids],
        "joined_at": iso(m.joined_at),
        "nick": m.nick,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": iso(m.timed_out_until),
    }
    if with_user:
        data["user"] = user(world.users[m.user_id])
    return data


def channel(world: World, c: Channel) -> dict[str, Any]:
    if c.type == DM:
        return {
            "id": str(c.id),
            "type": DM,
            "last_message_id": None,
            # The other person only, as Discord sends a bot its DM channel (discord.py finds it by its recipient).
            "recipients": [user(world.users[r]) for r in c.recipients if not world.users[r].bot],
        }
    if c.is_thread:
        return {
            "id": str(c.id),
            "type": c.type,
            "guild_id": str(c.guild_id),
            "parent_id": str(c.parent_id),
            "owner_id": str(c.owner_id),
            "name": c.name,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
            "message_count": 0,
            "member_count": 1,
            "total_message_sent": 0,
            "thread_metadata": {
                "archived": c.archived,
                "auto_archive_duration": 1440,
                "archive_timestamp": iso(datetime.now().astimezone()),
                "locked": False,
            },
        }
    return {
        "id": str(c.id),
        "type": c.type,
        "guild_id": str(c.guild_id),
        "name": c.name,
        "position": c.position,
        "parent_id": str(c.parent_id) if c.parent_id is not None else None,
        "topic": None,
        "nsfw": False,
        "rate_limit_per_user": 0,
        "last_message_id": None,
        "flags": 0,
        "permission_overwrites": [
            {"id": str(o.target_id), "type": o.type, "allow": str(o.allow), "deny": str(o.deny)}
            for o in c.overwrites.values()
        ],
    }


def message(world: World, m: StoredMessage, *, with_content: bool = True) -> dict[str, Any]:
    chan = world.channels.get(m.channel_id)
    if m.webhook_id is not None:  # a webhook's post: the webhook as author, no member
        author = {
            "id": str(m.webhook_id),
            "username": m.author_name,
            "discriminator": "0000",
            "avatar": None,
            "bot": True,
        }
    else:
        author = user(world.users[m.author_id])
    data: dict[str, Any] = {
        "id": str(m.id),
        "channel_id": str(m.channel_id),
        "author": author,
        "content": m.content if with_content else "",
        "timestamp": iso(m.timestamp),
        "edited_timestamp": iso(m.edited_timestamp),
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": m.attachments if with_content else [],
        "embeds": m.embeds if with_content else [],
        "pinned": False,
        "type": 19 if m.reference and m.reference.get("type", 0) == 0 and m.webhook_id is None else 0,
        "flags": m.flags,
        "components": m.components,
    }
    if m.webhook_id is not None:
        data["webhook_id"] = str(m.webhook_id)
    if m.poll is not None:
        data["poll"] = m.poll if with_content else m.poll | {"question": {"text": ""}, "answers": []}
    if m.reference is not None:
        data["message_reference"] = m.reference
    if m.snapshots:
        data["message_snapshots"] = m.snapshots if with_content else []
    if chan is not None and chan.guild_id is not None:
        data["guild_id"] = str(chan.guild_id)
        in_guild = world.members.get(m.author_id) if m.webhook_id is None else None
        if in_guild is not None:
            data["member"] = member(world, in_guild, with_user=False)
    return data


def guild(world: World, viewer: int, *, presences: bool, large_threshold: int = 50) -> dict[str, Any]:
    """GUILD_CREATE for `viewer`: threads only the active ones it can see; without the presences intent the
    member list holds only the viewer itself (and voice members, which the fake has none of), and `large` is set
    above the identify's large_threshold."""
    in_guild = [c for c in world.channels.values() if c.guild_id == world.guild_id]
    guild_channels = [c for c in in_guild if not c.is_thread]
    threads = [c for c in in_guild if c.is_thread and not c.archived and world.permissions_in(viewer, c.id)]
    members = [m for m in world.members.values() if presences or m.user_id == viewer]
    return {
        "id": str(world.guild_id),
        "name": world.guild_name,
        "icon": None,
        "owner_id": str(world.owner_id),
        "features": list(world.features),
        "roles": [role(r) for r in world.roles.values()],
        "channels": [channel(world, c) for c in guild_channels],
        "members": [member(world, m) for m in members],
        "member_count": len(world.members),
        "large": len(world.members) > large_threshold,
        "unavailable": False,
        "verification_level": 1,
        "default_message_notifications": 1,
        "explicit_content_filter": 2,
        "mfa_level": 0,
        "premium_tier": 0,
        "preferred_locale": "nl",
        "emojis": [],
        "stickers": [],
        "threads": [channel(world, t) for t in threads],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "voice_states": [],
        "presences": [],
        "system_channel_flags": 0,
        "nsfw_level": 0,
        "joined_at": iso(datetime.now().astimezone()),
    }


def audit_entry(e: AuditEntry) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(e.id),
        "user_id": str(e.user_id),
        "target_id": str(e.target_id),
        "action_type": e.action_type,
        "changes": e.changes,
    }
    if e.reason is not None:
        data["reason"] = e.reason
    if e.options is not None:
        data["options"] = e.options
    return data


def poll(question: str, answers: list[str], *, hours: int = 24) -> dict[str, Any]:
    """A poll as Discord sends it in a message (docs/resources/Poll.md)."""
    expiry = datetime.now().astimezone() + timedelta(hours=hours)
    return {
        "question": {"text": question},
        "answers": [{"answer_id": n, "poll_media": {"text": text}} for n, text in enumerate(answers, start=1)],
        "expiry": iso(expiry),
        "allow_multiselect": False,
        "layout_type": 1,
    }
