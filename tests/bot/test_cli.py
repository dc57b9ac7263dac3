"""The command line as an admin uses it: one-line errors for mistakes, no tracebacks, the right exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.support.core import SAMPLE_PEOPLE, roster_csv


def run_cli(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["schoolwacht", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "schoolwacht.toml"
    path.write_text(
        '[database]\nurl = "sqlite:///school.sqlite3"\n[classifier]\nml_backend = "none"\n'
        '[[rooms]]\nplatform = "console"\nid = "klas-2b"\nname = "klas-2b"\nkind = "class"\n',
        encoding="utf-8",
    )
    return path


def test_init_writes_an_example_and_refuses_to_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "new.toml"
    assert run_cli(["init", str(target)], monkeypatch, capsys)[0] == 0
    assert "[[rooms]]" in target.read_text(encoding="utf-8")
    code, output = run_cli(["init", str(target)], monkeypatch, capsys)
    assert code == 2 and output.strip() == f"error: {target} exists already; use --force to overwrite it"


def test_upgrade_import_show(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(roster_csv(SAMPLE_PEOPLE), encoding="utf-8")
    code, output = run_cli(["roster", "import", str(roster), "-c", str(config)], monkeypatch, capsys)
    assert code == 2 and "run `schoolwacht db upgrade` first" in output and "Traceback" not in output
    assert run_cli(["db", "upgrade", "-c", str(config)], monkeypatch, capsys)[0] == 0
    code, output = run_cli(["roster", "import", str(roster), "-c", str(config)], monkeypatch, capsys)
    assert code == 0 and "8 added, 0 updated" in output
    code, output = run_cli(["roster", "show", "-c", str(config)], monkeypatch, capsys)
    assert code == 0 and "Sanne" in output and "8 people" in output


def test_a_bad_roster_imports_nothing(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run_cli(["db", "upgrade", "-c", str(config)], monkeypatch, capsys)
    good = tmp_path / "good.csv"
    good.write_text(roster_csv(SAMPLE_PEOPLE), encoding="utf-8")
    run_cli(["roster", "import", str(good), "-c", str(config)], monkeypatch, capsys)
    bad = tmp_path / "bad.csv"
    broken = [dict(p) for p in SAMPLE_PEOPLE] + [{"id": "x1", "name": "Nieuw", "role": "student", "mentor": "nobody"}]
    broken[0]["name"] = "Renamed Director"
    bad.write_text(roster_csv(broken), encoding="utf-8")
    code, output = run_cli(["roster", "import", str(bad), "-c", str(config)], monkeypatch, capsys)
    assert code == 2 and "row 10: mentor 'nobody' is not in the roster" in output
    code, output = run_cli(["roster", "show", "-c", str(config)], monkeypatch, capsys)
    assert "8 people" in output and "Renamed" not in output and "Nieuw" not in output


def test_malformed_settings_are_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "schoolwacht.toml"
    path.write_text("[bot]\nplatfroms = []\n", encoding="utf-8")
    code, output = run_cli(["run", "-c", str(path)], monkeypatch, capsys)
    assert code == 2
    assert output.strip() == f"error: {path}: unknown key 'bot.platfroms'"


def test_an_unreachable_database_is_retried_then_named(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SCHOOLWACHT_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    settings = config.read_text(encoding="utf-8").replace('url = "sqlite:///school.sqlite3"\n', "")
    config.write_text(settings.replace("[database]", "[database]\nconnect_attempts = 2"))
    monkeypatch.setattr("time.sleep", lambda _s: None)
    code, output = run_cli(["db", "upgrade", "-c", str(config)], monkeypatch, capsys)
    assert code == 2
    assert "cannot reach the database at postgresql://nobody@127.0.0.1:1/none after 2 attempts" in output


def test_help_on_every_command(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for args in (
        ["--help"],
        ["run", "--help"],
        ["check", "--help"],
        ["roster", "import", "--help"],
        ["db", "upgrade", "--help"],
        ["demo", "--help"],
        ["incidents", "--help"],
        ["model", "--help"],
        ["privacy", "--help"],
    ):
        code, output = run_cli(args, monkeypatch, capsys)
        assert code == 0 and "Usage" in output, args


def test_the_demo_runs_from_a_fresh_process_and_prints_each_reviewers_list() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "160", "HOME": "/tmp"},
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "message removed from #mededelingen-2b" in out  # R10
    assert "detection tiers active: text+e5" in out  # the embedded e5 tier needs nothing installed by hand
    assert "what each reviewer sees" in out
    for reviewer in ("Meneer Jansen", "Mevr. Yilmaz", "Directeur De Boer"):
        assert reviewer in out.split("what each reviewer sees")[1]
    assert "Traceback" not in result.stderr


def test_run_without_a_platform_secret_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "schoolwacht.toml"
    config.write_text(
        '[bot]\nplatforms = ["matrix"]\n[classifier]\nml_backend = "none"\n'
        '[matrix]\nhomeserver = "http://127.0.0.1:1"\nuser_id = "@bot:school.test"\n',
        encoding="utf-8",
    )
    monkeypatch.delenv("SCHOOLWACHT_MATRIX_TOKEN", raising=False)
    monkeypatch.delenv("SCHOOLWACHT_MATRIX_PASSWORD", raising=False)
    assert run_cli(["db", "upgrade", "-c", str(config)], monkeypatch, capsys)[0] == 0
    code, output = run_cli(["run", "-c", str(config)], monkeypatch, capsys)
    assert code == 2 and "Traceback" not in output
    assert output.strip().startswith("error: no Matrix login secret: set SCHOOLWACHT_MATRIX_TOKEN")
