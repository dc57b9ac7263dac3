"""The fake Discord server itself: permission algorithm, error format, gateway handshake, compression, intents."""

from __future__ import annotations

import asyncio
import json
import zlib
from datetime import UTC, datetime, timedelta

import aiohttp
import discord
import pytest

from tests.support.fake_discord import DiscordError, FakeDiscord, World
from tests.support.fake_discord import permissions as p
from tests.support.fake_discord.school import BOT_TOKEN, build_school
from tests.support.fake_discord.state import GUILD_TEXT


def small_world() -> tuple[World, int, int, int]:
    world = World()
    owner, member = world.add_user("owner"), world.add_user("member")
    world.owner_id = owner.id
    channel = world.add_channel("c", type=GUILD_TEXT)
    return world, owner.id, member.id, channel.id


def test_the_owner_has_everything_even_against_overwrites() -> None:
    world, owner, _, channel = small_world()
    world.channels[channel].overwrites[(1, owner)] = p.Overwrite(owner, 1, 0, p.VIEW_CHANNEL)
    assert world.permissions_in(owner, channel) == p.ALL


def test_administrator_bypasses_overwrites() -> None:
    world, _, member, channel = small_world()
    world.add_role("admin", p.ADMINISTRATOR, members=(world.users[member],))
    world.channels[channel].overwrites[(0, world.guild_id)] = p.Overwrite(world.guild_id, 0, 0, p.ALL)
    assert world.permissions_in(member, channel) == p.ALL


def test_overwrites_apply_everyone_then_roles_then_member() -> None:
    world, _, member, channel = small_world()
    role = world.add_role("klas", members=(world.users[member],))
    ows = world.channels[channel].overwrites
    ows[(0, world.guild_id)] = p.Overwrite(world.guild_id, 0, 0, p.SEND_MESSAGES)
    assert not world.permissions_in(member, channel) & p.SEND_MESSAGES
    ows[(0, role.id)] = p.Overwrite(role.id, 0, p.SEND_MESSAGES, 0)
    assert world.permissions_in(member, channel) & p.SEND_MESSAGES  # a role allow beats the @everyone deny
    ows[(1, member)] = p.Overwrite(member, 1, 0, p.SEND_MESSAGES)
    assert not world.permissions_in(member, channel) & p.SEND_MESSAGES  # the member's own overwrite is last


def test_no_send_drops_the_send_dependent_bits_and_no_view_drops_all() -> None:
    world, _, member, channel = small_world()
    ows = world.channels[channel].overwrites
    ows[(0, world.guild_id)] = p.Overwrite(world.guild_id, 0, p.MENTION_EVERYONE, p.SEND_MESSAGES)
    perms = world.permissions_in(member, channel)
    assert perms & p.VIEW_CHANNEL and not perms & (p.MENTION_EVERYONE | p.ATTACH_FILES | p.EMBED_LINKS)
    ows[(1, member)] = p.Overwrite(member, 1, 0, p.VIEW_CHANNEL)
    assert world.permissions_in(member, channel) == 0


def test_a_timed_out_member_can_only_read() -> None:
    world, owner, member, channel = small_world()
    world.timeout_member(owner, member, datetime.now(UTC) + timedelta(minutes=10), reason="afkoelen")
    assert world.permissions_in(member, channel) == p.VIEW_CHANNEL | p.READ_MESSAGE_HISTORY
    with pytest.raises(DiscordError) as refused:
        world.create_message(member, channel, "hallo")
    assert refused.value.code == 50013
    assert world.audit_log[-1].reason == "afkoelen"


def test_nobody_grants_what_they_do_not_hold() -> None:
    world, _, member, channel = small_world()
    world.roles[world.guild_id].permissions = p.VIEW_CHANNEL
    world.add_role("mod", p.MANAGE_ROLES, members=(world.users[member],))
    with pytest.raises(DiscordError) as refused:
        world.put_overwrite(member, channel, world.guild_id, 0, 0, p.SEND_MESSAGES)
    assert (refused.value.status, refused.value.code, refused.value.message) == (403, 50013, "Missing Permissions")
    world.put_overwrite(member, channel, world.guild_id, 0, 0, p.VIEW_CHANNEL)  # held: fine


async def test_rest_errors_use_discords_format_and_exact_json_content_type() -> None:
    world, _, member, channel = small_world()
    world.users[member].bot = True
    async with FakeDiscord(world).running() as fake, aiohttp.ClientSession() as http:
        headers = {"Authorization": "Bot token-member"}
        async with http.get(f"{fake.base_url}/channels/{channel}/messages/123", headers=headers) as response:
            assert response.status == 404 and response.headers["Content-Type"] == "application/json"
            assert await response.json() == {"code": 10008, "message": "Unknown Message"}
        async with http.get(f"{fake.base_url}/channels/999/messages/123", headers=headers) as response:
            assert (await response.json())["code"] == 10003
        async with http.get(f"{fake.base_url}/users/@me", headers={"Authorization": "Bot wrong"}) as response:
            assert response.status == 401
        fake.rest.faults.rate_limit("GET", "/users/@me", retry_after=1.5, is_global=True)
        async with http.get(f"{fake.base_url}/users/@me", headers=headers) as response:
            assert response.status == 429 and response.headers["Via"]
            assert await response.json() == {
                "message": "You are being rate limited.",
                "retry_after": 1.5,
                "global": True,
            }


async def _frames(ws: aiohttp.ClientWebSocketResponse, inflate: zlib._Decompress) -> dict[str, object]:
    frame = await ws.receive(timeout=5)
    assert frame.type is aiohttp.WSMsgType.BINARY and frame.data.endswith(b"\x00\x00\xff\xff")
    return dict(json.loads(inflate.decompress(frame.data)))


