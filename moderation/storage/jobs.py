"""The scheduler's table, declared here so that Alembic owns the whole schema."""

from __future__ import annotations

from sqlalchemy import Float, LargeBinary, Unicode
from sqlalchemy.orm import Mapped, mapped_column

from moderation.storage.base import Base


class ScheduledJobRow(Base):
    """APScheduler's job store table (SQLAlchemyJobStore), declared here so that Alembic owns the whole schema.

    The columns are exactly the ones APScheduler 3 creates; it finds the table present and leaves it alone.
    """

    __tablename__ = "apscheduler_jobs"

    id: Mapped[str] = mapped_column(Unicode(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)
