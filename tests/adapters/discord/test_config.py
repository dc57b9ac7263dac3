"""config.py: the token comes from the environment or a file, never both, never empty."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.discord.config import TOKEN_ENV, TOKEN_FILE_ENV, TokenError, read_token


def test_token_from_the_environment() -> None:
    assert read_token({TOKEN_ENV: " abc.def \n"}) == "abc.def"


def test_token_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("from-file\n", encoding="utf-8")
    assert read_token({TOKEN_FILE_ENV: str(secret)}) == "from-file"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({}, "no Discord token"),
        ({TOKEN_ENV: "   "}, "no Discord token"),
        ({TOKEN_ENV: "a", TOKEN_FILE_ENV: "/x"}, "not both"),
        (
            {TOKEN_FILE_ENV: "/does/not/exist"},
            "Discord token: SCHOOLWACHT_DISCORD_TOKEN_FILE: cannot read /does/not/exist",
        ),
    ],
)
def test_bad_token_settings_are_clear(environ: dict[str, str], message: str) -> None:
    with pytest.raises(TokenError, match=message):
        read_token(environ)


def test_an_empty_token_file_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("\n", encoding="utf-8")
    with pytest.raises(TokenError, match="is empty"):
        read_token({TOKEN_FILE_ENV: str(secret)})
