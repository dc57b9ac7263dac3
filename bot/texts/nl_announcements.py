"""Dutch: what a staff member reads about their own announcements, and the sentences the short forms become."""

from __future__ import annotations

from datetime import datetime, tzinfo

from bot.texts.nl_timetable import MONTHS, WEEKDAYS
from moderation.announcements.reads import ReadOutcome

HOW = (
    "Zo werkt het: !mededeling 2b 3a: je bericht — later versturen met !mededeling om 07:30 2b: je bericht "
    "(of: morgen om 07:30, op 7 dec om 07:30); laten bevestigen dat het gelezen is met +gelezen achter de klassen "
    "(!mededeling 2b 3a +gelezen: je bericht) en zien hoeveel het lazen met !gelezen <nummer>; wijzigen met "
    "!wijzig <nummer>: nieuwe tekst; intrekken met !intrekken <nummer>. Vaste vormen: vervalt 3e uur wiskunde — "
    "lokaal 3e uur wiskunde naar B12 — toets wiskunde verplaatst naar do 10 dec."
)
HOW_READS = "Zo werkt het: !gelezen <nummer> (het nummer van je mededeling) laat zien hoeveel het lazen."
UNKNOWN_OPTION = (
    "Die optie ken ik niet. Er is er één: +gelezen, achter de klassen (!mededeling 2b +gelezen: je bericht), "
    "dan bevestigen leerlingen dat ze het gelezen hebben."
)
NOT_STAFF = "Alleen medewerkers van de school kunnen mededelingen versturen."
QUIET_NOW = "Het is nu nachtrust: wat nog niet verstuurd is, gaat om het einde ervan de deur uit."
RETRY_LATER = "Wat nog niet lukte, wordt vanzelf opnieuw geprobeerd."
ELSEWHERE = "Een ander proces van de bot verstuurt ze; dat gebeurt binnen enkele seconden."
NO_TIME = "Zet er een tijd bij, bijvoorbeeld: !mededeling morgen om 07:30 2b: je bericht."
BAD_TIME = "Dat is geen tijdstip; schrijf het als 07:30."
BAD_DATE = "Die datum ken ik niet; schrijf hem als 7 dec of 7-12."
READ_REPLIES = {  # what a reader hears on confirming "Gelezen ✓"
    ReadOutcome.COUNTED: (
        "Bedankt! Je hebt deze mededeling als gelezen gemarkeerd ✓ Per ongeluk? Druk nog een keer op de knop, dan "
        "haal ik het weg."
    ),
    ReadOutcome.ALREADY: "Je had deze mededeling al als gelezen gemarkeerd.",
    ReadOutcome.OWN: "Dit is je eigen mededeling; die telt niet mee bij gelezen.",
    ReadOutcome.RETRACTED: "Deze mededeling is ingetrokken; gelezen wordt niet meer geteld.",
    ReadOutcome.NOT_ASKED: "Bij dit bericht hoef je niets te bevestigen.",
    ReadOutcome.WITHDRAWN: (
        "Oké, je markering 'gelezen' is weggehaald. Druk opnieuw op de knop als je de mededeling wel gelezen hebt."
    ),
}


