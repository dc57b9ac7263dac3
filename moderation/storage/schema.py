"""The whole schema: every table module imported, so that `Base.metadata` is complete (Alembic compares it with
the migrations, and tests create it)."""

from moderation.storage import announcements, incidents, jobs, people, rooms, state
from moderation.storage.base import Base

TABLE_MODULES = (announcements, incidents, jobs, people, rooms, state)

__all__ = ["TABLE_MODULES", "Base"]
