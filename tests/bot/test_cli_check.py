"""`schoolwacht check TEXT`: the verdict and why, with the real text tier; a wrong room kind is a usage error."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.cli import main


def run_check(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    config = tmp_path / "schoolwacht.toml"
    config.write_text('[classifier]\nml_backend = "none"\n', encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["schoolwacht", "check", *args, "-c", str(config)])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_an_insult_prints_the_verdict_the_scores_and_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = run_check(["jij bent echt een k4nkerlijer", "--kind", "class"], tmp_path, monkeypatch, capsys)
    assert code == 0
    assert "verdict: R2 insult" in output and "→ flag, notify-sender" in output
    assert "why: insult compound 'kankerlijer'" in output and "'jij bent echt een k4nkerlijer'" in output
    assert "threshold" in output and "self-harm" in output  # the table of scores per category


def test_a_clean_message_is_ok(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = run_check(["het 3e uur vervalt morgen"], tmp_path, monkeypatch, capsys)
    assert code == 0 and "verdict: ok — nothing to act on" in output


def test_a_room_kind_that_does_not_exist_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = run_check(["hoi", "--kind", "aula"], tmp_path, monkeypatch, capsys)
    assert code == 2 and "'aula' is not one of" in output and "Traceback" not in output