class DutchAnnouncements:
    def how(self) -> str:
        return HOW

    def how_reads(self) -> str:
        return HOW_READS

    def unknown_option(self) -> str:
        return UNKNOWN_OPTION

    def not_staff(self) -> str:
        return NOT_STAFF

    def post_header(self, name: str, classes: str) -> str:
        return f"Mededeling van {name} ({classes})"

    def post_text(self, header: str, body: str, *, edited: bool = False, read_hint: str = "") -> str:
        hint = f"\n{read_hint}" if read_hint else ""
        return f"{header}{' (gewijzigd)' if edited else ''}: {body}{hint}"

    # The short forms for the common cases: what the teacher types after the colon, and what the class reads.
    def cancelled(self, what: str) -> str:
        return f"{_the(what)} vervalt."

    def room_changed(self, what: str, room: str) -> str:
        return f"{_the(what)} is verplaatst naar lokaal {room}."

    def test_moved(self, subject: str, when: str) -> str:
        return f"De toets {subject} is verplaatst naar {when}."

    def unknown_classes(self, classes: str) -> str:
        return f"Onbekende klas: {classes}. {HOW}"

    def no_room(self, refused: str) -> str:
        said = f" (niet toegestaan voor {refused})" if refused else ""
        return f"Er is geen mededelingenruimte waarin jij voor deze klassen mag posten{said}."

    def refused_rooms(self, classes: str) -> str:
        return f"Niet verstuurd naar {classes}: daar mag jij niet posten."

    def sent(self, done: int, total: int, code: int | None) -> str:
        return f"Verstuurd naar {done} van {total} ruimtes (nummer {code}; intrekken: !intrekken {code})."

    def progress(self, done: int, total: int) -> str:
        return f"Bezig: verstuurd naar {done} van {total} ruimtes…"

    def scheduled(self, when: str, total: int, code: int | None) -> str:
        return (
            f"Gepland voor {when} naar {total} ruimte(s) (nummer {code}; wijzigen: !wijzig {code}: nieuwe tekst; "
            f"intrekken: !intrekken {code}). Je krijgt bericht als ze verstuurd is."
        )

    def scheduled_done(self, code: int, done: int, total: int, failed: list[str]) -> str:
        text = f"Je geplande mededeling {code} is verstuurd naar {done} van {total} ruimtes."
        if failed:
            text += f" Niet gelukt in: {', '.join(failed)}."
        return text

    def failed_rooms(self, rooms: list[str]) -> str:
        return f"Niet gelukt in: {', '.join(rooms)}." if rooms else ""

    def quiet_now(self) -> str:
        return QUIET_NOW

    def retry_later(self) -> str:
        return RETRY_LATER

    def elsewhere(self) -> str:
        return ELSEWHERE

    def queued(self, total: int, code: int | None) -> str:
        return (
            f"Mededeling {code} staat klaar voor {total} ruimte(s) en wacht op verzending: de bot verstuurt haar "
            "binnen enkele seconden."
        )

    def edit_queued(self, code: int) -> str:
        return f"Mededeling {code} is gewijzigd; de bot past haar binnen enkele seconden aan in de ruimtes."

    def retract_queued(self, code: int) -> str:
        return f"Mededeling {code} wordt ingetrokken; de bot haalt haar binnen enkele seconden weg uit de ruimtes."

    def nobody_delivers(self, platforms: list[str]) -> str:
        names = " en ".join(p.capitalize() for p in platforms)
        return (
            f"Let op: de bot is nu niet verbonden met {names}. Er gaat niets verloren: zodra hij weer draait, "
            "verstuurt hij wat klaarstaat."
        )

    def not_found(self, code: int) -> str:
        return f"Mededeling {code} bestaat niet."

    def not_yours(self, code: int, *, retract: bool) -> str:
        verb = "intrekken" if retract else "wijzigen"
        return f"Mededeling {code} is niet van jou; alleen wie haar verstuurde (of de schoolleiding) kan haar {verb}."

    def already_retracted(self, code: int) -> str:
        return f"Mededeling {code} is al ingetrokken."

    def retracting(self, code: int, left: int) -> str:
        return (
            f"Mededeling {code} wordt ingetrokken; in {left} ruimte(s) lukte het nog niet, dat wordt vanzelf opnieuw "
            "geprobeerd."
        )

    def retracted(self, code: int) -> str:
        return f"Mededeling {code} is overal ingetrokken."

    def edited(self, code: int, done: int, total: int) -> str:
        return f"Mededeling {code} is gewijzigd in {done} van {total} ruimtes."

    def edited_scheduled(self, code: int) -> str:
        return f"Mededeling {code} is gewijzigd; ze gaat op de geplande tijd de deur uit."

    # Reading the moment of a scheduled announcement.
    def moment(self, when: datetime, zone: tzinfo) -> str:
        local = when.astimezone(zone)
        return f"{WEEKDAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]} om {local:%H:%M}"

    def no_time(self) -> str:
        return NO_TIME

    def bad_time(self) -> str:
        return BAD_TIME

    def bad_date(self) -> str:
        return BAD_DATE

    def in_the_past(self, when: str) -> str:
        return f"{when} is al voorbij; kies een later moment (bijvoorbeeld: morgen om 07:30)."

    def too_far(self, days: int) -> str:
        return f"Zo ver vooruit kan niet: hooguit {days} dagen."

    # "Gelezen ✓"
    def reads_hint(self, code: int | None) -> str:
        return f"Hoeveel het lazen: !gelezen {code}."

    def reads_room(self, label: str, read: int, audience: int | None) -> str:
        return f"{label}: {read} van {audience} gelezen" if audience is not None else f"{label}: {read} gelezen"

    def reads_summary(self, code: int, rooms: list[str], *, retracted: bool, untracked: list[str]) -> str:
        lines = [f"Mededeling {code}{' (ingetrokken, er wordt niet meer geteld)' if retracted else ''}:"]
        lines += rooms
        if untracked:
            lines.append(f"Niet bijgehouden in: {', '.join(untracked)} (daar kan niemand 'gelezen' bevestigen).")
        return "\n".join(lines)

    def reads_not_asked(self, code: int) -> str:
        return (
            f"Bij mededeling {code} is niet om 'gelezen' gevraagd. Zet er de volgende keer +gelezen bij: "
            "!mededeling 2b +gelezen: je bericht."
        )

    def reads_not_yours(self, code: int) -> str:
        return f"Mededeling {code} is niet van jou; alleen wie haar verstuurde (of de schoolleiding) kan haar bekijken."

    def read_reply(self, outcome: ReadOutcome) -> str:
        return READ_REPLIES[outcome]


def _the(what: str) -> str:
    """'3e uur wiskunde' reads as 'Het 3e uur wiskunde'; 'wiskunde van 3e uur' as 'Wiskunde van 3e uur'."""
    if what[:1].isdigit():
        return f"Het {what}"
    return what[:1].upper() + what[1:]
