"""Self-service linking of a chat account to a person on the roster: `!koppel <nummer>` sends a one-time code to the
school e-mail address from the export, `!koppel <code>` confirms it, `!ontkoppel` ends the link.

A code is short-lived, can be tried a few times only and is stored as a salted hash. Every answer about a number
is the same whether the number exists or not, and the mail goes out in the background, so that neither the words
nor the time of the answer tell which numbers are on the roster. Every request, link and unlink is recorded.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import ColumnElement, and_, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from moderation.model import Platform
from moderation.ports import Clock
from moderation.storage.links import AccountLinkHistoryRow, AccountLinkRow, LinkRequestRow, PersonEmailRow
from moderation.storage.people import AccountRow, PersonRow
from moderation.texts import LinkingTexts

log = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread in a mail
CODE_LENGTH = 8


class CodeMailer(Protocol):
    async def send(self, to: str, subject: str, body: str) -> None:
        """Deliver one plain-text mail; raises OSError (or a subclass) when it cannot."""
        ...


@dataclass(frozen=True, slots=True)
class LinkPolicy:
    code_lifetime: timedelta = timedelta(minutes=15)
    max_attempts: int = 5  # wrong codes before the request is void
    max_requests: int = 3  # codes per account, and per person, in `request_window`
    request_window: timedelta = timedelta(hours=1)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(text: str) -> str | None:
    """The code as stored, when `text` can be one ("abcd-efgh", "ABCD EFGH"); None otherwise."""
    plain = text.replace("-", "").replace(" ", "").upper()
    return plain if len(plain) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in plain) else None


def shown_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def _hash(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def prefix_of(platform: Platform) -> str:
    return "/" if platform is Platform.DISCORD else "!"


class AccountLinking:
    """The linking commands of one process. `on_change` runs after a link or unlink (the app reloads who is who)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        mailer: CodeMailer,
        *,
        policy: LinkPolicy | None = None,
        on_change: Callable[[], None] = lambda: None,
        codes: Callable[[], str] = new_code,
        texts: LinkingTexts,
    ) -> None:
        self._say = texts
        self._sessions = sessions
        self._clock = clock
        self._mailer = mailer
        self._policy = policy or LinkPolicy()
        self._on_change = on_change
        self._codes = codes
        self._sending: set[asyncio.Task[None]] = set()

    async def handle(self, platform: Platform, account: str, text: str, command_id: str = "") -> str | None:
        """A `!koppel …` or `!ontkoppel` typed in a private chat with the bot: the answer; None for anything else."""
        words = text.strip().split(maxsplit=1)
        if not words or words[0].lower().lstrip("!/") not in ("koppel", "ontkoppel") or words[0][0] not in "!/":
            return None
        verb, rest = words[0].lower().lstrip("!/"), (words[1].strip() if len(words) > 1 else "")
        c = prefix_of(platform)
        try:
            if verb == "ontkoppel":
                return self.unlink(platform, account)
            if not rest:
                return self._say.how(c)
            code = normal_code(rest)
            if code is not None and self._pending(platform, account):
                return self.confirm(platform, account, code)
            return self.request(platform, account, rest[:64])  # no roster id is longer
        except Exception:
            log.exception("linking: %s %s of %s:%s failed", verb, "…" if rest else "", platform.value, account)
            return self._say.failed()

    def request(self, platform: Platform, account: str, number: str) -> str:
        """Send a code for `number` (a student or staff number) to that person's school mailbox."""
        c, now, policy = prefix_of(platform), self._clock.now(), self._policy
        minutes = int(policy.code_lifetime.total_seconds() // 60)
        with self._sessions.begin() as session:
            self._expire(session, now)
            owner = _owner(session, platform, account)
            if owner is not None:
                return self._say.already_linked(owner.name, c)
            since = now - policy.request_window
            asked = session.scalar(
                select(func.count())
                .select_from(AccountLinkHistoryRow)
                .where(
                    AccountLinkHistoryRow.at >= since,
                    AccountLinkHistoryRow.platform == platform.value,
                    AccountLinkHistoryRow.account_id == account,
                    AccountLinkHistoryRow.action.in_(("requested", "requested-unknown")),
                )
            )
            if (asked or 0) >= policy.max_requests:
                return self._say.too_many_requests(int(policy.request_window.total_seconds() // 60))
            person = session.scalars(
                select(PersonRow).where(PersonRow.active.is_(True), func.lower(PersonRow.id) == number.lower())
            ).first()
            email = session.get(PersonEmailRow, person.id) if person is not None else None
            if person is None or email is None or _requests_for(session, person.id, since) >= policy.max_requests:
                if person is not None and email is None:
                    log.warning("linking: %s has no e-mail address in the roster export", person.id)
                session.execute(delete(LinkRequestRow).where(_account_is(LinkRequestRow, platform, account)))
                _record(session, now, None, platform, account, "requested-unknown")
                return self._say.code_sent(c, minutes)
            code, salt = self._codes(), secrets.token_hex(16)
            session.execute(delete(LinkRequestRow).where(_account_is(LinkRequestRow, platform, account)))
            session.add(
                LinkRequestRow(
                    platform=platform.value,
                    account_id=account,
                    person_id=person.id,
                    code_hash=_hash(salt, code),
                    salt=salt,
                    attempts=0,
                    created_at=now,
                    expires_at=now + policy.code_lifetime,
                )
            )
            _record(session, now, person.id, platform, account, "requested")
            first_name = person.name.split()[0] if person.name.split() else person.name
            body = self._say.mail_body(first_name, platform.value.capitalize(), account, shown_code(code), c, minutes)
            address = email.email
        self._send_later(address, body)
        return self._say.code_sent(c, minutes)

    def confirm(self, platform: Platform, account: str, code: str) -> str:
        c, now = prefix_of(platform), self._clock.now()
        with self._sessions.begin() as session:
            request = session.scalars(select(LinkRequestRow).where(_account_is(LinkRequestRow, platform, account)))
            pending = request.first()
            if pending is None:
                return self._say.no_request(c)
            if _aware(pending.expires_at) <= now:
                _record(session, now, pending.person_id, platform, account, "expired")
                session.delete(pending)
                return self._say.expired(c)
            if not secrets.compare_digest(pending.code_hash, _hash(pending.salt, code)):
                pending.attempts += 1
                left = self._policy.max_attempts - pending.attempts
                _record(session, now, pending.person_id, platform, account, "wrong-code")
                if left <= 0:
                    _record(session, now, pending.person_id, platform, account, "refused", "too many wrong codes")
                    session.delete(pending)
                    return self._say.too_many_wrong(c)
                return self._say.wrong_code(left)
            person = session.get(PersonRow, pending.person_id)
            session.delete(pending)
            owner = _owner(session, platform, account)
            if person is None or not person.active or owner is not None:
                _record(session, now, pending.person_id, platform, account, "refused", "account taken meanwhile")
                return self._say.taken_meanwhile(c) if owner is not None else self._say.expired(c)
            old = session.scalars(
                select(AccountLinkRow).where(
                    AccountLinkRow.person_id == person.id, AccountLinkRow.platform == platform.value
                )
            ).all()
            replaced = ""
            for link in old:  # a new account on the same platform: the old link ends
                _end_link(session, link)
                _record(session, now, person.id, platform, link.account_id, "replaced", f"by {account}")
                replaced = link.account_id
            session.flush()
            session.add(AccountLinkRow(platform=platform.value, account_id=account, person_id=person.id, linked_at=now))
            session.add(AccountRow(platform=platform.value, account_id=account, person_id=person.id))
            _record(session, now, person.id, platform, account, "linked")
            answer = self._say.linked(person.name, c) + (
                self._say.linked_instead(person.name, replaced) if replaced else ""
            )
        self._on_change()
        return answer

    def unlink(self, platform: Platform, account: str) -> str:
        c, now = prefix_of(platform), self._clock.now()
        with self._sessions.begin() as session:
            withdrawn = session.execute(delete(LinkRequestRow).where(_account_is(LinkRequestRow, platform, account)))
            link = session.scalars(select(AccountLinkRow).where(_account_is(AccountLinkRow, platform, account))).first()
            if link is None:
                if _owner(session, platform, account) is not None:
                    return self._say.from_the_roster()
                if getattr(withdrawn, "rowcount", 0):
                    _record(session, now, None, platform, account, "withdrawn")
                    return self._say.request_withdrawn()
                return self._say.not_linked(c)
            person = session.get(PersonRow, link.person_id)
            _end_link(session, link)
            _record(session, now, link.person_id, platform, account, "unlinked")
            name = person.name if person is not None else link.person_id
        self._on_change()
        return self._say.unlinked(name)

    def expire(self) -> int:
        """Drop the codes nobody confirmed in time (recorded as expired); how many."""
        with self._sessions.begin() as session:
            return self._expire(session, self._clock.now())

    async def drain(self) -> None:
        """Wait for the mails still being sent (at shutdown, and in tests)."""
        while self._sending:
            await asyncio.gather(*list(self._sending))

    def _pending(self, platform: Platform, account: str) -> bool:
        with self._sessions() as session:
            found = session.scalars(select(LinkRequestRow.id).where(_account_is(LinkRequestRow, platform, account)))
            return found.first() is not None

    def _expire(self, session: Session, now: datetime) -> int:
        gone = session.scalars(select(LinkRequestRow).where(LinkRequestRow.expires_at <= now)).all()
        for request in gone:
            _record(session, now, request.person_id, Platform(request.platform), request.account_id, "expired")
            session.delete(request)
        return len(gone)

    def _send_later(self, address: str, body: str) -> None:
        task = asyncio.get_running_loop().create_task(self._send(address, body))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, address: str, body: str) -> None:
        try:
            await self._mailer.send(address, self._say.mail_subject(), body)
        except Exception as exc:
            log.error("linking: the code mail could not be sent (check [smtp]): %s", exc)


def _account_is(
    table: type[LinkRequestRow] | type[AccountLinkRow], platform: Platform, account: str
) -> ColumnElement[bool]:
    return and_(table.platform == platform.value, table.account_id == account)


def _owner(session: Session, platform: Platform, account: str) -> PersonRow | None:
    row = session.scalars(
        select(AccountRow).where(AccountRow.platform == platform.value, AccountRow.account_id == account)
    ).first()
    return session.get(PersonRow, row.person_id) if row is not None else None


def _requests_for(session: Session, person_id: str, since: datetime) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(AccountLinkHistoryRow)
            .where(
                AccountLinkHistoryRow.at >= since,
                AccountLinkHistoryRow.person_id == person_id,
                AccountLinkHistoryRow.action == "requested",
            )
        )
        or 0
    )


def _end_link(session: Session, link: AccountLinkRow) -> None:
    session.execute(
        delete(AccountRow).where(AccountRow.platform == link.platform, AccountRow.account_id == link.account_id)
    )
    session.delete(link)


def _record(
    session: Session,
    now: datetime,
    person_id: str | None,
    platform: Platform,
    account: str,
    action: str,
    detail: str = "",
) -> None:
    session.add(
        AccountLinkHistoryRow(
            at=now, person_id=person_id, platform=platform.value, account_id=account, action=action, detail=detail
        )
    )


def _aware(moment: datetime) -> datetime:
    # SQLite gives the stored moment back without its time zone; it was stored in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
