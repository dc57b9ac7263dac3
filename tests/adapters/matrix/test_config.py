"""Secrets come from the environment or a *_FILE path, never from the config file."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.matrix.config import MatrixConfigError, read_secrets


def test_token_from_env() -> None:
    secrets = read_secrets({"SCHOOLWACHT_MATRIX_TOKEN": "syt_abc"})
    assert secrets.access_token == "syt_abc" and secrets.password is None
    assert "syt_abc" not in repr(secrets)


def test_password_from_file(tmp_path: Path) -> None:
    path = tmp_path / "pw"
    path.write_text("geheim\n")
    secrets = read_secrets({"SCHOOLWACHT_MATRIX_PASSWORD_FILE": str(path)})
    assert secrets.password == "geheim"


def test_both_forms_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "t"
    path.write_text("x")
    with pytest.raises(MatrixConfigError, match="either"):
        read_secrets({"SCHOOLWACHT_MATRIX_TOKEN": "a", "SCHOOLWACHT_MATRIX_TOKEN_FILE": str(path)})


def test_missing_or_empty_file(tmp_path: Path) -> None:
    with pytest.raises(MatrixConfigError, match="cannot read"):
        read_secrets({"SCHOOLWACHT_MATRIX_TOKEN_FILE": str(tmp_path / "nope")})
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(MatrixConfigError, match="empty"):
        read_secrets({"SCHOOLWACHT_MATRIX_TOKEN_FILE": str(tmp_path / "empty")})


def test_no_secret_at_all() -> None:
    with pytest.raises(MatrixConfigError, match="no Matrix login secret"):
        read_secrets({})
