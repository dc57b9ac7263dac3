"""R7: no fabricated messages or fictitious senders — a student's message that claims to speak for the school
("namens de schoolleiding: morgen zijn jullie vrij", signed "groeten, de directie").

Only a claim to speak *on behalf of* the school counts; passing on what the school said ("de school heeft gemaild
dat het 3e uur vervalt") is not a claim. Staff may speak for the school; they are never judged by this rule.
"""

from __future__ import annotations

import re
import unicodedata

from moderation.model import Message, Role, Verdict
from moderation.rules.base import RuleContext
from moderation.rules.impersonation import impersonation

_SCHOOL = (
    r"(?:de )?(?:school|schoolleiding|directie|rector|conrector|teamleider|teamleiding|administratie|roosterkamer"
    r"|roostermaker|leerlingbalie|leerlingzaken|examencommissie|mentoren|docenten|het docententeam|het bestuur)"
)
_CLAIMS = re.compile(
    rf"\bnamens {_SCHOOL}\b"
    rf"|\b(?:officieel|officiële|officiele|belangrijk) (?:bericht|mededeling) (?:van|vanuit|uit naam van) {_SCHOOL}\b"
    rf"|\b(?:officieel|officiële|officiele) (?:bericht|mededeling)\b"
    rf"|\b(?:met )?(?:vriendelijke )?groet(?:en)?,? {_SCHOOL}\s*$"
    rf"|\bin opdracht van {_SCHOOL}\b",
    re.IGNORECASE | re.MULTILINE,
)


class OfficialClaim:
    name = "official_claim"

    def evaluate(self, message: Message, context: RuleContext) -> Verdict | None:
        author = context.author
        if author is not None and author.role is Role.STAFF:
            return None
        text = unicodedata.normalize("NFKC", message.text)
        claim = _CLAIMS.search(text)
        if claim is None:
            return None
        who = author.name if author else f"unknown account {message.author}"
        said = claim.group().strip()
        return impersonation(self.name, f"{who} posted a message that claims to come from the school ('{said}')")
