"""Every word of the desk a reviewer reads, in Dutch."""

from __future__ import annotations

from moderation.incidents.review import Result

STATUS = {"open": "open", "in-review": "in behandeling", "resolved": "afgehandeld", "dismissed": "vals alarm"}
CATEGORY = {
    "insult": "belediging",
    "harassment": "pesten of intimidatie",
    "threat": "bedreiging",
    "discrimination": "discriminatie",
    "sexual": "seksueel",
    "self-harm": "zelfbeschadiging",
    "announcement-only": "bericht in mededelingenkanaal",
    "permission-drift": "kanaalinstellingen gewijzigd",
    "reported": "gemeld door iemand",
    "personal-data": "persoonsgegevens",
    "impersonation": "zich voordoen als een ander",
    "staff-in-student-room": "medewerker in leerlingengroep",
    "media": "foto of video",
    "quiet-hours": "bericht in stille uren",
}
ESCALATION = {"coordinator": "anti-pestcoördinator", "leadership": "schoolleiding", "police": "politie (strafbaar)"}
ACTION = {
    "created": "aangemaakt",
    "viewed": "bekeken",
    "listed": "in een lijst getoond",
    "acknowledged": "in behandeling genomen",
    "resolved": "afgehandeld",
    "dismissed": "afgewezen als vals alarm",
    "refused": "geweigerd (geen toegang)",
    "reassigned": "overgedragen",
}
VERB = {"ack": "in behandeling nemen", "resolve": "afhandelen", "dismiss": "afwijzen", "escalate": "escaleren"}

RESULT = {
    Result.DONE: "Gelukt.",
    Result.UNCHANGED: "Er is niets veranderd: dit was al zo.",
    Result.NOT_FOUND: "Deze melding bestaat niet of is niet voor jou.",
    Result.FORBIDDEN: "Deze melding bestaat niet of is niet voor jou.",
    Result.INVALID: "Dat kan niet bij deze melding in deze toestand.",
}
NOTE_NEEDED = "Schrijf een notitie: wat is er gedaan (bijvoorbeeld 'gesprek gevoerd')."
PARENTS_NEEDED = "Bij een maatregel worden de ouders altijd ingelicht: geef aan of dat gebeurd is."
RACE = "Iemand anders heeft deze melding net veranderd; bekijk hem opnieuw."


def history_action(action: str) -> str:
    if action.startswith("escalated:"):
        return "geëscaleerd naar " + ESCALATION.get(action.split(":", 1)[1], action.split(":", 1)[1])
    return ACTION.get(action, action)


def history_actor(actor: str, name_of: dict[str, str]) -> str:
    """ "desk as sa4" → "Meneer Jansen, op de desk"; "cli:root as sa4" → "…, op de opdrachtregel"."""
    if actor.startswith("desk as "):
        pid = actor.removeprefix("desk as ")
        return f"{name_of.get(pid, pid)}, op de desk"
    if actor.startswith("cli:"):
        return f"{actor.split(' as ')[-1] if ' as ' in actor else 'beheerder'}, op de opdrachtregel"
    if actor == "system":
        return "schoolwacht"
    return f"{name_of.get(actor, actor)}, in de chat"


# The Privacy page (the privacy officer's): the same dry-run table as `schoolwacht privacy erase`, in Dutch.
ROLE = {"student": "leerling", "staff": "medewerker", "parent": "ouder"}
FORM_EXPIRED = "Dit formulier is verlopen of niet van de desk. Laad de pagina opnieuw."
PRIVACY_ONLY = "De privacypagina is alleen voor de privacyfunctionaris van de school."
PRIVACY_UNKNOWN = "Over deze persoon is niets opgeslagen."
PRIVACY_CONFIRM_MISMATCH = "De bevestiging klopt niet: typ precies de code van de persoon. Er is niets gewist."
PRIVACY_ERASED = (
    "Alles over {who} is gewist. Staat deze persoon nog in de export van de school, dan zet de volgende "
    "roosterimport hem of haar er weer in."
)
ERASURE_ROWS = (
    ("person", "gegevens in het rooster en accounts"),
    ("deleted", "eigen meldingen (verwijderd)"),
    ("targets", "genoemd als degene op wie het gericht was (weggehaald)"),
    ("reports", "als melder (weggehaald)"),
    ("assignments", "als beoordelaar (weggehaald)"),
    ("reassigned", "→ overgedragen aan de schoolleiding"),
    ("texts", "naam of account in andere teksten (vervangen)"),
    ("history", "regels in de geschiedenis herschreven"),
    ("relations", "mentor of leidinggevende van (koppeling weggehaald)"),
)


