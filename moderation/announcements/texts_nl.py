"""Every Dutch text a staff member reads about their own announcements, in one place."""

from __future__ import annotations

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


def post_header(name: str, classes: str) -> str:
    return f"Mededeling van {name} ({classes})"


def post_text(header: str, body: str, *, edited: bool = False, read_hint: str = "") -> str:
    hint = f"\n{read_hint}" if read_hint else ""
    return f"{header}{' (gewijzigd)' if edited else ''}: {body}{hint}"


# "Gelezen ✓": what readers see under the post and hear when they confirm.
READ_BUTTON = "Gelezen ✓"
READ_HINTS = {  # by platform: how to confirm there (on Discord the button says it)
    "matrix": "Gelezen? Reageer met ✅ op dit bericht.",
    "discord": "",
}
READ_THANKS = "Bedankt! Je hebt deze mededeling als gelezen gemarkeerd ✓"
READ_ALREADY = "Je had deze mededeling al als gelezen gemarkeerd."
READ_OWN = "Dit is je eigen mededeling; die telt niet mee bij gelezen."
READ_RETRACTED = "Deze mededeling is ingetrokken; gelezen wordt niet meer geteld."
READ_NOT_ASKED = "Bij dit bericht hoef je niets te bevestigen."


def reads_hint(code: int | None) -> str:
    return f"Hoeveel het lazen: !gelezen {code}."


def reads_room(label: str, read: int, audience: int | None) -> str:
    return f"{label}: {read} van {audience} gelezen" if audience is not None else f"{label}: {read} gelezen"


def reads_summary(code: int, rooms: list[str], *, retracted: bool, untracked: list[str]) -> str:
    lines = [f"Mededeling {code}{' (ingetrokken, er wordt niet meer geteld)' if retracted else ''}:"]
    lines += rooms
    if untracked:
        lines.append(f"Niet bijgehouden in: {', '.join(untracked)} (daar kan niemand 'gelezen' bevestigen).")
    return "\n".join(lines)


def reads_not_asked(code: int) -> str:
    return (
        f"Bij mededeling {code} is niet om 'gelezen' gevraagd. Zet er de volgende keer +gelezen bij: "
        "!mededeling 2b +gelezen: je bericht."
    )


# The templates for the common cases: what the teacher types after the colon, and what the class reads.
def cancelled(what: str) -> str:
    return f"{_the(what)} vervalt."


def room_changed(what: str, room: str) -> str:
    return f"{_the(what)} is verplaatst naar lokaal {room}."


def test_moved(subject: str, when: str) -> str:
    return f"De toets {subject} is verplaatst naar {when}."


def _the(what: str) -> str:
    """'3e uur wiskunde' reads as 'Het 3e uur wiskunde'; 'wiskunde van 3e uur' as 'Wiskunde van 3e uur'."""
    if what[:1].isdigit():
        return f"Het {what}"
    return what[:1].upper() + what[1:]


def unknown_classes(classes: str) -> str:
    return f"Onbekende klas: {classes}. {HOW}"


def no_room(refused: str) -> str:
    said = f" (niet toegestaan voor {refused})" if refused else ""
    return f"Er is geen mededelingenruimte waarin jij voor deze klassen mag posten{said}."


def refused_rooms(classes: str) -> str:
    return f"Niet verstuurd naar {classes}: daar mag jij niet posten."


def sent(done: int, total: int, code: int | None) -> str:
    return f"Verstuurd naar {done} van {total} ruimtes (nummer {code}; intrekken: !intrekken {code})."


def progress(done: int, total: int) -> str:
    return f"Bezig: verstuurd naar {done} van {total} ruimtes…"


def scheduled(when: str, total: int, code: int | None) -> str:
    return (
        f"Gepland voor {when} naar {total} ruimte(s) (nummer {code}; wijzigen: !wijzig {code}: nieuwe tekst; "
        f"intrekken: !intrekken {code}). Je krijgt bericht als ze verstuurd is."
    )


def scheduled_done(code: int, done: int, total: int, failed: list[str]) -> str:
    text = f"Je geplande mededeling {code} is verstuurd naar {done} van {total} ruimtes."
    if failed:
        text += f" Niet gelukt in: {', '.join(failed)}."
    return text


def failed_rooms(rooms: list[str]) -> str:
    return f"Niet gelukt in: {', '.join(rooms)}." if rooms else ""


QUIET_NOW = "Het is nu nachtrust: wat nog niet verstuurd is, gaat om het einde ervan de deur uit."
RETRY_LATER = "Wat nog niet lukte, wordt vanzelf opnieuw geprobeerd."
ELSEWHERE = "Een ander proces van de bot verstuurt ze; dat gebeurt binnen enkele seconden."


def not_found(code: int) -> str:
    return f"Mededeling {code} bestaat niet."


def not_yours(code: int, verb: str) -> str:
    return f"Mededeling {code} is niet van jou; alleen wie haar verstuurde (of de schoolleiding) kan haar {verb}."


def already_retracted(code: int) -> str:
    return f"Mededeling {code} is al ingetrokken."


def retracting(code: int, left: int) -> str:
    return (
        f"Mededeling {code} wordt ingetrokken; in {left} ruimte(s) lukte het nog niet, dat wordt vanzelf opnieuw "
        "geprobeerd."
    )


def retracted(code: int) -> str:
    return f"Mededeling {code} is overal ingetrokken."


def edited(code: int, done: int, total: int) -> str:
    return f"Mededeling {code} is gewijzigd in {done} van {total} ruimtes."


def edited_scheduled(code: int) -> str:
    return f"Mededeling {code} is gewijzigd; ze gaat op de geplande tijd de deur uit."


# Reading the moment of a scheduled announcement.
NO_TIME = "Zet er een tijd bij, bijvoorbeeld: !mededeling morgen om 07:30 2b: je bericht."
BAD_TIME = "Dat is geen tijdstip; schrijf het als 07:30."
BAD_DATE = "Die datum ken ik niet; schrijf hem als 7 dec of 7-12."


def in_the_past(when: str) -> str:
    return f"{when} is al voorbij; kies een later moment (bijvoorbeeld: morgen om 07:30)."


def too_far(days: int) -> str:
    return f"Zo ver vooruit kan niet: hooguit {days} dagen."
