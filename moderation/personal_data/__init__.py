"""Personal data in chat text (R6): finding it, and masking it before anything is stored."""

from moderation.personal_data.finders import Finding, Kind, find_personal_data
from moderation.personal_data.masking import mask

__all__ = ["Finding", "Kind", "find_personal_data", "mask"]
