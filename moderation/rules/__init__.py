"""Every protocol behaviour that decides, one small module each, all listed here: a newcomer sees every rule that
runs, in order.

- ALL_RULES: about what is said (each message, every rule; the strongest verdict wins). They read `may_post` (R10).
- ALL_MEMBER_RULES: about who is in a room, under which name. ALL_ROOM_RULES: about who is in a room together.
- REPORT (R7): someone reported a message. ROOM_SETTINGS (R10): a room's settings were changed.
- RepeatedTargeting (R2): one author's incidents aimed at one person; configured per school (window, threshold),
  so the incident log builds it from the settings.
"""

from moderation.classify.normalize import bundled_lookalikes
from moderation.rules.abusive_content import AbusiveContent
from moderation.rules.announcement_only import AnnouncementOnly
from moderation.rules.base import MemberContext, MemberRule, RoomContext, RoomRule, Rule, RuleContext
from moderation.rules.forged_edit import ForgedEdit
from moderation.rules.impersonation import Impersonation
from moderation.rules.may_post import may_post
from moderation.rules.media import MediaPosts
from moderation.rules.official_claim import OfficialClaim
from moderation.rules.one_to_one_contact import OneToOneContact
from moderation.rules.personal_data import PersonalData
from moderation.rules.quiet_hours import QuietHoursRule
from moderation.rules.repeated_targeting import RepeatedTargeting
from moderation.rules.report import Report
from moderation.rules.room_settings import RoomSettings
from moderation.rules.staff_in_student_room import StaffInStudentRoom

ALL_RULES: tuple[Rule, ...] = (
    AnnouncementOnly(),
    ForgedEdit(),
    AbusiveContent(),
    PersonalData(),
    OfficialClaim(),
    MediaPosts(),
    QuietHoursRule(),
)
ALL_MEMBER_RULES: tuple[MemberRule, ...] = (Impersonation(bundled_lookalikes()), StaffInStudentRoom())
ALL_ROOM_RULES: tuple[RoomRule, ...] = (OneToOneContact(),)
REPORT = Report()
ROOM_SETTINGS = RoomSettings()

__all__ = [
    "ALL_MEMBER_RULES",
    "ALL_ROOM_RULES",
    "ALL_RULES",
    "REPORT",
    "ROOM_SETTINGS",
    "AbusiveContent",
    "AnnouncementOnly",
    "ForgedEdit",
    "Impersonation",
    "MediaPosts",
    "MemberContext",
    "MemberRule",
    "OfficialClaim",
    "OneToOneContact",
    "PersonalData",
    "QuietHoursRule",
    "RepeatedTargeting",
    "Report",
    "RoomContext",
    "RoomRule",
    "RoomSettings",
    "Rule",
    "RuleContext",
    "StaffInStudentRoom",
    "may_post",
]
