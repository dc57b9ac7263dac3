"""`[smtp]`: the mail server for linking codes; its password only from the environment."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adapters.base import AdapterConfigError
from bot.settings import SettingsError, settings_from_dict

GOOD = {"host": "smtp.school.nl", "from": "Schoolwacht <noreply@school.nl>"}


def test_defaults_and_the_password_from_the_environment_or_a_file(tmp_path: Path) -> None:
    smtp = settings_from_dict({"smtp": {**GOOD, "user": "bot"}}).smtp
    assert smtp is not None and (smtp.port, smtp.starttls, smtp.sender) == (587, True, GOOD["from"])
    assert smtp.password({"SCHOOLWACHT_SMTP_PASSWORD": " geheim "}) == "geheim"
    secret = tmp_path / "smtp-password"
    secret.write_text("uit-een-bestand\n", encoding="utf-8")
    assert smtp.password({"SCHOOLWACHT_SMTP_PASSWORD_FILE": str(secret)}) == "uit-een-bestand"
    with pytest.raises(AdapterConfigError, match=r"smtp\.user is set: give its password in SCHOOLWACHT_SMTP_PASSWORD"):
        smtp.password({})


@pytest.mark.parametrize(
    ("smtp", "message"),
    [
        (
            {**GOOD, "password": "x"},
            "smtp.password: secrets do not go in the settings file; set SCHOOLWACHT_SMTP_PASSWORD",
        ),
        ({"host": "smtp.school.nl"}, "missing key 'smtp.from'"),
        ({**GOOD, "from": "noreply"}, "from must be an e-mail address, not 'noreply'"),
        ({**GOOD, "port": 0}, "smtp.port"),
    ],
)
def test_mistakes_are_one_line_naming_the_key(smtp: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError, match=re.escape(message)):
        settings_from_dict({"smtp": smtp})
