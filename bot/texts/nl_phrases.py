"""Dutch: the fixed phrases (`Phrase`): the commands' help, Discord's buttons and forms, the report replies, the
labels on a card, the sign-in answer."""

from __future__ import annotations

from moderation.texts import Phrase

RESOLVE_HOW = "!opgelost N wat je deed[; maatregel: …][; ouders: ja|nee]"
HELP = (
    "Commando's: !lijst [open|in-review|resolved|dismissed] · !toon N · !oppakken N · "
    f"{RESOLVE_HOW} · !afwijzen N [waarom] · !escaleer N abc|schoolleiding|politie [waarom]. "
    "De Engelse namen werken ook (!ack, !resolve, !dismiss, !escalate, !show, !list)."
)
LEVELS = "abc (anti-pestcoördinator), schoolleiding of politie"

PHRASES: dict[Phrase, str] = {
    Phrase.HELP: HELP,
    Phrase.NOT_A_REVIEWER: "Je staat niet als begeleider in de schoollijst; vraag het de beheerder.",
    Phrase.NOT_DELIVERED_EVERYWHERE: "Niet iedereen kreeg de melding in de chat; zij zien hem in hun dagoverzicht.",
    Phrase.COMBINED_TITLE: "{n} meldingen tegelijk (elke melding heeft een eigen nummer)",
    Phrase.COMBINED_REACTIONS: (
        "Een 👀 op deze kaart pakt alle meldingen erop op. Afhandelen, afwijzen en escaleren doe je per melding, "
        "met het nummer: zie onder elke melding."
    ),
    Phrase.COMBINED_PICK: (
        "Op deze kaart staan meerdere meldingen ({numbers}). Afwijzen en escaleren doe je per melding, met het "
        "nummer, bijvoorbeeld: !afwijzen {first} of !escaleer {first} abc."
    ),
    Phrase.NOT_THIS_CARD: "Die knop hoort niet bij deze melding. Gebruik de knoppen op de melding zelf.",
    Phrase.UNKNOWN_BUTTON: "Deze knop ken ik niet (meer). Gebruik de nieuwste melding, of typ !lijst open.",
    Phrase.BUTTON_ACK: "Oppakken",
    Phrase.BUTTON_IN_REVIEW: "In behandeling",
    Phrase.BUTTON_RESOLVE: "Afhandelen…",
    Phrase.BUTTON_DISMISS: "Afwijzen (vals alarm)",
    Phrase.ESCALATE_PLACEHOLDER: "Doorzetten naar…",
    Phrase.BUTTON_ESCALATE: "Doorzetten…",
    Phrase.ESCALATE_TITLE: "Melding #{n} doorzetten",
    Phrase.COMBINED_BUTTONS: "Elke rij knoppen hoort bij één melding: het nummer staat op de eerste knop.",
    Phrase.RESOLVE_TITLE: "Melding #{n} afhandelen",
    Phrase.RESOLVE_NOTE: "Wat heb je gedaan?",
    Phrase.RESOLVE_NOTE_EXAMPLE: "bijv. gesprek gevoerd met de leerling",
    Phrase.RESOLVE_MEASURE: "Maatregel (mag leeg)",
    Phrase.RESOLVE_MEASURE_EXAMPLE: "bijv. excuses aan de klas (leeg als er geen is)",
    Phrase.RESOLVE_PARENTS: "Ouders ingelicht? (verplicht bij maatregel)",
    Phrase.RESOLVE_PARENTS_PLACEHOLDER: "Ouders ingelicht?",
    Phrase.PARENTS_YES: "Ja, de ouders zijn ingelicht",
    Phrase.PARENTS_NO: "Nee",
    Phrase.NOTE_NOT_SAVED: "Je notitie (niet opgeslagen), om te kopiëren: {note}",
    Phrase.REPORT_MENU: "Melden bij school",
    Phrase.REPORT_DESCRIPTION: "Meld een bericht bij school; alleen jij ziet dit",
    Phrase.REPORT_LINK: "De link naar het bericht (rechtsklik op het bericht, Berichtlink kopiëren)",
    Phrase.REPORT_REASON: "Wat is er mis?",
    Phrase.REPORT_THANKS: "Dank je. Je melding is naar school gegaan; wie je meldde, ziet niet dat jij het was.",
    Phrase.REPORT_FAILED: "Sorry, je melding kon niet worden opgeslagen. Zeg het tegen een docent of je mentor.",
    Phrase.REPORT_REFUSED: "Dat kun je hier niet melden: {why}.",
    Phrase.REPORT_NOT_FOUND: "Ik kon dat bericht niet vinden: {why}",
    Phrase.REPORT_OTHER_SERVER: "dat bericht staat niet op deze server",
    Phrase.REPORT_BAD_LINK: "dat is geen link naar een bericht (rechtsklik op het bericht, Berichtlink kopiëren)",
    Phrase.REPORT_UNREACHABLE: "het bestaat niet (meer), of de bot kan het niet lezen",
    Phrase.REPORT_NOT_A_POST: "dat is geen bericht van iemand in een kanaal van de server",
    Phrase.REPORT_RECEIVED: (
        "Bedankt voor je melding. De school bekijkt het bericht; wie het meldde, blijft geheim voor de afzender."
    ),
    Phrase.REPORT_HOW: (
        "Stuur !report [reden] als antwoord (reply) op het bericht dat je wilt melden, of stuur hier (alleen de "
        "school ziet het) !report <link naar het bericht> [reden]; de link vind je bij het bericht onder Delen / "
        "Link kopiëren."
    ),
    Phrase.REPORT_UNREADABLE: "Dat bericht kon ik niet vinden of lezen; meld het bij je mentor of de schoolleiding.",
    Phrase.LINK_COMMAND: "Koppel je Discord-account aan je schoolgegevens (alleen jij ziet dit)",
    Phrase.LINK_OPTION: "Je leerlingnummer of personeelsnummer, of daarna de code uit de mail",
    Phrase.UNLINK_COMMAND: "Maak je Discord-account los van je schoolgegevens",
    Phrase.LOGIN_COMMAND: "Een inloglink voor de desk; alleen jij ziet hem",
    Phrase.LOGIN_LINK: (
        "Je inloglink voor de desk: {link}\n"
        "Hij werkt één keer en {minutes} minuten lang. Deel hem met niemand: wie hem opent, ziet jouw meldingen."
    ),
    Phrase.LOGIN_REFUSED: (
        "Je staat niet als mentor, leidinggevende, coördinator, schoolleiding of privacyfunctionaris op de lijst van "
        "de school, dus de desk is niet voor jou. Klopt dat niet? Vraag het de beheerder."
    ),
    Phrase.ANNOUNCEMENT_RETRACTED: "mededeling ingetrokken",
    Phrase.READ_BUTTON: "Gelezen ✓",
    Phrase.READ_BY_REACTION: "Gelezen? Reageer met {key} op dit bericht.",
    Phrase.INCIDENT: "Melding #{n}",
    Phrase.SCHOOL_RULE: "schoolregel {rule}",
    Phrase.LABEL_INCIDENT: "Melding",
    Phrase.LABEL_WHO: "Wie",
    Phrase.LABEL_WHERE: "Waar",
    Phrase.LABEL_WHEN: "Wanneer",
    Phrase.LABEL_WHAT: "Wat",
    Phrase.LABEL_MESSAGE: "Bericht",
    Phrase.LABEL_WHY: "Waarom",
    Phrase.LABEL_LINK: "Link",
    Phrase.LABEL_REVIEWERS: "Begeleiders",
    Phrase.LABEL_ATTENTION: "Let op",
    Phrase.LABEL_DESK: "Op de desk",
    Phrase.CRIMINAL: "mogelijk strafbaar: de schoolleiding beslist over de politie",
    Phrase.NOT_ON_ROSTER: "staat niet in de schoollijst",
    Phrase.NOBODY_ROUTED: "niemand toegewezen: de schoolleiding",
    Phrase.EDITED: "bewerkt",
    Phrase.FORWARDED: "doorgestuurd",
    Phrase.WITH_MEDIA: "met bijlage",
    Phrase.NO_TEXT: "(geen tekst)",
}
