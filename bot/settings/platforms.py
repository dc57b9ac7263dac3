"""Each platform's section: `[matrix]`, `[discord]`, and the timetable source `[zermelo]`."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, field_validator

from bot.settings.common import STRICT


class MatrixSettings(BaseModel):
    model_config = STRICT

    homeserver: str
    user_id: str
    device_name: str = "schoolwacht"
    store_dir: Path = Path("var/matrix")
    review_room: str | None = None
    sync_timeout_ms: int = Field(default=30_000, ge=1_000)
    # R9 on the school's own homeserver: report rooms with just one staff member and one student to leadership
    # (needs a server admin's token in SCHOOLWACHT_MATRIX_ADMIN_TOKEN; reads who is in rooms, never messages).
    one_to_one_check: bool = False
    # "Gelezen ✓" on teachers' announcements (`!mededeling 2b +gelezen: …`): students may react in announcement rooms
    # (and take their own reaction back), nothing more; a ✅ on such a post counts as read, any other reaction is
    # removed (R10). On, as Discord's button is: a read confirmation is what a teacher asks it for.
    read_reactions: bool = True


class DiscordSettings(BaseModel):
    model_config = STRICT

    guild_id: int
    staff_role_id: int
    review_channel_id: int | None = None


class ZermeloSettings(BaseModel):
    """The timetable relay (docs/announcements.md). The API token comes from SCHOOLWACHT_ZERMELO_TOKEN(_FILE)."""

    model_config = STRICT

    portal: str  # the school's portal name ("school" for https://school.zportal.nl) or a full URL
    user: str = "~me"  # whose schedule; a timetable-office token sees the whole school
    branch_of_school: int | None = None  # read one branch's whole schedule instead of `user`'s
    poll_minutes: float = Field(default=5.0, gt=0, le=1440)
    days_ahead: int = Field(default=7, ge=0, le=28)
    quiet_hours: str = "21:00-07:00"  # no new posts or edits then (local time); "" for none
    groups: dict[str, list[str]] = {}  # Zermelo group → roster classes, where the name alone does not say
    class_rooms: dict[str, list[str]] = {}  # class → room ids, instead of the rooms named after the class
    subjects: dict[str, str] = {}  # subject code → name shown, on top of the usual codes
    news_rooms: list[str] = []  # room ids that also get the school's announcements from Zermelo

    @field_validator("quiet_hours")
    @classmethod
    def _a_span(cls, value: str) -> str:
        from moderation.announcements.quiet import QuietHours

        if value.strip():
            QuietHours.parse(value, ZoneInfo("UTC"))
        return value

    @field_validator("portal")
    @classmethod
    def _a_portal(cls, value: str) -> str:
        if not value.strip() or ("://" not in value and not value.strip().replace("-", "").isalnum()):
            raise ValueError(f'{value!r} is not a portal: write the school\'s portal name (e.g. "school") or a URL')
        return value
