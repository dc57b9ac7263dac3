"""The JSON shapes Discord sends (API v10), built from the fake's world objects."""

from __future__ import annotations

from datetime import datetime
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
        "global_name": u.username.capitalize(),
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
        "nick": None,
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
            "recipients": [user(world.users[r]) for r in c.recipients],
        }
    if c.parent_id is not None:
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
                "archived": False,
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
        "parent_id": None,
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
    data: dict[str, Any] = {
        "id": str(m.id),
        "channel_id": str(m.channel_id),
        "author": user(world.users[m.author_id]),
        "content": m.content if with_content else "",
        "timestamp": iso(m.timestamp),
        "edited_timestamp": iso(m.edited_timestamp),
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": m.attachments if with_content else [],
        "embeds": [],
        "pinned": False,
        "type": 19 if m.reference and m.reference.get("type", 0) == 0 else 0,
        "flags": 0,
        "components": m.components,
    }
    if m.reference is not None:
        data["message_reference"] = m.reference
    if m.snapshots:
        data["message_snapshots"] = m.snapshots if with_content else []
    if chan is not None and chan.guild_id is not None:
        data["guild_id"] = str(chan.guild_id)
        author = world.members.get(m.author_id)
        if author is not None:
            data["member"] = member(world, author, with_user=False)
    return data


def guild(world: World) -> dict[str, Any]:
    in_guild = [c for c in world.channels.values() if c.guild_id == world.guild_id]
    guild_channels = [c for c in in_guild if c.parent_id is None]
    threads = [c for c in in_guild if c.parent_id is not None]
    return {
        "id": str(world.guild_id),
        "name": world.guild_name,
        "icon": None,
        "owner_id": str(world.owner_id),
        "features": list(world.features),
        "roles": [role(r) for r in world.roles.values()],
        "channels": [channel(world, c) for c in guild_channels],
        "members": [member(world, m) for m in world.members.values()],
        "member_count": len(world.members),
        "large": False,
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
