"""`schoolwacht web`: off without `[web]` (one line), and `--link` prints a sign-in link for reviewers only."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.test_cli import run_cli
from tests.support.core import SAMPLE_PEOPLE, roster_csv


def test_web_needs_its_section_and_links_only_reviewers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "schoolwacht.toml"
    base = '[database]\nurl = "sqlite:///school.sqlite3"\n[classifier]\nml_backend = "none"\n'
    config.write_text(base, encoding="utf-8")
    code, output = run_cli(["web", "-c", str(config)], monkeypatch, capsys)
    assert code == 2 and output.startswith("error: the desk is off: add a [web] section")

    config.write_text(base + '[web]\npublic_url = "https://desk.school.nl/"\n', encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text(roster_csv(SAMPLE_PEOPLE), encoding="utf-8")
    assert run_cli(["db", "upgrade", "-c", str(config)], monkeypatch, capsys)[0] == 0
    assert run_cli(["roster", "import", str(roster), "-c", str(config)], monkeypatch, capsys)[0] == 0
    code, output = run_cli(["web", "--link", "jan", "-c", str(config)], monkeypatch, capsys)
    assert code == 0 and output.startswith("https://desk.school.nl/login?t=")
    code, output = run_cli(["web", "--link", "sanne", "-c", str(config)], monkeypatch, capsys)
    assert code == 2 and "'sanne' is not a reviewer on the roster" in output
