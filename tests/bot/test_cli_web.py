"""`schoolwacht web`: off without `[web]` (one line), and `--link` prints a sign-in link for reviewers only, and for
posters of announcement rooms on a desk whose settings name a chat platform (its Mededelingen page queues for
`schoolwacht run`)."""

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


def test_a_desk_of_its_own_links_a_poster_who_reviews_nobody(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "schoolwacht.toml"
    config.write_text(
        '[database]\nurl = "sqlite:///school.sqlite3"\n[classifier]\nml_backend = "none"\n'
        '[bot]\nplatforms = ["discord"]\n[discord]\nguild_id = 1\nstaff_role_id = 2\n'
        '[web]\npublic_url = "https://desk.school.nl/"\n'
        '[[rooms]]\nplatform = "discord"\nid = "42"\nname = "mededelingen-2b"\nkind = "announcement"\n'
        'posters = ["piet"]\n',
        encoding="utf-8",
    )
    roster = tmp_path / "roster.csv"
    piet = {"id": "piet", "name": "Meneer De Vries", "role": "staff"}  # reviews nobody
    roster.write_text(roster_csv([*SAMPLE_PEOPLE, piet]), encoding="utf-8")
    assert run_cli(["db", "upgrade", "-c", str(config)], monkeypatch, capsys)[0] == 0
    assert run_cli(["roster", "import", str(roster), "-c", str(config)], monkeypatch, capsys)[0] == 0
    code, output = run_cli(["web", "--link", "piet", "-c", str(config)], monkeypatch, capsys)
    assert code == 0 and output.startswith("https://desk.school.nl/login?t="), output
