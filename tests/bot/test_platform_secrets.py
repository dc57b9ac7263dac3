"""The root reads each adapter's secrets: from the environment or a *_FILE path, never both, never empty, never from
the settings file."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.discord.config import TOKEN_ENV, TOKEN_FILE_ENV, TokenError
from adapters.matrix.config import MatrixConfigError
from bot.platforms import discord_token, matrix_secrets


def test_discord_token_from_the_environment() -> None:
    assert discord_token({TOKEN_ENV: " abc.def \n"}) == "abc.def"


def test_discord_token_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("from-file\n", encoding="utf-8")
    assert discord_token({TOKEN_FILE_ENV: str(secret)}) == "from-file"


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
def test_bad_discord_token_settings_are_clear(environ: dict[str, str], message: str) -> None:
    with pytest.raises(TokenError, match=message):
        discord_token(environ)


def test_an_empty_discord_token_file_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("\n", encoding="utf-8")
    with pytest.raises(TokenError, match="is empty"):
        discord_token({TOKEN_FILE_ENV: str(secret)})


def test_matrix_token_from_env() -> None:
    secrets = matrix_secrets({"SCHOOLWACHT_MATRIX_TOKEN": "syt_abc"})
    assert secrets.access_token == "syt_abc" and secrets.password is None
    assert "syt_abc" not in repr(secrets)


def test_matrix_password_from_file(tmp_path: Path) -> None:
    path = tmp_path / "pw"
    path.write_text("geheim\n")
    secrets = matrix_secrets({"SCHOOLWACHT_MATRIX_PASSWORD_FILE": str(path)})
    assert secrets.password == "geheim"


def test_matrix_both_forms_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "t"
    path.write_text("x")
    with pytest.raises(MatrixConfigError, match="either"):
        matrix_secrets({"SCHOOLWACHT_MATRIX_TOKEN": "a", "SCHOOLWACHT_MATRIX_TOKEN_FILE": str(path)})


def test_matrix_missing_or_empty_file(tmp_path: Path) -> None:
    with pytest.raises(MatrixConfigError, match="cannot read"):
        matrix_secrets({"SCHOOLWACHT_MATRIX_TOKEN_FILE": str(tmp_path / "nope")})
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(MatrixConfigError, match="empty"):
        matrix_secrets({"SCHOOLWACHT_MATRIX_TOKEN_FILE": str(tmp_path / "empty")})


def test_no_matrix_secret_at_all() -> None:
    with pytest.raises(MatrixConfigError, match="no Matrix login secret"):
        matrix_secrets({})
