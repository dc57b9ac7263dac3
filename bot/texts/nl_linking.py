"""Dutch: what students and staff read while linking their chat account. `c` is how a command is typed on that
platform: "!" in a Matrix chat, "/" on Discord."""

from __future__ import annotations

MAIL_SUBJECT = "Je koppelcode voor de chatbot van school"


class DutchLinking:
    def mail_subject(self) -> str:
        return MAIL_SUBJECT

    def how(self, c: str) -> str:
        return (
            f"Koppel je account aan je schoolgegevens: typ {c}koppel en je leerlingnummer of personeelsnummer, "
            f"bijvoorbeeld {c}koppel 123456. Loskoppelen: {c}ontkoppel."
        )

    def code_sent(self, c: str, minutes: int) -> str:
        # The same answer whether or not the number exists, so that nobody can find out which numbers do.
        return (
            "Als dat nummer bij onze school hoort, staat er nu een code in de schoolmailbox van die persoon. "
            f"De code is {minutes} minuten geldig. Typ hier {c}koppel en de code, bijvoorbeeld {c}koppel ABCD-EFGH."
        )

    def mail_body(self, first_name: str, platform: str, account: str, code: str, c: str, minutes: int) -> str:
        return (
            f"Hallo {first_name},\n\n"
            f"Iemand wil het {platform}-account {account} koppelen aan jouw schoolgegevens.\n"
            f"Ben jij dat? Typ dan in de chat met de bot:\n\n    {c}koppel {code}\n\n"
            f"De code is {minutes} minuten geldig.\n\n"
            "Heb jij dit niet gevraagd? Dan hoef je niets te doen: zonder de code verandert er niets. "
            "Gebeurt het vaker, meld het dan bij je mentor of de ICT-beheerder.\n"
        )

    def linked(self, name: str, c: str) -> str:
        return f"Gelukt: dit account is nu gekoppeld aan {name}. Loskoppelen kan met {c}ontkoppel."

    def linked_instead(self, name: str, old: str) -> str:
        return f" Je vorige account ({old}) is niet meer aan {name} gekoppeld."

    def already_linked(self, name: str, c: str) -> str:
        return f"Dit account is al gekoppeld aan {name}. Wil je het aan iemand anders koppelen? Typ eerst {c}ontkoppel."

    def taken_meanwhile(self, c: str) -> str:
        return f"Dit account is intussen aan iemand anders gekoppeld. Typ eerst {c}ontkoppel als dat niet klopt."

    def wrong_code(self, left: int) -> str:
        return f"Die code klopt niet. Je kunt het nog {left} keer proberen."

    def too_many_wrong(self, c: str) -> str:
        return f"Te vaak een verkeerde code. Vraag een nieuwe code aan met {c}koppel en je nummer."

    def expired(self, c: str) -> str:
        return f"Die code is verlopen; er is niets veranderd. Vraag een nieuwe aan met {c}koppel en je nummer."

    def no_request(self, c: str) -> str:
        return (
            f"Er loopt geen koppeling voor dit account. Begin met {c}koppel en je leerlingnummer of personeelsnummer."
        )

    def too_many_requests(self, minutes: int) -> str:
        return f"Je hebt al een paar keer een code gevraagd. Probeer het over {minutes} minuten opnieuw."

    def unlinked(self, name: str) -> str:
        return f"Dit account is niet meer gekoppeld aan {name}."

    def from_the_roster(self) -> str:
        return (
            "Dit account staat in de schooladministratie bij jouw gegevens; dat kan de bot niet losmaken. "
            "Vraag het de ICT-beheerder van school."
        )

    def not_linked(self, c: str) -> str:
        return f"Dit account is aan niemand gekoppeld. Koppelen kan met {c}koppel en je nummer."

    def request_withdrawn(self) -> str:
        return "Je aanvraag is ingetrokken; de code werkt niet meer."

    def failed(self) -> str:
        return "Dat lukte nu niet door een storing. Probeer het later nog eens."
