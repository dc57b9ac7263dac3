"""Short forms for the common cases, so a teacher types little and every class reads the same sentence:

    vervalt 3e uur wiskunde                    → Het 3e uur wiskunde vervalt.
    lokaal 3e uur wiskunde naar B12            → Het 3e uur wiskunde is verplaatst naar lokaal B12.
    toets wiskunde verplaatst naar do 10 dec   → De toets wiskunde is verplaatst naar do 10 dec.

Anything else is posted as typed. Pure.
"""

from __future__ import annotations

import re

from moderation.texts import AnnouncementTexts

_CANCELLED = re.compile(r"^(?:les\s+)?vervalt\s*:?\s+(?P<what>.+?)\.?$", re.IGNORECASE | re.DOTALL)
_ROOM = re.compile(
    r"^(?:lokaal|lokaalwijziging)\s*:?\s+(?P<what>.+?)\s+naar\s+(?:lokaal\s+)?(?P<room>\S+?)\.?$",
    re.IGNORECASE | re.DOTALL,
)
_TEST = re.compile(r"^toets\s+(?P<subject>.+?)\s+verplaatst\s+naar\s+(?P<when>.+?)\.?$", re.IGNORECASE | re.DOTALL)


def expand(body: str, say: AnnouncementTexts) -> str:
    text = body.strip()
    if (found := _CANCELLED.match(text)) is not None:
        return say.cancelled(found["what"])
    if (found := _ROOM.match(text)) is not None:
        return say.room_changed(found["what"], found["room"])
    if (found := _TEST.match(text)) is not None:
        return say.test_moved(found["subject"], found["when"])
    return text
