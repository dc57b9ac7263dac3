"""Dutch: what the author of a message reads when the bot acted on it. Students are "je"; a staff member in a
student-run group chat is "u". Each notice names the school rule, what happened, and whom to talk to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time

from moderation.model import Category

# How the message came across, per abusive category ("je bericht lijkt beledigend").
LOOKED = {
    Category.INSULT: "beledigend",
    Category.HARASSMENT: "kwetsend of buitensluitend",
    Category.THREAT: "bedreigend",
    Category.DISCRIMINATION: "discriminerend",
    Category.SEXUAL: "seksueel",
}
SELF_HARM = (
    "We maken ons zorgen om je na je bericht. Je mentor neemt contact met je op. Wil je nu met iemand praten? "
    "Bel of chat anoniem met 113 Zelfmoordpreventie (0800-0113) of De Kindertelefoon (0800-0432)."
)
DISCLOSURE = (
    "Goed dat je dit vertelt. Je bericht blijft staan en iemand van school heeft het gezien: je mentor neemt contact "
    "met je op. Stuur niets wat je niet wilt sturen, en bewaar de berichten die je kreeg (een screenshot is genoeg). "
    "Wil je nu met iemand praten? Bel of chat anoniem met De Kindertelefoon (0800-0432)."
)
FORGED_EDIT = (
    "Je bewerking van een bericht van iemand anders is verwijderd: je kunt alleen je eigen berichten bewerken. "
    "Nagemaakte berichten zijn niet toegestaan (schoolregel R7)."
)
STAFF_IN_STUDENT_ROOM = (
    "Goedemiddag, u bent lid geworden van #{room}, een groepsgesprek dat leerlingen zelf beheren. Volgens het "
    "sociale-mediaprotocol van de school nemen medewerkers geen deel aan door leerlingen beheerde groepsgesprekken "
    "(regel R10). Wilt u de groep verlaten? Uw leidinggevende ontvangt hiervan een melding. Hoort deze groep bij uw "
    "lessen, dan kan de beheerder de ruimte uitzonderen."
)


class DutchNotices:
    def abusive(self, category: Category, room: str, *, staff: bool, deleted: bool) -> str:
        reviewer = "je leidinggevende" if staff else "je mentor"  # R12 / R13
        done = "verwijderd" if deleted else f"doorgestuurd naar {reviewer}"
        return (
            f"Je bericht in #{room} lijkt {LOOKED.get(category, 'ongepast')} en is {done} (schoolregels R2/R7). "
            f"Denk je dat dit een vergissing is? Bespreek het met {reviewer}."
        )

    def self_harm(self) -> str:
        return SELF_HARM

    def disclosure(self) -> str:
        return DISCLOSURE

    def several(self, notices: Sequence[str]) -> str:
        # The same notice for several messages once, with how many it was about.
        counted = {text: notices.count(text) for text in notices}
        lines = [f"- {f'({n} berichten) ' if n > 1 else ''}{text}" for text, n in counted.items()]
        return f"Dit gaat over {len(notices)} berichten die je net stuurde:\n" + "\n".join(lines)

    def announcement_only(self, room: str) -> str:
        return (
            f"In #{room} mogen alleen docenten berichten plaatsen (schoolregel R10), dus je bericht is "
            "verwijderd. Een vraag over een mededeling? Stel hem aan je mentor of in je klassengroep."
        )

    def forged_edit(self) -> str:
        return FORGED_EDIT

    def media_held(self, room: str) -> str:
        return (
            f"Je foto of video in #{room} is weggehaald tot je mentor ernaar heeft gekeken (schoolregel R6: geen "
            "foto's of video's van een ander zonder toestemming). Staat er niemand anders op, of heeft diegene "
            "toestemming gegeven? Bespreek het met je mentor."
        )

    def media_removed(self, room: str) -> str:
        return f"Je foto of video in #{room} is weggehaald (schoolregels R6/R7). Je mentor neemt contact met je op."

    def personal_data(self, room: str, kinds: Sequence[str], *, held: bool) -> str:
        done = "verwijderd" if held else "doorgestuurd naar je mentor"
        return (
            f"Je bericht in #{room} bevatte persoonlijke gegevens van iemand anders ({', '.join(kinds)}) en is "
            f"{done} (schoolregel R6: deel geen gegevens, foto's of video's van een ander zonder toestemming). "
            "Wil je iemand bereiken? Vraag het die persoon zelf."
        )

    def quiet_hours(self, room: str, window: str, end: time, *, held: bool) -> str:
        done = "is weggehaald" if held else "staat er wel"
        return (
            f"Het is stiltetijd in #{room} ({window}): de school is telefoonvrij (schoolregel R11). Je bericht "
            f"{done}; berichten kunnen weer na {end:%H:%M}."
        )

    def staff_in_student_room(self, room: str) -> str:
        return STAFF_IN_STUDENT_ROOM.format(room=room)
