"""The whole schema: every table module imported, so that `Base.metadata` is complete (Alembic compares it with
the migrations, and tests create it)."""

from moderation.storage import announcements, desk, incidents, jobs, links, people, rooms, staff_announcements, state
from moderation.storage.base import Base

TABLE_MODULES = (announcements, desk, incidents, jobs, links, people, rooms, staff_announcements, state)

__all__ = ["TABLE_MODULES", "Base"]
