"""R6: no information about someone else without their consent — phone numbers, home addresses, e-mail addresses,
citizen service numbers, bank accounts and licence plates shared in chat.

Someone's own data, given by themselves ("app me op 06…"), is not an incident; someone else's is ("hier is zijn
nummer"). Staff posting in a room they run (a teacher's own number in an announcement) are not judged by this rule.
The incident keeps a masked excerpt, so that the log never becomes a second copy of the leak.
"""

from __future__ import annotations

import re

from moderation.model import ActionKind, Category, Message, Role, RoomKind, Severity, Verdict
from moderation.personal_data import Finding, Kind, find_personal_data, mask
from moderation.policy import PersonalDataAction
from moderation.rules.base import RuleContext

# Words that say the data is someone else's; when they stand near it, the data is not the author's own.
_SOMEONE_ELSE = re.compile(
    r"\b(?:zijn|z'n|zn|haar|d'r|hun|hij|zij|ze|hem|die|dat is van|van (?:de|die|dat|een)?\s?\w{2,20})\b", re.IGNORECASE
)
# Words that say it is the author's own ("mijn nummer", "app me", "bel me").
_OWN = re.compile(r"\b(?:mijn|mn|m'n|me|mij|ik woon|ik ben te bereiken)\b", re.IGNORECASE)
# Phrases that share data about someone: they make an incident more serious (doxxing).
_SHARING = re.compile(
    r"\b(?:(?:zijn|haar|hun|z'n|d'r) (?:adres|nummer|06|mail|e-?mail|bsn|rekeningnummer|kenteken)"
    r"|hier is (?:zijn|haar|hun|z'n|d'r)|dit is waar (?:hij|zij|ze) wo(?:o|)nt|(?:hij|zij|ze) woont (?:op|in|aan))\b",
    re.IGNORECASE,
)
_SENSITIVE = frozenset({Kind.BSN, Kind.IBAN, Kind.ADDRESS})
_STAFF_ROOMS = frozenset({RoomKind.ANNOUNCEMENT, RoomKind.STAFF_RUN})
_WINDOW = 40


class PersonalData:
    name = "personal_data"

    def evaluate(self, message: Message, context: RuleContext) -> Verdict | None:
        action = context.policy.personal_data_action
        if action is PersonalDataAction.ALLOW or not message.text:
            return None
        author = context.author
        if author is not None and author.role is Role.STAFF and context.policy.room.kind in _STAFF_ROOMS:
            return None
        every = find_personal_data(message.text)
        findings = [f for f in every if not _is_own(message.text, f)]
        if not findings:
            return None
        kinds = sorted({f.kind for f in findings}, key=list(Kind).index)
        shared = bool(_SHARING.search(message.text))
        severity = Severity.HIGH if shared or _SENSITIVE.intersection(kinds) else Severity.MEDIUM
        what = ", ".join(k.value for k in kinds)
        masked = mask(message.text, every)  # the author's own data too: the log keeps none of it
        actions = (
            (ActionKind.DELETE, ActionKind.NOTIFY_SENDER) if action is PersonalDataAction.HOLD else (ActionKind.FLAG,)
        )
        return Verdict(
            rule_id="R6",
            rule_name=self.name,
            category=Category.PERSONAL_DATA,
            severity=severity,
            score=1.0,
            explanation=f"personal data of someone else: {what}" + (" (shared about a person)" if shared else ""),
            actions=actions,
            notice=context.notices.personal_data(
                context.policy.room.name, [k.value for k in kinds], held=action is PersonalDataAction.HOLD
            ),
            excerpt=masked,
        )


def _is_own(text: str, finding: Finding) -> bool:
    before = text[max(0, finding.start - _WINDOW) : finding.start]
    after = text[finding.end : finding.end + _WINDOW]
    around = before + " " + after
    return bool(_OWN.search(around)) and not _SOMEONE_ELSE.search(around)
