"""The excerpt kept in the incident log shows what kind of data it was, never the data itself."""

from __future__ import annotations

from moderation.personal_data import find_personal_data, mask


def masked(text: str) -> str:
    return mask(text, find_personal_data(text))


def test_a_phone_number_keeps_only_its_prefix_and_last_two_digits() -> None:
    assert masked("bel hem op 06-12 34 56 78") == "bel hem op 06-•• •• •• 78"


def test_email_address_bsn_and_iban() -> None:
    assert masked("mail: sanne.devries@gmail.com") == "mail: s••••.•••••••@•••.com"
    assert masked("haar bsn is 111222333") == "haar bsn is •••••••33"
    assert masked("NL91ABNA0417164300") == "NL••••••••••••••00"


def test_text_around_the_data_stays() -> None:
    text = "ze woont op Dorpsstraat 12, echt waar"
    assert masked(text) == "ze woont op D•••••••••• ••, echt waar"
    assert "Dorpsstraat" not in masked(text)