async def test_gateway_handshake_with_zlib_stream_and_a_bad_token() -> None:
    school = build_school()
    async with FakeDiscord(school.world).running() as fake, aiohttp.ClientSession() as http:
        url = f"{fake.gateway_url}?v=10&encoding=json&compress=zlib-stream"
        async with http.ws_connect(url) as ws:
            inflate = zlib.decompressobj()
            hello = await _frames(ws, inflate)
            assert hello["op"] == 10
            await ws.send_json({"op": 2, "d": {"token": BOT_TOKEN, "intents": 1 | (1 << 9)}})
            ready = await _frames(ws, inflate)
            guild = await _frames(ws, inflate)
            assert (ready["t"], guild["t"]) == ("READY", "GUILD_CREATE")
            await ws.send_json({"op": 1, "d": 2})
            assert (await _frames(ws, inflate))["op"] == 11
        async with http.ws_connect(url) as ws:
            await ws.receive(timeout=5)
            await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 0}})
            closing = await ws.receive(timeout=5)
            assert closing.type is aiohttp.WSMsgType.CLOSE and closing.data == 4004


async def test_without_the_message_content_intent_the_content_arrives_empty() -> None:
    school = build_school()
    async with FakeDiscord(school.world).running():
        intents = discord.Intents.default()  # no message_content
        client = discord.Client(intents=intents, guild_ready_timeout=0.05)
        seen: list[discord.Message] = []

        @client.event
        async def on_message(message: discord.Message) -> None:
            seen.append(message)

        await client.login(BOT_TOKEN)
        task = asyncio.create_task(client.connect())
        try:
            await asyncio.wait_for(client.wait_until_ready(), 10)
            school.world.create_message(school.sanne.id, school.klas.id, "geheim")
            for _ in range(500):
                if seen:
                    break
                await asyncio.sleep(0.01)
            assert seen and seen[0].content == ""
        finally:
            await client.close()
            await task


async def test_interactions_take_one_initial_response_within_three_seconds() -> None:
    school = build_school()
    async with FakeDiscord(school.world).running() as fake, aiohttp.ClientSession() as http:
        target = school.world.create_message(school.sanne.id, school.klas.id, "hoi")
        fresh = fake.invoke_command(school.daan, school.klas.id, "Report to school", target=target)
        late = fake.invoke_command(school.daan, school.klas.id, "Report to school", target=target)
        fake.rest.interactions_created[late] -= 3.5
        answer = {"type": 5, "data": {"flags": 64}}

        async def respond(interaction: int) -> tuple[int, object]:
            url = f"{fake.base_url}/interactions/{interaction}/interaction-token-{interaction}/callback"
            async with http.post(url, json=answer) as response:
                return response.status, await response.json()

        assert (await respond(fresh))[0] == 200
        assert await respond(fresh) == (400, {"code": 40060, "message": "Interaction has already been acknowledged."})
        assert await respond(late) == (404, {"code": 10062, "message": "Unknown interaction"})


async def test_channel_messages_after_an_id_come_newest_first_and_need_read_message_history() -> None:
    world, _, member, channel = small_world()
    world.users[member].bot = True
    posted = [world.create_message(member, channel, f"bericht {n}") for n in range(5)]
    async with FakeDiscord(world).running() as fake, aiohttp.ClientSession() as http:
        headers = {"Authorization": "Bot token-member"}
        url = f"{fake.base_url}/channels/{channel}/messages?after={posted[1].id}&limit=2"
        async with http.get(url, headers=headers) as response:
            assert [m["id"] for m in await response.json()] == [str(posted[3].id), str(posted[2].id)]
        world.channels[channel].overwrites[(1, member)] = p.Overwrite(member, 1, 0, p.READ_MESSAGE_HISTORY)
        async with http.get(url, headers=headers) as response:
            assert response.status == 200 and await response.json() == []


async def test_without_the_presences_intent_the_guild_comes_with_only_the_bot_as_member() -> None:
    school = build_school()
    async with (
        FakeDiscord(school.world).running() as fake,
        aiohttp.ClientSession() as http,
        http.ws_connect(f"{fake.gateway_url}?v=10&encoding=json") as ws,
    ):
        await ws.receive_json(timeout=5)
        await ws.send_json({"op": 2, "d": {"token": BOT_TOKEN, "intents": 1 | (1 << 1), "large_threshold": 3}})
        await ws.receive_json(timeout=5)
        guild = (await ws.receive_json(timeout=5))["d"]
        assert [m["user"]["id"] for m in guild["members"]] == [str(school.bot.id)]
        assert guild["member_count"] == len(school.world.members) and guild["large"] is True
        for expected in ("GUILD_MEMBERS_CHUNK", "RATE_LIMITED"):  # the whole list: once per window
            await ws.send_json({"op": 8, "d": {"guild_id": str(school.world.guild_id), "limit": 0, "nonce": "x"}})
            assert (await ws.receive_json(timeout=5))["t"] == expected


async def test_too_many_invalid_requests_get_a_temporary_ban() -> None:
    world, _, member, _ = small_world()
    world.users[member].bot = True
    async with FakeDiscord(world).running() as fake, aiohttp.ClientSession() as http:
        fake.rest.invalid_limit = 3
        for _ in range(3):
            async with http.get(f"{fake.base_url}/users/@me", headers={"Authorization": "Bot wrong"}) as response:
                assert response.status == 401
        async with http.get(f"{fake.base_url}/users/@me", headers={"Authorization": "Bot token-member"}) as response:
            assert response.status == 429 and "Via" not in response.headers  # Cloudflare's: discord.py gives up
