"""A sample school on the fake Discord server: the guild, its people and channels, and the matching room settings,
roster rows and adapter config. Used by the Discord adapter's tests and by `benchmarks.discord_latency`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adapters.discord.config import DiscordConfig
from tests.support.core import SAMPLE_PEOPLE
from tests.support.fake_discord import permissions as p
from tests.support.fake_discord.state import GUILD_NEWS, Channel, Role, User, World

BOT_TOKEN = "bot-token-schoolwacht"

# What the bot's role grants in a correctly set-up school server.
BOT_PERMISSIONS = (
    p.VIEW_CHANNEL
    | p.SEND_MESSAGES
    | p.READ_MESSAGE_HISTORY
    | p.MANAGE_MESSAGES
    | p.MANAGE_ROLES
    | p.VIEW_AUDIT_LOG
    | p.MENTION_EVERYONE
    | p.CREATE_PUBLIC_THREADS
    | p.CREATE_PRIVATE_THREADS
    | p.SEND_MESSAGES_IN_THREADS
    | p.MANAGE_THREADS
    | p.MODERATE_MEMBERS
)


@dataclass
class School:
    """The fake guild: who is who and which channel is which."""

    world: World
    owner: User
    bot: User
    teacher: User  # Meneer Jansen, mentor of Sanne and Daan, holds the staff role
    sanne: User
    daan: User
    ict: User  # a member with Manage Roles who "tidies up" channel settings (drift)
    staff_role: Role
    bot_role: Role
    announcements: Channel
    klas: Channel
    review: Channel
    accounts: dict[str, User] = field(default_factory=dict)  # roster person id -> their Discord user

    def rooms(self) -> list[dict[str, Any]]:
        return [
            {
                "platform": "discord",
                "id": str(self.announcements.id),
                "name": "mededelingen-2b",
                "kind": "announcement",
                "posters": ["staff"],
                "abuse_action": "delete",
                "notify_sender": True,
            },
            {
                "platform": "discord",
                "id": str(self.klas.id),
                "name": "klas-2b",
                "kind": "student-run",
                "abuse_action": "delete",
                "notify_sender": True,
            },
        ]

    def people(self) -> list[dict[str, str]]:
        """The sample roster, with each person's Discord user id from `accounts`."""
        ids = {person: str(user.id) for person, user in self.accounts.items()}
        return [{**row, "discord_id": ids.get(row["id"], "")} for row in SAMPLE_PEOPLE]

    def config(self) -> DiscordConfig:
        return DiscordConfig(
            guild_id=self.world.guild_id,
            staff_role_id=self.staff_role.id,
            review_channel_id=self.review.id,
            guild_ready_timeout=0.05,
            ready_timeout=10.0,
            audit_log_wait=0.3,
            member_list_wait=10.0,
        )


def build_school(*, bot_permissions: int = BOT_PERMISSIONS) -> School:
    world = World(guild_name="Minkema (test)")
    owner = world.add_user("rector")
    world.owner_id = owner.id
    bot = world.add_user("schoolwacht", bot=True, token=BOT_TOKEN)
    teacher, sanne, daan, ict = (world.add_user(n) for n in ("jansen", "sanne", "daan", "ict"))
    staff_role = world.add_role("docenten", members=(teacher,))
    bot_role = world.add_role("schoolwacht", bot_permissions, members=(bot,))
    ict_permissions = p.MANAGE_ROLES | p.MANAGE_CHANNELS | p.VIEW_AUDIT_LOG | p.SEND_MESSAGES
    world.add_role("ict-beheer", ict_permissions, members=(ict,))
    announcements = world.add_channel("mededelingen-2b", type=GUILD_NEWS)
    klas = world.add_channel("klas-2b")
    review = world.add_channel("incidenten")
    # The review channel is for staff only.
    world.channels[review.id].overwrites[(0, world.guild_id)] = p.Overwrite(world.guild_id, 0, 0, p.VIEW_CHANNEL)
    world.channels[review.id].overwrites[(0, staff_role.id)] = p.Overwrite(staff_role.id, 0, p.VIEW_CHANNEL, 0)
    world.channels[review.id].overwrites[(0, bot_role.id)] = p.Overwrite(bot_role.id, 0, p.VIEW_CHANNEL, 0)
    accounts = {"jan": teacher, "sanne": sanne, "daan": daan, "dir": owner}
    return School(
        world, owner, bot, teacher, sanne, daan, ict, staff_role, bot_role, announcements, klas, review, accounts
    )
