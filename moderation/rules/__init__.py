"""The rules, one small module each. ALL_RULES is explicit: a newcomer sees every rule that runs, in order."""

from moderation.rules.abusive_content import AbusiveContent
from moderation.rules.announcement_only import AnnouncementOnly
from moderation.rules.base import Rule, RuleContext
from moderation.rules.official_claim import OfficialClaim
from moderation.rules.personal_data import PersonalData

ALL_RULES: tuple[Rule, ...] = (AnnouncementOnly(), AbusiveContent(), PersonalData(), OfficialClaim())

__all__ = ["ALL_RULES", "AbusiveContent", "AnnouncementOnly", "OfficialClaim", "PersonalData", "Rule", "RuleContext"]
