"""A small, faithful fake Discord server for tests: discord.py's real client, HTTP client, gateway code and rate
limiter talk to it unchanged.

- `state.World`: the guild (roles, members, channels, messages, audit log) and permission-checked operations;
- `permissions`: Discord's permission bits and algorithm;
- `rest.RestApi`: the v10 REST endpoints the bot uses, request recording; `faults`: queued faults (429s with
  `Via`, 5xx) and rate-limit buckets with the X-RateLimit-* headers discord.py's limiter reads;
- `gateway.GatewaySession`: HELLO/IDENTIFY/READY/GUILD_CREATE, heartbeats, zlib-stream, intents;
- `server.FakeDiscord`: runs both on 127.0.0.1:0 and points discord.py at it; test conveniences (commands,
  raw payloads, outages);
- `school`: a sample school (people, roles, channels) with matching room settings and roster rows.
"""

from tests.support.fake_discord.server import FakeDiscord
from tests.support.fake_discord.state import DiscordError, World

__all__ = ["DiscordError", "FakeDiscord", "World"]
