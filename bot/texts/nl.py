"""Dutch: what students, mentors, coordinators and school leadership read in chat. Plain words, no jargon: what
happened, where, when, why the bot thinks so, what it did, and what the reader can do."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import tzinfo

from bot.texts.nl_announcements import DutchAnnouncements
from bot.texts.nl_desk import DutchDesk
from bot.texts.nl_linking import DutchLinking
from bot.texts.nl_notices import DutchNotices
from bot.texts.nl_phrases import HELP, LEVELS, PHRASES
from bot.texts.nl_timetable import DutchTimetable
from moderation.classify.context import DISCLOSURE_REASON
from moderation.digest import Digest
from moderation.incidents.cards import SCHOOL_TZ, Card
from moderation.incidents.commands import CommandError, ReviewCommand
from moderation.incidents.review import Result, ReviewResult, parse_escalation
from moderation.model import Person
from moderation.texts import Phrase, Withdrawal

CATEGORIES = {
    "insult": "een scheldwoord of belediging",
    "harassment": "pesten of lastigvallen",
    "threat": "een bedreiging",
    "discrimination": "discriminatie of een racistische opmerking",
    "sexual": "seksueel getinte taal",
    "self-harm": "zorgen over zelfbeschadiging",
    "announcement-only": "een bericht in een kanaal waar alleen docenten mogen schrijven",
    "permission-drift": "de instellingen van een mededelingenkanaal zijn veranderd",
    "reported": "iemand heeft dit bericht gemeld",
    "personal-data": "persoonlijke gegevens van iemand anders",
    "impersonation": "iemand doet zich voor als docent of als de school",
    "staff-in-student-room": "een medewerker in een groepschat van leerlingen",
    "media": "een foto of video die bekeken moet worden",
    "quiet-hours": "een bericht tijdens de stiltetijd",
    "one-to-one": "een chat met alleen één medewerker en één leerling",
    "forged-edit": "een bewerking die doet alsof het andermans bericht is",
    "rule-error": "een bericht dat de bot niet kon beoordelen (een fout in de bot)",
}
SEVERITIES = {1: "licht", 2: "matig", 3: "ernstig", 4: "zeer ernstig"}
STATUSES = {
    "open": "nieuw",
    "in-review": "in behandeling",
    "resolved": "afgehandeld",
    "dismissed": "afgewezen (vals alarm)",
}
REASONS = {
    "mentor": "mentor",
    "coordinator": "anti-pestcoördinator",
    "manager": "leidinggevende",
    "leadership": "schoolleiding",
}
ESCALATION_CHOICES = {
    "coordinator": "Anti-pestcoördinator",
    "leadership": "Schoolleiding",
    "police": "Mogelijk strafbaar (de schoolleiding beslist over de politie)",
}
ESCALATED_TO = {
    "coordinator": "de anti-pestcoördinator",
    "leadership": "de schoolleiding",
    "police": "de schoolleiding (mogelijk strafbaar: zij beslist over de politie)",
}
ACTIONS = {"delete": "bericht verwijderd", "notify-sender": "afzender gewaarschuwd"}
ACTION_STATUS = {
    "failed": " (niet alles is gelukt)",
    "dry-run": " (proefstand: niet echt gedaan)",
    "pending": " (nog bezig)",
}
WITHDRAWN = {
    Withdrawal.ERASED: "Melding #{n} is gewist (privacy).",
    Withdrawal.CHANGED: "Melding #{n} is gewijzigd (privacy); de nieuwe versie volgt.",
    Withdrawal.LEFT: "Melding #{n} is ingetrokken: de ontvanger is niet meer van school.",
    Withdrawal.NOT_YOURS: "Melding #{n} is niet meer aan jou toegewezen.",
    Withdrawal.GONE: "Melding #{n} bestaat niet meer (gewist).",
}
_QUOTED = re.compile(r"'([^']{1,60})'")


class Dutch:
    def __init__(self, zone: tzinfo = SCHOOL_TZ, desk_url: str | None = None) -> None:
        self.zone = zone  # times as the school reads them: the `[bot] timezone`
        self._desk_url = desk_url  # the review desk's public address ([web] public_url), for a link on every card
        self.notices = DutchNotices()
        self.announcements = DutchAnnouncements()
        self.linking = DutchLinking()
        self.desk = DutchDesk()

    def timetable(self, subject_names: Mapping[str, str]) -> DutchTimetable:
        return DutchTimetable(self.zone, subject_names)

    def desk_link(self, incident_id: int) -> str | None:
        return f"{self._desk_url}/meldingen/{incident_id}" if self._desk_url else None

    def phrase(self, phrase: Phrase) -> str:
        return PHRASES[phrase]

    def category(self, category: str) -> str:
        return CATEGORIES.get(category, category)

    def severity(self, severity: int) -> str:
        return SEVERITIES.get(severity, str(severity))

    def status(self, status: str) -> str:
        return STATUSES.get(status, status)

    def reason(self, reason: str) -> str:
        return REASONS.get(reason, reason)

    def escalation(self, level: str) -> str:
        return ESCALATION_CHOICES.get(level, level)

    # -- the card -----------------------------------------------------------------------------------------------

    def card_title(self, card: Card) -> str:
        return f"Melding #{card.id}: {self.category(card.category)} · {self.severity(card.severity)} · " + self.status(
            card.status
        )

    def card_rows(self, card: Card, *, technical: bool = False) -> list[tuple[str, str]]:
        rows = [
            ("Wie", _person(card.author, on_roster=card.author_on_roster)),
            ("Waar", f"{card.room} ({card.platform.capitalize()})"),
            ("Wanneer", card.when.astimezone(self.zone).strftime("%d-%m-%Y %H:%M")),
        ]
        if card.erased:
            rows.append(("Bericht", "(gewist na de bewaartermijn)"))
        elif card.excerpt is not None:
            rows.append(("Bericht", f"“{card.excerpt}”"))
        rows.append(("Waarom", self._why(card)))
        rows.append(("Wat de bot deed", self._done(card)))
        if card.link:
            rows.append(("Link", card.link))
        if (desk := self.desk_link(card.id)) is not None:
            rows.append((PHRASES[Phrase.LABEL_DESK], desk))
        if card.criminal:
            rows.append(("Let op", PHRASES[Phrase.CRIMINAL]))
        if card.escalation:
            rows.append(("Doorgezet naar", ESCALATED_TO.get(card.escalation, card.escalation)))
        if card.case_id is not None and card.case_id != card.id:
            rows.append(("Zaak", f"hoort bij zaak #{card.case_id}: dezelfde leerling wordt herhaaldelijk gepest"))
        if card.reporter:
            rows.append(("Gemeld door", f"{card.reporter} (alleen de schoolleiding ziet dit)"))
        reviewers = ", ".join(f"{name} ({self.reason(reason)})" for name, reason in card.reviewers)
        rows.append(("Begeleiders", reviewers or PHRASES[Phrase.NOBODY_ROUTED]))
        if card.status in ("resolved", "dismissed"):
            rows.append(("Afloop", self._outcome(card)))
        if technical:
            rows.append(("Regel", f"{card.rule_id} · {card.category} · {card.explanation}"))
            if card.scores:
                rows.append(("Scores", ", ".join(f"{name} {value:.2f}" for name, value in card.scores)))
        return rows

    def _why(self, card: Card) -> str:
        target = _person(card.target, on_roster=card.target_on_roster) if card.target else None
        return self.why(card.category, card.explanation, target)

    def why(self, category: str, explanation: str, target: str | None) -> str:
        why = self.category(category)
        if DISCLOSURE_REASON in explanation:
            why += "; de schrijver vertelt dat iemand anders dit tegen hem of haar deed: zorg, geen straf"
        elif target:
            why += f", gericht aan {target}"
        elif " aimed at " in explanation:
            why += ", gericht aan iemand in de chat"
        found = _QUOTED.search(explanation)
        if found and category in ("insult", "harassment", "threat", "discrimination", "sexual", "self-harm"):
            why += f" (de bot zag: ‘{found.group(1)}’)"
        return why

    def _done(self, card: Card) -> str:
        done = [ACTIONS[a] for a in card.actions if a in ACTIONS]
        if not done or card.action_status == "none":
            return "niets: alleen vastgelegd voor de begeleiders"
        return ", ".join(done) + ACTION_STATUS.get(card.action_status, "")

    def _outcome(self, card: Card) -> str:
        parts = [self.status(card.status)]
        if card.note:
            parts.append(f"notitie: {card.note}")
        if card.measure:
            parts.append(f"maatregel: {card.measure}")
        if card.parents_informed is not None:
            parts.append("ouders ingelicht: " + ("ja" if card.parents_informed else "nee"))
        return "; ".join(parts)

    def card_commands(self, card: Card) -> str:
        if card.status in ("resolved", "dismissed"):
            return ""
        n = card.id
        return (
            f"Wat je kunt doen: !oppakken {n} · !opgelost {n} wat je deed[; maatregel: …][; ouders: ja|nee] · "
            f"!afwijzen {n} [waarom] · !escaleer {n} abc|schoolleiding|politie"
        )

    # -- answers ------------------------------------------------------------------------------------------------

    def answer(self, command: ReviewCommand, result: ReviewResult, added: Sequence[str]) -> str:
        said = self._answer(command, result, added)
        if "someone else changed" in result.message:  # the service's lost-race marker
            said += " (iemand anders wijzigde de melding op hetzelfde moment)"
        return said

    def _answer(self, command: ReviewCommand, result: ReviewResult, added: Sequence[str]) -> str:
        n, card, verb = command.incident_id, result.card, command.verb
        if result.result in (Result.FORBIDDEN, Result.NOT_FOUND):
            return f"Melding #{n} bestaat niet of is niet aan jou toegewezen."
        if card is None:  # refused before the incident was read
            if verb == "resolve":
                return f"Schrijf erbij wat er gedaan is, bijvoorbeeld: !opgelost {n} gesprek gevoerd"
            if verb == "escalate" and parse_escalation(command.target) is None:
                return f"Doorzetten naar wie? Kies {LEVELS}."
            return f"Melding #{n} wordt steeds tegelijk door anderen gewijzigd; probeer het zo nog eens."
        status = self.status(card.status)
        if result.result is Result.DONE:
            return self._done_answer(verb, card, added)
        if result.result is Result.UNCHANGED:
            if verb == "escalate":
                where = ESCALATED_TO.get(card.escalation or "", card.escalation or "")
                return f"Melding #{n} was al doorgezet naar {where}; er is niets veranderd."
            if verb == "show":
                return f"Melding #{n}: {status}."
            return f"Melding #{n} was al {status}; er is niets veranderd."
        if verb == "resolve" and card.status not in ("resolved", "dismissed"):
            return (
                "Bij een maatregel worden de ouders altijd ingelicht (schoolregel R13). Zet erbij of dat gebeurd "
                "is: ; ouders: ja  of  ; ouders: nee"
            )
        return f"Melding #{n} is al {status}; dat kan nu niet meer."

    def _done_answer(self, verb: str, card: Card, added: Sequence[str]) -> str:
        n = card.id
        if verb == "ack":
            return f"Melding #{n} is nu in behandeling."
        if verb == "resolve":
            return f"Melding #{n} is afgehandeld."
        if verb == "dismiss":
            return f"Melding #{n} is afgewezen als vals alarm."
        if verb == "escalate":
            said = f"Melding #{n} is doorgezet naar {ESCALATED_TO.get(card.escalation or '', card.escalation or '')}"
            return said + (f"; nu ziet ook {', '.join(added)} hem." if added else ".")
        return f"Melding #{n}: {self.status(card.status)}."

    def command_error(self, error: CommandError) -> str:
        value = error.value
        if error.kind == "unknown-verb":
            return f"Het commando !{value} ken ik niet. {HELP}"
        if error.kind == "list-status":
            return f"!lijst kent open, in-review, resolved of dismissed, niet ‘{value}’."
        if error.kind == "needs-number":
            return f"Zet het nummer van de melding erachter, bijvoorbeeld !{value} 12."
        if error.kind == "not-a-number":
            return f"‘{value}’ is geen nummer van een melding."
        if error.kind == "needs-level":
            return f"Doorzetten naar wie? Kies {LEVELS}."
        if error.kind == "needs-note":
            return f"Schrijf erbij wat er gedaan is, bijvoorbeeld: !opgelost {value} gesprek gevoerd"
        if error.kind == "parents":
            return f"Ouders ingelicht: ja of nee, niet ‘{value}’."
        return HELP

    def incident_list(self, cards: Sequence[Card], status: str) -> str:
        if not cards:
            return "Er zijn geen meldingen voor jou" + (f" met status ‘{self.status(status)}’." if status else ".")
        return "\n".join(
            f"#{c.id} · {self.status(c.status)} · {self.category(c.category)} · {c.room} · "
            f"{_person(c.author, on_roster=c.author_on_roster)}"
            for c in cards
        )

    def digest(self, reviewer: Person, digest: Digest) -> str:
        head = f"Dagoverzicht voor {reviewer.name}: {digest.total} open melding(en), oudste eerst."
        lines = [
            f"#{c.id} · {c.when.astimezone(self.zone):%d-%m-%Y} · {self.status(c.status)} · "
            f"{self.category(c.category)} · {c.room} · {_person(c.author, on_roster=c.author_on_roster)}"
            for c in digest.cards
        ]
        more = digest.total - len(digest.cards)
        tail = [f"… en nog {more}: typ !lijst open (of `schoolwacht incidents list`)"] if more > 0 else []
        return "\n".join([head, *lines, *tail])

    def withdrawn(self, incident_id: int, why: Withdrawal) -> str:
        return WITHDRAWN[why].format(n=incident_id)


def _person(who: str, *, on_roster: bool) -> str:
    if not who:
        return "onbekend"
    return who if on_roster else f"{who} ({PHRASES[Phrase.NOT_ON_ROSTER]})"


DUTCH = Dutch()
