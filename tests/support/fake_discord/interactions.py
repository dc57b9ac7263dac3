"""Interaction payloads a member's click produces: a button or select on a bot message (MESSAGE_COMPONENT), and a
submitted modal (MODAL_SUBMIT). In a guild channel the presser comes as `member`, in a DM as `user`, like Discord.

Discord answers such an interaction only with what the bot sends to the callback endpoint (`rest.interaction_
responses`); the components themselves are checked here against the message, so a test cannot press a button the
bot never sent (Discord rejects that too).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.support.fake_discord import payloads
from tests.support.fake_discord.model import DM, StoredMessage, User
from tests.support.fake_discord.state import World

MESSAGE_COMPONENT = 3
MODAL_SUBMIT = 5
BUTTON, STRING_SELECT, TEXT_INPUT, LABEL = 2, 3, 4, 18


def base(world: World, app_id: int, user: User, channel_id: int, kind: int, data: dict[str, Any]) -> dict[str, Any]:
    """The envelope every interaction shares."""
    interaction_id = world.snowflake()
    channel = world.channel(channel_id)
    body: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(app_id),
        "type": kind,
        "data": data,
        "channel_id": str(channel_id),
        "channel": payloads.channel(world, channel),
        "token": f"interaction-token-{interaction_id}",
        "version": 1,
        "locale": "nl",
        "app_permissions": "0",
        "entitlements": [],
        "attachment_size_limit": 10 * 1024 * 1024,
    }
    if channel.type == DM:
        body |= {"user": payloads.user(user), "context": 1, "authorizing_integration_owners": {"1": str(user.id)}}
    else:
        member = world.members[user.id]
        body |= {
            "guild_id": str(world.guild_id),
            "guild_locale": "nl",
            "member": {**payloads.member(world, member), "permissions": str(world.permissions_in(user.id, channel_id))},
            "context": 0,
            "authorizing_integration_owners": {"0": str(world.guild_id)},
        }
    return body


def find_component(components: list[dict[str, Any]], custom_id: str) -> dict[str, Any] | None:
    for component in components:
        if component.get("custom_id") == custom_id:
            return component
        inner = [*component.get("components", []), *([component["component"]] if "component" in component else [])]
        found = find_component(inner, custom_id)
        if found is not None:
            return found
    return None


def component_press(
    world: World,
    app_id: int,
    user: User,
    message: StoredMessage,
    custom_id: str,
    values: list[str] | None,
    *,
    forged: bool = False,
) -> dict[str, Any]:
    """A click on a button, or a choice in a select menu, of `message`. `forged`: a custom_id the message does not
    carry (a stale client, a crafted request), sent as a button press without checks."""
    component = find_component(message.components, custom_id)
    if forged:
        component = {"type": BUTTON if values is None else STRING_SELECT}
    elif component is None:
        raise AssertionError(f"message {message.id} has no component {custom_id!r}")
    elif component.get("disabled"):
        raise AssertionError(f"component {custom_id!r} is disabled; Discord does not let anyone press it")
    data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"]}
    if component["type"] != BUTTON:
        data["values"] = list(values or [])
    body = base(world, app_id, user, message.channel_id, MESSAGE_COMPONENT, data)
    body["message"] = payloads.message(world, message)
    return body


def modal_submit(
    world: World,
    app_id: int,
    user: User,
    channel_id: int,
    custom_id: str,
    fields: Mapping[str, str | list[str]],
    message: StoredMessage | None = None,
) -> dict[str, Any]:
    """A submitted modal: text fields as str, select fields as lists of chosen values, each in a Label."""
    components: list[dict[str, Any]] = []
    for n, (field_id, value) in enumerate(fields.items(), start=1):
        if isinstance(value, list):
            inner: dict[str, Any] = {"type": STRING_SELECT, "id": n * 2, "custom_id": field_id, "values": value}
        else:
            inner = {"type": TEXT_INPUT, "id": n * 2, "custom_id": field_id, "value": value}
        components.append({"type": LABEL, "id": n * 2 - 1, "component": inner})
    body = base(world, app_id, user, channel_id, MODAL_SUBMIT, {"custom_id": custom_id, "components": components})
    if message is not None:
        body["message"] = payloads.message(world, message)
    return body
