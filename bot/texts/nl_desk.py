"""Dutch: every word of the review desk a reviewer (or a teacher on the Mededelingen page) reads, in short labels
that fit a phone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from moderation.incidents.review import Result
from moderation.texts.desk import DeskWords

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
RESULT = {
    Result.DONE: "Gelukt.",
    Result.UNCHANGED: "Er is niets veranderd: dit was al zo.",
    Result.NOT_FOUND: "Deze melding bestaat niet of is niet voor jou.",
    Result.FORBIDDEN: "Deze melding bestaat niet of is niet voor jou.",
    Result.INVALID: "Dat kan niet bij deze melding in deze toestand.",
}
# Where an announcement stands in one room on the Mededelingen page, and where its retraction does.
ROOM_STATUS = {"done": "verstuurd", "pending": "wacht op verzending", "failed": "mislukt", "removed": "weg"}
ROOM_RETRACTED = {
    "done": "ingetrokken",
    "pending": "wordt ingetrokken",
    "failed": "intrekken mislukt",
    "removed": "ingetrokken",
}
ROLE = {"student": "leerling", "staff": "medewerker", "parent": "ouder"}
CHARTS = {
    "class": ("Per klas", "klas"),
    "month": ("Per maand", "maand"),
    "category": ("Per categorie", "categorie"),
    "status": ("Per status", "status"),
}
# The Privacy page: the same dry-run table as `schoolwacht privacy erase`, in Dutch.
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

WORDS = DeskWords(
    main_menu="Hoofdmenu",
    my_incidents="Mijn meldingen",
    overview="Overzicht",
    privacy="Privacy",
    sign_out="Uitloggen",
    failed="Niet gelukt",
    to_my_incidents="Naar mijn meldingen",
    no_such_page="Deze pagina bestaat niet.",
    not_allowed_here="Dat kan zo niet op deze pagina.",
    went_wrong="Er ging iets mis.",
    query_too_long="De zoekopdracht is te lang.",
    field_too_long="Een zoekveld is te lang.",
    form_expired="Dit formulier is verlopen of niet van de desk. Laad de pagina opnieuw.",
    logout_expired="Dit formulier is verlopen. Laad de pagina opnieuw.",
    sign_in="Inloggen",
    sign_in_button="Inloggen op de desk",
    link_refused=(
        "Deze link is al gebruikt, verlopen of onbekend. Vraag een nieuwe link met `!login` (Matrix) of `/login` "
        "(Discord)."
    ),
    signed_out="Je bent uitgelogd, op al je apparaten.",
    how_to_sign_in=(
        "Vraag een inloglink in je privégesprek met de bot: `!login` op Matrix of `/login` op Discord. De link werkt "
        "één keer en is kort geldig."
    ),
    too_many_attempts="Te veel pogingen om in te loggen. Wacht een minuut en probeer het opnieuw.",
    not_signed_in="Je bent niet (meer) ingelogd. Vraag een nieuwe link in de chat.",
    filter_incidents="Meldingen filteren",
    search_student="Zoek leerling",
    status="Status",
    open_and_in_review="open en in behandeling",
    all="alle",
    class_name="Klas",
    category="Categorie",
    room="Kanaal",
    since="Vanaf",
    until="Tot",
    filter="Filteren",
    unknown_status="Onbekende status.",
    no_incidents="Geen meldingen gevonden.",
    no_such_student="Deze leerling bestaat niet of is niet een van jouw leerlingen.",
    listed_on_desk="op de desk",
    listed_in_timeline="leerling op de desk",
    who="Wie",
    where="Waar",
    when="Wanneer",
    target="Gericht op",
    rule_and_category="Regel en categorie",
    message="Bericht",
    erased_text="(tekst gewist na de bewaartermijn)",
    scores="Scores",
    why="Waarom",
    chat_link="Bericht in de chat",
    open_message="open het bericht",
    case="Pestzaak",
    outcome="Afhandeling",
    reporter="Gemeld door",
    reviewers="Beoordelaars",
    actions="Acties",
    acknowledge="In behandeling nemen",
    resolve="Afhandelen",
    resolve_note="Notitie: wat is er gedaan?",
    resolve_measure="Maatregel (als die er is)",
    parents_informed="Ouders ingelicht?",
    not_applicable="niet van toepassing",
    yes="ja",
    no="nee",
    dismiss_heading="Vals alarm",
    dismiss_note="Waarom is dit vals alarm?",
    dismiss="Afwijzen",
    escalate="Escaleren",
    escalate_to="Naar",
    escalate_note="Toelichting",
    history="Geschiedenis",
    note_needed="Schrijf een notitie: wat is er gedaan (bijvoorbeeld 'gesprek gevoerd').",
    parents_needed="Bij een maatregel worden de ouders altijd ingelicht: geef aan of dat gebeurd is.",
    race="Iemand anders heeft deze melding net veranderd; bekijk hem opnieuw.",
    overview_only_leadership="Het overzicht is alleen voor de schoolleiding.",
    overview_intro="Alleen aantallen, geen namen. Totaal: {total} meldingen.",
    download_csv="Download als CSV",
    count="Aantal",
    no_class="zonder klas",
    overview_file="overzicht.csv",
    csv_header=("indeling", "waarde", "aantal"),
    privacy_intro=(
        "Zoek de persoon over wie een verzoek gaat (inzage of wissen). Elke zoekopdracht, download en wisactie wordt "
        "vastgelegd."
    ),
    search_person="Zoek persoon (naam, code of platform:account)",
    search="Zoeken",
    off_roster="niet meer op het rooster",
    not_on_roster="(niet op het rooster)",
    nobody_found=(
        "Niemand op het rooster gevonden. Voor iemand die er nooit op stond: zoek op het account, zoals "
        "`discord:123456789012345678` of `matrix:@naam:school.nl`."
    ),
    privacy_only="De privacypagina is alleen voor de privacyfunctionaris van de school.",
    privacy_unknown="Over deze persoon is niets opgeslagen.",
    confirm_mismatch="De bevestiging klopt niet: typ precies de code van de persoon. Er is niets gewist.",
    code="Code:",
    inspection="Inzage",
    download_data="Gegevens downloaden (JSON)",
    erase="Wissen",
    would_erase="Wat gewist zou worden (proefrit: er is nog niets veranderd)",
    warning="Let op: {warning}",
    confirm="Typ ter bevestiging de code {subject}: dit kan niet ongedaan worden gemaakt",
    erase_for_good="Definitief wissen",
    erased="Gewist",
    what_was_erased="Wat is gewist",
    what="Wat",
    incidents="Meldingen",
    back_to_search="Terug naar zoeken",
    announcements="Mededelingen",
    new_announcement="Nieuwe mededeling",
    to_rooms="Naar welke ruimtes",
    text="Tekst",
    text_hint="Korte vormen mogen: „vervalt 3e uur wiskunde” wordt „Het 3e uur wiskunde vervalt.”",
    now="Nu",
    today_at="Vandaag om",
    tomorrow_at="Morgen om",
    on_date="Op datum en tijd",
    time_field="Tijd (uu:mm)",
    moment="Datum en tijd",
    ask_read="Vraag om „Gelezen ✓”",
    quick_choices="Snelle keuzes",
    quick_texts=(
        ("Les vervalt", "vervalt 3e uur wiskunde"),
        ("Lokaal gewijzigd", "lokaal 3e uur wiskunde naar B12"),
        ("Toets verplaatst", "toets wiskunde verplaatst naar do 10 dec"),
    ),
    preview="Voorbeeld bekijken",
    preview_title="Voorbeeld: zo zien de leerlingen het",
    sent_at_once="Wordt meteen verstuurd",
    read_button="Knop onder het bericht: Gelezen ✓",
    send="Versturen",
    back_to_form="Terug naar het formulier",
    my_announcements="Mijn mededelingen",
    none_sent_yet="Je hebt nog geen mededelingen verstuurd.",
    retracted="ingetrokken",
    edit="Wijzigen",
    retract="Intrekken",
    only_posters="Deze pagina is voor medewerkers die in mededelingenruimtes van klassen mogen posten.",
    poster_not_signed_in="Je bent niet (meer) ingelogd. Vraag een nieuwe link in de chat met !login.",
    no_announcements_here="Mededelingen versturen kan niet vanaf deze desk.",
    no_rooms_chosen="Kies minstens één ruimte.",
    not_your_rooms="Je kunt niet posten in een van de gekozen ruimtes. Er is niets verstuurd.",
    empty_text="Schrijf een tekst.",
    bad_time="Vul een tijd in als uu:mm (bijvoorbeeld 07:30).",
    bad_moment="Vul een datum en tijd in.",
    no_such_announcement="Deze mededeling bestaat niet.",
)


class DutchDesk:
    lang = "nl"
    words = WORDS
    statuses: Mapping[str, str] = STATUS
    categories: Mapping[str, str] = CATEGORY
    escalations: Mapping[str, str] = ESCALATION
    charts: Mapping[str, tuple[str, str]] = CHARTS
    erasure_rows: Sequence[tuple[str, str]] = ERASURE_ROWS

    def status(self, status: str) -> str:
        return STATUS.get(status, status)

    def category(self, category: str) -> str:
        return CATEGORY.get(category, category)

    def role(self, role: str) -> str:
        return ROLE.get(role, role)

    def severity(self, severity: int) -> str:
        return f"ernst {severity}"

    def escalated(self, level: str) -> str:
        return "geëscaleerd naar " + ESCALATION.get(level, level)

    def incidents(self, count: int) -> str:
        return f"{count} melding" if count == 1 else f"{count} meldingen"

    def incident_title(self, incident_id: int) -> str:
        return f"Melding #{incident_id}"

    def incident_ref(self, incident_id: int) -> str:
        return f"melding #{incident_id}"

    def student_title(self, name: str) -> str:
        return f"Leerling {name}"

    def student_summary(self, class_name: str | None, count: int) -> str:
        return (f"Klas {class_name} · " if class_name else "") + f"{self.incidents(count)}, nieuwste eerst"

    def privacy_title(self, name: str) -> str:
        return f"Privacy: {name}"

    def account_data(self, account: str) -> str:
        return f"Gegevens van account {account}"

    def counts_caption(self, title: str) -> str:
        return f"{title} (aantallen)"

    def result(self, result: Result) -> str:
        return RESULT[result]

    def not_a_date(self, value: str) -> str:
        return f"{value!r} is geen datum (jjjj-mm-dd)"

    def history_action(self, action: str) -> str:
        if action.startswith("escalated:"):
            return self.escalated(action.split(":", 1)[1])
        return ACTION.get(action, action)

    def history_actor(self, actor: str, name_of: Mapping[str, str]) -> str:
        """ "desk as sa4" → "Meneer Jansen, op de desk"; "cli:root as sa4" → "…, op de opdrachtregel"."""
        if actor.startswith("desk as "):
            pid = actor.removeprefix("desk as ")
            return f"{name_of.get(pid, pid)}, op de desk"
        if actor.startswith("cli:"):
            return f"{actor.split(' as ')[-1] if ' as ' in actor else 'beheerder'}, op de opdrachtregel"
        if actor == "system":
            return "schoolwacht"
        return f"{name_of.get(actor, actor)}, in de chat"

    def unfinished(self, incident_id: int, why: str) -> str:
        if why == "police":
            return f"#{incident_id} is doorgezet als mogelijk strafbaar feit; ook dat dossier verdwijnt."
        return f"#{incident_id} is nog {self.status(why)}: de beoordelaars zijn er nog niet mee klaar."

    def privacy_erased(self, who: str) -> str:
        return (
            f"Alles over {who} is gewist. Staat deze persoon nog in de export van de school, dan zet de volgende "
            "roosterimport hem of haar er weer in."
        )

    def export_file(self, subject: str) -> str:
        return f"gegevens-{subject}.json"

    def announcement_title(self, code: int) -> str:
        return f"Mededeling {code}"

    def announcement_progress(self, done: int, total: int) -> str:
        return f"verstuurd naar {done} van {total}"

    def announcement_scheduled(self, when: str) -> str:
        return f"gepland voor {when}"

    def announcement_reads(self, read: int) -> str:
        return f"{read} gelezen"

    def announcement_room(self, status: str, *, retracted: bool, sent_at: str = "") -> str:
        said = (ROOM_RETRACTED if retracted else ROOM_STATUS).get(status, status)
        return f"{said} {sent_at}" if sent_at and status == "done" and not retracted else said

    def announcement_waiting(self) -> str:
        return "wacht op verzending"

    def edit_label(self, code: int) -> str:
        return f"Nieuwe tekst voor mededeling {code}"

    def preview_when(self, when: str) -> str:
        return f"Wordt verstuurd: {when}"

    def text_too_long(self, limit: int, length: int) -> str:
        return f"De tekst is te lang: hoogstens {limit} tekens (nu {length})."
