"""Turn recorded Discord message payloads (tests/adapters/discord/data/*.json) into discord.py `Message` objects,
the way discord.py's own gateway parser does, without a connection."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import discord
from discord.state import ConnectionState

DATA = Path(__file__).parent / "data"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


def _state() -> ConnectionState[discord.Client]:
    return ConnectionState(
        dispatch=lambda *args: None,
        handlers={},
        hooks={},
        http=None,  # type: ignore[arg-type]
        intents=discord.Intents.all(),
    )


def message(data: dict[str, Any], *, thread_parent: str | None = None) -> discord.Message:
    """`thread_parent`: the message is in a thread (data's channel_id) of this channel."""
    state = _state()
    channel: Any
    if "guild_id" in data:
        guild = discord.Guild(data={"id": data["guild_id"], "name": "school"}, state=state)  # type: ignore[typeddict-item]
        channel_data = {"id": data["channel_id"], "type": 0, "name": "klas-2b", "position": 0}
        channel = discord.TextChannel(
            state=state,
            guild=guild,
            data=channel_data | {"guild_id": data["guild_id"], "permission_overwrites": []},  # type: ignore[arg-type]
        )
        guild._add_channel(channel)
        if thread_parent is not None:
            thread_data = {
                "id": data["channel_id"],
                "type": 11,
                "guild_id": data["guild_id"],
                "parent_id": thread_parent,
                "owner_id": data["author"]["id"],
                "name": "huiswerk",
                "message_count": 0,
                "member_count": 1,
                "thread_metadata": {
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": "2026-11-26T08:00:00+00:00",
                    "locked": False,
                },
            }
            channel = discord.Thread(guild=guild, state=state, data=thread_data)  # type: ignore[arg-type]
    else:
        me = discord.ClientUser(
            state=state, data={"id": "1", "username": "bot", "discriminator": "0", "avatar": None, "global_name": None}
        )
        channel = discord.DMChannel(me=me, state=state, data={"id": data["channel_id"], "type": 1, "recipients": []})  # type: ignore[typeddict-item]
    return discord.Message(state=state, channel=channel, data=data)  # type: ignore[arg-type]