def unfinished(incident_id: int, why: str) -> str:
    if why == "police":
        return f"#{incident_id} is doorgezet als mogelijk strafbaar feit; ook dat dossier verdwijnt."
    return f"#{incident_id} is nog {STATUS.get(why, why)}: de beoordelaars zijn er nog niet mee klaar."


# -- The Mededelingen page (a teacher's announcements to class rooms): every word of it in this one block. --------
ANN_TITLE = "Mededelingen"
ANN_NEW = "Nieuwe mededeling"
ANN_ROOMS = "Naar welke ruimtes"
ANN_TEXT = "Tekst"
ANN_TEXT_HINT = "Korte vormen mogen: „vervalt 3e uur wiskunde” wordt „Het 3e uur wiskunde vervalt.”"
ANN_WHEN = "Wanneer"
ANN_NOW = "Nu"
ANN_TODAY = "Vandaag om"
ANN_TOMORROW = "Morgen om"
ANN_ON = "Op datum en tijd"
ANN_TIME = "Tijd (uu:mm)"
ANN_MOMENT = "Datum en tijd"
ANN_READ = "Vraag om „Gelezen ✓”"
ANN_TEMPLATES = "Snelle keuzes"
ANN_TEMPLATE_CHOICES = (
    ("Les vervalt", "vervalt 3e uur wiskunde"),
    ("Lokaal gewijzigd", "lokaal 3e uur wiskunde naar B12"),
    ("Toets verplaatst", "toets wiskunde verplaatst naar do 10 dec"),
)
ANN_PREVIEW = "Voorbeeld bekijken"
ANN_PREVIEW_TITLE = "Voorbeeld: zo zien de leerlingen het"
ANN_PREVIEW_WHEN = "Wordt verstuurd: {when}"
ANN_PREVIEW_NOW = "Wordt meteen verstuurd"
ANN_BUTTON = "Knop onder het bericht: Gelezen ✓"
ANN_SEND = "Versturen"
ANN_BACK = "Terug naar het formulier"
ANN_MINE = "Mijn mededelingen"
ANN_NONE_YET = "Je hebt nog geen mededelingen verstuurd."
ANN_NUMBER = "Mededeling {code}"
ANN_PROGRESS = "verstuurd naar {done} van {total}"
ANN_SCHEDULED = "gepland voor {when}"
ANN_RETRACTED = "ingetrokken"
ANN_READS = "{n} gelezen"
ANN_EDIT = "Wijzigen"
ANN_EDIT_LABEL = "Nieuwe tekst voor mededeling {code}"
ANN_RETRACT = "Intrekken"
ANN_STATUS = {
    "done": "verstuurd",
    "pending": "wacht",
    "failed": "mislukt",
    "removed": "weg",
}
ANN_STATUS_RETRACTED = {"done": "ingetrokken", "pending": "wordt ingetrokken", "failed": "intrekken mislukt"}
ANN_ONLY_POSTERS = "Deze pagina is voor medewerkers die in mededelingenruimtes van klassen mogen posten."
ANN_SIGNED_OUT = "Je bent niet (meer) ingelogd. Vraag een nieuwe link in de chat met !login."
ANN_NO_SERVICE = "Mededelingen versturen kan niet vanaf deze desk."
ANN_NO_ROOMS = "Kies minstens één ruimte."
ANN_NOT_YOURS = "Je kunt niet posten in een van de gekozen ruimtes. Er is niets verstuurd."
ANN_EMPTY = "Schrijf een tekst."
ANN_TOO_LONG = "De tekst is te lang: hoogstens {limit} tekens (nu {n})."
ANN_BAD_TIME = "Vul een tijd in als uu:mm (bijvoorbeeld 07:30)."
ANN_BAD_MOMENT = "Vul een datum en tijd in."
ANN_BAD_CODE = "Deze mededeling bestaat niet."
