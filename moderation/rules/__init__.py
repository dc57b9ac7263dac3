"""The rules, one small module each. ALL_RULES (about what is said) and ALL_MEMBER_RULES (about who is in a room,
under which name) are explicit: a newcomer sees every rule that runs, in order."""

from moderation.classify.normalize import bundled_lookalikes
from moderation.rules.abusive_content import AbusiveContent
from moderation.rules.announcement_only import AnnouncementOnly
from moderation.rules.base import MemberContext, MemberRule, RoomContext, RoomRule, Rule, RuleContext
from moderation.rules.impersonation import Impersonation
from moderation.rules.media import MediaPosts
from moderation.rules.official_claim import OfficialClaim
from moderation.rules.one_to_one_contact import OneToOneContact
from moderation.rules.personal_data import PersonalData
from moderation.rules.quiet_hours import QuietHoursRule
from moderation.rules.staff_in_student_room import StaffInStudentRoom

ALL_RULES: tuple[Rule, ...] = (
    AnnouncementOnly(),
    AbusiveContent(),
    PersonalData(),
    OfficialClaim(),
    MediaPosts(),
    QuietHoursRule(),
)
ALL_MEMBER_RULES: tuple[MemberRule, ...] = (Impersonation(bundled_lookalikes()), StaffInStudentRoom())
ALL_ROOM_RULES: tuple[RoomRule, ...] = (OneToOneContact(),)

__all__ = [
    "ALL_MEMBER_RULES",
    "ALL_ROOM_RULES",
    "ALL_RULES",
    "AbusiveContent",
    "AnnouncementOnly",
    "Impersonation",
    "MediaPosts",
    "MemberContext",
    "MemberRule",
    "OfficialClaim",
    "OneToOneContact",
    "PersonalData",
    "QuietHoursRule",
    "RoomContext",
    "RoomRule",
    "Rule",
    "RuleContext",
    "StaffInStudentRoom",
]
