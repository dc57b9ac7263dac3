"""One deliverer per platform even when several bot processes share the database: a lease row per platform, held
by one process, renewed at each of its passes and taken over by another only once it has expired (a process that
died). The row is read FOR UPDATE, so two processes taking over at once on PostgreSQL see each other."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from moderation.model import Platform
from moderation.storage.staff_announcements import DeliveryLeaseRow

log = logging.getLogger(__name__)

LEASE_TIME = timedelta(seconds=60)


class DeliveryLease:
    def __init__(self, sessions: sessionmaker[Session], holder: str, *, ttl: timedelta = LEASE_TIME) -> None:
        self._sessions = sessions
        self.holder = holder
        self._ttl = ttl
        self._held: set[Platform] = set()

    def hold(self, platform: Platform, now: datetime) -> bool:
        """True when this process holds (and has now renewed) the platform's lease."""
        name = f"announcements:{platform.value}"
        try:
            with self._sessions.begin() as session:
                row = session.get(DeliveryLeaseRow, name, with_for_update=True)
                if row is None:
                    session.add(DeliveryLeaseRow(name=name, holder=self.holder, expires_at=now + self._ttl))
                elif row.holder == self.holder or _aware(row.expires_at, now) <= now:
                    row.holder, row.expires_at = self.holder, now + self._ttl
                else:
                    self._note(platform, held=False, by=row.holder)
                    return False
        except IntegrityError:  # another process created the row at the same moment: theirs
            self._note(platform, held=False, by="another process")
            return False
        self._note(platform, held=True)
        return True

    def someone_delivers(self, platform: Platform, now: datetime) -> bool:
        """Whether a process (this one or another) holds the platform's lease now, so what is queued there goes out
        within seconds; False when none does (no `schoolwacht run` for it, or it stopped). Claims nothing."""
        with self._sessions() as session:
            row = session.get(DeliveryLeaseRow, f"announcements:{platform.value}")
            return row is not None and _aware(row.expires_at, now) > now

    def release(self) -> None:
        """At a clean stop: another process may take over at once."""
        if not self._held:
            return
        with self._sessions.begin() as session:
            session.execute(
                delete(DeliveryLeaseRow).where(
                    DeliveryLeaseRow.holder == self.holder,
                    DeliveryLeaseRow.name.in_([f"announcements:{p.value}" for p in self._held]),
                )
            )
        self._held.clear()

    def _note(self, platform: Platform, *, held: bool, by: str = "") -> None:
        if held and platform not in self._held:
            log.info("announcements: this process now delivers on %s", platform.value)
            self._held.add(platform)
        elif not held and platform in self._held:
            log.warning("announcements: %s took over delivery on %s", by, platform.value)
            self._held.discard(platform)


def _aware(moment: datetime, like: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=like.tzinfo)
