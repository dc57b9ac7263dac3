"""The fake Discord's world: one guild, its roles, members, channels, messages and audit log.

Every operation takes the acting user's id and applies Discord's permission checks, so the same call serves the bot
(through REST, with its token) and a test's "human" (called directly, like clicking in the Discord app). A refused
operation raises `DiscordError` with Discord's own status and error code. Changes are announced to the gateway
through `World.listeners` as (event name, payload) pairs.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tests.support.fake_discord import permissions as p
from tests.support.fake_discord.model import (
    CHANNEL_FOLLOWER_WEBHOOK,
    CHANNEL_OVERWRITE_CREATE,
    CHANNEL_OVERWRITE_DELETE,
    CHANNEL_OVERWRITE_UPDATE,
    CROSSPOSTED,
    DISCORD_EPOCH_MS,
    DM,
    GUILD_CATEGORY,
    GUILD_NEWS,
    GUILD_TEXT,
    INCOMING_WEBHOOK,
    IS_CROSSPOST,
    MEMBER_UPDATE,
    MESSAGE_BULK_DELETE,
    MESSAGE_DELETE,
    NEWS_THREAD,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    AuditEntry,
    Channel,
    DiscordError,
    Member,
    Role,
    StoredMessage,
    User,
    Webhook,
    missing_permissions,
)
from tests.support.fake_discord.permissions import Overwrite

Listener = Callable[[str, dict[str, Any]], None]
NONCE_MINUTES = 5  # "the past few minutes" in which Discord returns the message of a repeated nonce


class World:
    """The state of the fake server. Build it with `add_*`, then act with the permission-checked methods."""

    def __init__(self, *, guild_id: int | None = None, guild_name: str = "Test School") -> None:
        self._counter = itertools.count(1)
        self.guild_id = guild_id if guild_id is not None else self.snowflake()
        self.guild_name = guild_name
        self.owner_id = 0
        self.features: list[str] = ["COMMUNITY", "NEWS"]
        self.privileged_intents = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content: all on
        self.users: dict[int, User] = {}
        self.roles: dict[int, Role] = {self.guild_id: Role(self.guild_id, "@everyone", p.DEFAULT_EVERYONE, 0)}
        self.members: dict[int, Member] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, StoredMessage] = {}
        self.deleted: dict[int, StoredMessage] = {}
        self.audit_log: list[AuditEntry] = []
        self.audit_lag = 0.0  # seconds before a new audit-log entry is listed (Discord gives no guarantee)
        self.webhooks: dict[int, Webhook] = {}
        self.dm_opens: dict[int, list[float]] = {}  # per user: when they opened DM channels (40003)
        self.dm_open_limit = (10, 10.0)  # at most this many new DM channels per this many seconds
        self.member_request_window = 30.0  # one request for the whole member list per guild per bot per window
        self.member_requests: dict[tuple[int, int], float] = {}
        self.listeners: list[Listener] = []
        self.nonces: dict[tuple[int, str], tuple[int, float]] = {}  # (author, nonce) → the message, when

    # ---- building the world (no permission checks: this is the test's setup) ----

    def snowflake(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (ms << 22) | (next(self._counter) & 0x3FFFFF)

    def add_user(self, username: str, *, bot: bool = False, token: str | None = None, member: bool = True) -> User:
        user = User(self.snowflake(), username, bot=bot, token=token or f"token-{username}")
        self.users[user.id] = user
        if member:
            self.members[user.id] = Member(user.id)
        return user

    def add_role(self, name: str, permissions: int = 0, *, members: tuple[User, ...] = ()) -> Role:
        role = Role(self.snowflake(), name, permissions, position=len(self.roles))
        self.roles[role.id] = role
        for user in members:
            self.members[user.id].role_ids.append(role.id)
        return role

    def add_channel(
        self, name: str, *, type: int = GUILD_TEXT, category: Channel | None = None, synced: bool = True
    ) -> Channel:
        """A channel; in `category`, with the category's overwrites copied when `synced` (Discord's "Sync
        Permissions": a synced channel starts with, and keeps, its category's overwrites)."""
        channel = Channel(self.snowflake(), name, type, self.guild_id, position=len(self.channels))
        if category is not None:
            channel.parent_id = category.id
            if synced:
                channel.overwrites = {
                    k: Overwrite(o.target_id, o.type, o.allow, o.deny) for k, o in category.overwrites.items()
                }
        self.channels[channel.id] = channel
        return channel

    def add_category(self, name: str) -> Channel:
        return self.add_channel(name, type=GUILD_CATEGORY)

    def user_for_token(self, token: str) -> User | None:
        return next((u for u in self.users.values() if u.token == token), None)

    # ---- looking things up ----

    def channel(self, channel_id: int) -> Channel:
        channel = self.channels.get(channel_id)
        if channel is None:
            raise DiscordError(404, 10003, "Unknown Channel")
        return channel

    def message(self, channel_id: int, message_id: int) -> StoredMessage:
        message = self.messages.get(message_id)
        if message is None or message.channel_id != channel_id:
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    def guild_permissions(self, user_id: int) -> int:
        member = self.members.get(user_id)
        if member is None:
            return 0
        return p.compute_base(
            everyone=self.roles[self.guild_id].permissions,
            roles=[self.roles[r].permissions for r in member.role_ids if r in self.roles],
            is_owner=user_id == self.owner_id,
        )

    def permissions_in(self, user_id: int, channel_id: int) -> int:
        """docs/topics/Permissions.md for channels; docs/topics/Threads.md for threads: a thread has its parent's
        permissions, and a private thread is seen only by its members and by those with Manage Threads."""
        channel = self.channel(channel_id)
        if channel.type == DM:
            return p.VIEW_CHANNEL | p.SEND_MESSAGES | p.READ_MESSAGE_HISTORY if user_id in channel.recipients else 0
        if channel.is_thread and channel.parent_id is not None:
            perms = self.permissions_in(user_id, channel.parent_id)
            if (
                channel.type == PRIVATE_THREAD
                and user_id not in channel.thread_members
                and not perms & p.MANAGE_THREADS
            ):
                return 0
            return perms
        member = self.members.get(user_id)
        if member is None:
            return 0
        until = member.timed_out_until
        return p.compute_channel(
            base=self.guild_permissions(user_id),
            guild_id=self.guild_id,
            member_id=user_id,
            member_role_ids=member.role_ids,
            overwrites=channel.overwrites.values(),
            timed_out=until is not None and until > datetime.now(UTC),
        )

    def _require(self, user_id: int, channel_id: int, bits: int) -> int:
        perms = self.permissions_in(user_id, channel_id)
        if not perms & p.VIEW_CHANNEL:
            raise DiscordError(403, 50001, "Missing Access")
        if perms & bits != bits:
            raise missing_permissions()
        return perms

    def _has_manage_roles_overwrite(self, user_id: int, channel: Channel) -> bool:
        member = self.members.get(user_id)
        targets = {(1, user_id)} | {(0, r) for r in (member.role_ids if member else [])}
        return any(o.allow & p.MANAGE_ROLES for key, o in channel.overwrites.items() if key in targets)

    def _emit(self, event: str, payload: dict[str, Any]) -> None:
        for listener in list(self.listeners):
            listener(event, payload)

    def _audit(self, actor: int, target: int, action: int, reason: str | None, **extra: Any) -> None:
        visible_from = time.monotonic() + self.audit_lag
        self.audit_log.append(
            AuditEntry(self.snowflake(), actor, target, action, reason, **extra, visible_from=visible_from)
        )

    # ---- operations (permission-checked) ----

    def create_message(
        self,
        actor: int,
        channel_id: int,
        content: str,
        *,
        attachments: list[dict[str, Any]] | None = None,
        reference: dict[str, Any] | None = None,
        snapshots: list[dict[str, Any]] | None = None,
        components: list[dict[str, Any]] | None = None,
        poll: dict[str, Any] | None = None,
        embeds: list[dict[str, Any]] | None = None,
        nonce: str | None = None,
    ) -> StoredMessage:
        if nonce is not None:
            first = self._by_nonce(actor, nonce)
            if first is not None:
                return first
        if poll is not None:
            self._require(actor, channel_id, p.SEND_POLLS)
        if self.channel(channel_id).is_thread:
            needed = p.SEND_MESSAGES_IN_THREADS
        else:
            needed = p.SEND_MESSAGES | (p.ATTACH_FILES if attachments else 0)
        self._require(actor, channel_id, needed)
        limit = 2000 if self.users[actor].bot else 4000  # people with Nitro may send 4000 characters, bots 2000
        if len(content) > limit:
            raise DiscordError(400, 50035, f"Invalid Form Body: content must be {limit} or fewer in length")
        if not content and not attachments and not snapshots and not poll and not embeds:
            raise DiscordError(400, 50006, "Cannot send an empty message")
        message = StoredMessage(
            self.snowflake(),
            channel_id,
            actor,
            content,
            datetime.now(UTC),
            attachments=list(attachments or []),
            reference=reference,
            snapshots=list(snapshots or []),
            components=list(components or []),
            poll=poll,
            embeds=list(embeds or []),
            nonce=nonce,
        )
        if nonce is not None:
            self.nonces[(actor, nonce)] = (message.id, time.monotonic())
        self._deliver(message)
        return message

    def _by_nonce(self, actor: int, nonce: str) -> StoredMessage | None:
        """docs/resources/Message.md "Create Message": with `enforce_nonce`, a nonce the same author used in the past
        few minutes returns that message instead of a new one (a deleted one: 404 Unknown Message)."""
        known = self.nonces.get((actor, nonce))
        if known is None or time.monotonic() - known[1] > NONCE_MINUTES * 60:
            return None
        message = self.messages.get(known[0])
        if message is None:
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    def _deliver(self, message: StoredMessage) -> None:
        """Store and announce a new message. A message in an archived (unlocked) thread unarchives it; Discord does
        not document the order of the two events, and the fake sends the message first (the harder case for a bot:
        the thread is not in its cache yet)."""
        self.messages[message.id] = message
        self._emit("MESSAGE_CREATE", {"message": message})
        channel = self.channels.get(message.channel_id)
        if channel is not None and channel.is_thread and channel.archived:
            channel.archived = False
            self._emit("THREAD_UPDATE", {"channel": channel})

    def slip_message(
        self, author: int, channel_id: int, content: str, *, silent: bool = False, **extra: Any
    ) -> StoredMessage:
        """A message that arrives although permissions should have refused it (sent in the moment before the bot
        restored an overwrite, or by a member who has left since): no checks, just delivery. `silent`: stored
        without a gateway event, like a message posted while the bot was offline."""
        self.channel(channel_id)
        message = StoredMessage(self.snowflake(), channel_id, author, content, datetime.now(UTC), **extra)
        if silent:
            self.messages[message.id] = message
        else:
            self._deliver(message)
        return message

    def edit_message(
        self,
        actor: int,
        channel_id: int,
        message_id: int,
        content: str,
        *,
        components: list[dict[str, Any]] | None = None,
        embeds: list[dict[str, Any]] | None = None,
    ) -> StoredMessage:
        message = self.message(channel_id, message_id)
        if message.author_id != actor:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        message.content = content
        if components is not None:  # absent from the edit: the buttons stay as they were
            message.components = list(components)
        if embeds is not None:  # likewise the embeds; []: removed
            message.embeds = list(embeds)
        message.edited_timestamp = datetime.now(UTC)
        self._emit("MESSAGE_UPDATE", {"message": message})
        return message

    def delete_message(self, actor: int, channel_id: int, message_id: int, reason: str | None = None) -> None:
        """docs/resources/Audit_Log.md: deleting someone else's message is logged when a person does it, but a
        bot's single-message delete adds no audit-log entry (the X-Audit-Log-Reason is then nowhere to be seen)."""
        message = self.message(channel_id, message_id)
        if message.author_id != actor:
            self._require(actor, channel_id, p.MANAGE_MESSAGES)
            if not self.users[actor].bot:
                options = {"channel_id": str(channel_id), "count": "1"}
                self._audit(actor, message.author_id, MESSAGE_DELETE, reason, options=options)
        self.deleted[message_id] = self.messages.pop(message_id)
        self._emit("MESSAGE_DELETE", {"id": message_id, "channel_id": channel_id})

    def bulk_delete(self, actor: int, channel_id: int, message_ids: list[int], reason: str | None = None) -> None:
        self._require(actor, channel_id, p.MANAGE_MESSAGES)
        if not 2 <= len(message_ids) <= 100:
            raise DiscordError(400, 50016, "Provided too few or too many messages to delete")
        for message_id in message_ids:
            self.message(channel_id, message_id)
        for message_id in message_ids:
            self.deleted[message_id] = self.messages.pop(message_id)
        self._audit(actor, channel_id, MESSAGE_BULK_DELETE, reason, options={"count": str(len(message_ids))})
        self._emit("MESSAGE_DELETE_BULK", {"ids": message_ids, "channel_id": channel_id})

    def put_overwrite(
        self, actor: int, channel_id: int, target_id: int, type: int, allow: int, deny: int, reason: str | None = None
    ) -> None:
        """docs/resources/Channel.md "Edit Channel Permissions": only permissions the actor has in the guild or
        parent channel (the category, where there is one) can be allowed or denied, unless they have an own Manage
        Roles overwrite in this channel; allowing or denying Manage Roles itself needs Administrator or that own
        overwrite (docs/topics/Permissions.md)."""
        perms = self._require(actor, channel_id, p.MANAGE_ROLES)
        channel = self.channel(channel_id)
        admin = perms == p.ALL
        own_overwrite = self._has_manage_roles_overwrite(actor, channel)
        if channel.parent_id is not None and not channel.is_thread:
            held = self.permissions_in(actor, channel.parent_id)
        else:
            held = self.guild_permissions(actor)
        if not admin and not own_overwrite and (allow | deny) & ~held:
            raise missing_permissions()
        if not admin and not own_overwrite and (allow | deny) & p.MANAGE_ROLES:
            raise missing_permissions()
        key = (type, target_id)
        before = channel.overwrites.get(key)
        channel.overwrites[key] = Overwrite(target_id, type, allow, deny)
        changes = [{"key": "allow", "new_value": str(allow)}, {"key": "deny", "new_value": str(deny)}]
        if before is not None:
            changes[0]["old_value"] = str(before.allow)
            changes[1]["old_value"] = str(before.deny)
        action = CHANNEL_OVERWRITE_UPDATE if before is not None else CHANNEL_OVERWRITE_CREATE
        options = {"id": str(target_id), "type": str(type)}
        self._audit(actor, channel_id, action, reason, changes=changes, options=options)
        self._emit("CHANNEL_UPDATE", {"channel": channel})

    def delete_overwrite(self, actor: int, channel_id: int, target_id: int, reason: str | None = None) -> None:
        self._require(actor, channel_id, p.MANAGE_ROLES)
        channel = self.channel(channel_id)
        removed = [key for key in channel.overwrites if key[1] == target_id]
        for key in removed:
            del channel.overwrites[key]
        if removed:
            options = {"id": str(target_id), "type": str(removed[0][0])}
            self._audit(actor, channel_id, CHANNEL_OVERWRITE_DELETE, reason, options=options)
            self._emit("CHANNEL_UPDATE", {"channel": channel})

    def delete_channel(self, actor: int, channel_id: int) -> None:
        channel = self.channel(channel_id)
        if not self.guild_permissions(actor) & p.MANAGE_CHANNELS:
            raise missing_permissions()
        del self.channels[channel_id]
        self._emit("CHANNEL_DELETE", {"channel": channel})

    def timeout_member(self, actor: int, user_id: int, until: datetime | None, reason: str | None = None) -> Member:
        member = self.members.get(user_id)
        if member is None:
            raise DiscordError(404, 10007, "Unknown Member")
        if not self.guild_permissions(actor) & p.MODERATE_MEMBERS:
            raise missing_permissions()
        if user_id == self.owner_id or self.guild_permissions(user_id) == p.ALL:
            raise missing_permissions()  # owners and administrators cannot be timed out
        member.timed_out_until = until
        self._audit(actor, user_id, MEMBER_UPDATE, reason)
        self._emit("GUILD_MEMBER_UPDATE", {"member": member})
        return member

    def join_guild(self, username: str, *, global_name: str | None = None) -> User:
        """docs/resources/Guild.md, Guild Member Add: a new member (needs the GUILD_MEMBERS intent)."""
        user = self.add_user(username, member=False)
        user.global_name = global_name
        member = self.members[user.id] = Member(user.id)
        self._emit("GUILD_MEMBER_ADD", {"member": member})
        return user

    def set_nick(self, user_id: int, nick: str | None) -> None:
        """docs/resources/Guild.md, Modify Current Member / Guild Member Update: a nickname set or cleared; the
        update carries the whole member with its user, so discord.py also sees a changed global name there."""
        member = self.members[user_id]
        member.nick = nick
        self._emit("GUILD_MEMBER_UPDATE", {"member": member})

    def set_global_name(self, user_id: int, global_name: str) -> None:
        """A user changes the name shown everywhere: Discord tells each guild through Guild Member Update."""
        self.users[user_id].global_name = global_name
        if user_id in self.members:
            self._emit("GUILD_MEMBER_UPDATE", {"member": self.members[user_id]})

    def remove_member(self, user_id: int) -> None:
        """The member leaves the guild (their user and old messages remain)."""
        self.members.pop(user_id, None)
        self._emit("GUILD_MEMBER_REMOVE", {"user_id": user_id})

    def create_thread(self, actor: int, parent_id: int, name: str, *, private: bool = False) -> Channel:
        """docs/topics/Threads.md: a text channel makes public (11) or private (12) threads, an announcement
        channel announcement threads (10); private ones only in text channels. Create Public/Private Threads in
        the parent. The creator is the thread's first member."""
        parent = self.channel(parent_id)
        if parent.type not in (GUILD_TEXT, GUILD_NEWS) or (private and parent.type != GUILD_TEXT):
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        self._require(actor, parent_id, p.CREATE_PRIVATE_THREADS if private else p.CREATE_PUBLIC_THREADS)
        kind = PRIVATE_THREAD if private else NEWS_THREAD if parent.type == GUILD_NEWS else PUBLIC_THREAD
        thread = Channel(self.snowflake(), name, kind, self.guild_id, parent_id=parent_id, owner_id=actor)
        thread.thread_members.add(actor)
        self.channels[thread.id] = thread
        self._emit("THREAD_CREATE", {"channel": thread})
        return thread

    def add_thread_member(self, actor: int, thread_id: int, user_id: int) -> None:
        """Someone in the thread adds `user_id` (a private thread: only its members can)."""
        thread = self.channel(thread_id)
        if not self.permissions_in(actor, thread_id) & p.VIEW_CHANNEL:
            raise DiscordError(403, 50001, "Missing Access")
        thread.thread_members.add(user_id)
        self._emit("THREAD_CREATE", {"channel": thread, "only": user_id})

    def rename_thread(self, actor: int, thread_id: int, name: str) -> Channel:
        thread = self.channel(thread_id)
        if not thread.is_thread:
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        if thread.owner_id != actor:
            self._require(actor, thread_id, p.MANAGE_THREADS)
        if not 1 <= len(name) <= 100:
            raise DiscordError(400, 50035, "Invalid Form Body: name must be 1-100 characters")
        thread.name = name
        self._emit("THREAD_UPDATE", {"channel": thread})
        return thread

    def archive_thread(self, thread_id: int) -> None:
        """The thread archives (inactivity): it leaves the guild's initial data (docs/topics/Threads.md)."""
        thread = self.channel(thread_id)
        thread.archived = True
        self._emit("THREAD_UPDATE", {"channel": thread})

    # ---- webhooks and announcement following (docs/resources/Webhook.md, docs/resources/Channel.md) ----

    def create_webhook(self, actor: int, channel_id: int, name: str) -> Webhook:
        self._require(actor, channel_id, p.MANAGE_WEBHOOKS)
        hook = Webhook(self.snowflake(), channel_id, name, INCOMING_WEBHOOK, f"webhook-token-{self.snowflake()}")
        self.webhooks[hook.id] = hook
        return hook

    def follow(self, actor: int, source_id: int, target_id: int) -> Webhook:
        """ "Follow Announcement Channel": a channel follower webhook in the target (Manage Webhooks there)."""
        source = self.channel(source_id)
        if source.type != GUILD_NEWS:
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        self._require(actor, target_id, p.MANAGE_WEBHOOKS)
        name = f"{self.guild_name} #{source.name}"
        hook = Webhook(self.snowflake(), target_id, name, CHANNEL_FOLLOWER_WEBHOOK, "", source_channel_id=source_id)
        self.webhooks[hook.id] = hook
        return hook

    def execute_webhook(self, webhook_id: int, content: str, *, username: str | None = None) -> StoredMessage:
        """A post through a webhook: its author is the webhook (its id, `bot: true`), with no member."""
        hook = self.webhooks[webhook_id]
        message = StoredMessage(
            self.snowflake(),
            hook.channel_id,
            hook.id,
            content,
            datetime.now(UTC),
            webhook_id=hook.id,
            author_name=username or hook.name,
        )
        self._deliver(message)
        return message

    def crosspost(self, actor: int, channel_id: int, message_id: int) -> list[StoredMessage]:
        """ "Crosspost Message" (publish): every follower webhook posts a copy flagged IS_CROSSPOST, with a
        reference to the original. Send Messages for one's own message, Manage Messages for another's."""
        message = self.message(channel_id, message_id)
        if self.channel(channel_id).type != GUILD_NEWS:
            raise DiscordError(400, 40033, "This message has already been crossposted.")
        self._require(actor, channel_id, p.SEND_MESSAGES if message.author_id == actor else p.MANAGE_MESSAGES)
        if message.flags & CROSSPOSTED:
            raise DiscordError(400, 40033, "This message has already been crossposted.")
        message.flags |= CROSSPOSTED
        copies = []
        for hook in [h for h in self.webhooks.values() if h.source_channel_id == channel_id]:
            reference = {"channel_id": str(channel_id), "guild_id": str(self.guild_id), "message_id": str(message.id)}
            copy = StoredMessage(
                self.snowflake(),
                hook.channel_id,
                hook.id,
                message.content,
                datetime.now(UTC),
                webhook_id=hook.id,
                author_name=hook.name,
                flags=IS_CROSSPOST,
                reference=reference,
            )
            self._deliver(copy)
            copies.append(copy)
        return copies

    def open_dm(self, actor: int, recipient_id: int) -> Channel:
        """Opening a DM channel that is not open yet counts towards a per-user limit: over it, Discord answers
        429 with code 40003 "You are opening direct messages too fast" (docs/topics/Opcodes_and_Status_Codes.md)."""
        if recipient_id not in self.users:
            raise DiscordError(404, 10013, "Unknown User")
        for channel in self.channels.values():
            if channel.type == DM and set(channel.recipients) == {actor, recipient_id}:
                return channel
        count, per = self.dm_open_limit
        now = time.monotonic()
        recent = [t for t in self.dm_opens.get(actor, []) if now - t < per]
        if len(recent) >= count:
            raise DmOpenedTooFast(per - (now - recent[0]))
        self.dm_opens[actor] = [*recent, now]
        channel = Channel(self.snowflake(), "", DM, None, recipients=(actor, recipient_id))
        self.channels[channel.id] = channel
        return channel

    def send_dm(
        self,
        actor: int,
        channel_id: int,
        content: str,
        *,
        components: list[dict[str, Any]] | None = None,
        embeds: list[dict[str, Any]] | None = None,
        nonce: str | None = None,
    ) -> StoredMessage:
        """50007 when the recipient closed their DMs; 50278 when the bot and the recipient no longer share a server
        (a member who left): docs/topics/Opcodes_and_Status_Codes.md."""
        channel = self.channel(channel_id)
        others = [self.users[r] for r in channel.recipients if r != actor]
        if any(u.id not in self.members for u in others):
            raise DiscordError(403, 50278, "Cannot send messages to this user due to having no mutual guilds")
        if any(not u.accepts_dms for u in others):
            raise DiscordError(403, 50007, "Cannot send messages to this user")
        return self.create_message(actor, channel_id, content, components=components, embeds=embeds, nonce=nonce)

    def read_audit_log(self, actor: int, *, action_type: int | None = None, limit: int = 50) -> list[AuditEntry]:
        if not self.guild_permissions(actor) & p.VIEW_AUDIT_LOG:
            raise missing_permissions()
        now = time.monotonic()
        entries = [
            e
            for e in reversed(self.audit_log)
            if (action_type is None or e.action_type == action_type) and e.visible_from <= now
        ]
        return entries[:limit]

    def messages_after(self, actor: int, channel_id: int, after: int, limit: int) -> list[StoredMessage]:
        """docs/resources/Channel.md "Get Channel Messages": View Channel is needed; without Read Message History
        the list is empty. `after`: the `limit` messages right after that id, sent newest first."""
        perms = self._require(actor, channel_id, 0)
        if not perms & p.READ_MESSAGE_HISTORY:
            return []
        found = sorted(
            (m for m in self.messages.values() if m.channel_id == channel_id and m.id > after), key=lambda m: m.id
        )
        return list(reversed(found[:limit]))

    def messages_before(self, actor: int, channel_id: int, before: int | None, limit: int) -> list[StoredMessage]:
        perms = self._require(actor, channel_id, 0)
        if not perms & p.READ_MESSAGE_HISTORY:
            return []
        found = sorted(
            (m for m in self.messages.values() if m.channel_id == channel_id and (before is None or m.id < before)),
            key=lambda m: m.id,
            reverse=True,
        )
        return found[:limit]


class DmOpenedTooFast(DiscordError):
    """40003, answered as a 429 with the time to wait."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(429, 40003, "You are opening direct messages too fast.")
        self.retry_after = retry_after


__all__ = [
    "CHANNEL_FOLLOWER_WEBHOOK",
    "CHANNEL_OVERWRITE_CREATE",
    "CHANNEL_OVERWRITE_DELETE",
    "CHANNEL_OVERWRITE_UPDATE",
    "CROSSPOSTED",
    "DISCORD_EPOCH_MS",
    "DM",
    "GUILD_CATEGORY",
    "GUILD_NEWS",
    "GUILD_TEXT",
    "IS_CROSSPOST",
    "MEMBER_UPDATE",
    "MESSAGE_BULK_DELETE",
    "MESSAGE_DELETE",
    "NEWS_THREAD",
    "PRIVATE_THREAD",
    "PUBLIC_THREAD",
    "AuditEntry",
    "Channel",
    "DiscordError",
    "DmOpenedTooFast",
    "Listener",
    "Member",
    "Role",
    "StoredMessage",
    "User",
    "Webhook",
    "World",
    "missing_permissions",
]
