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
        ["web", "--help"],
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


def test_two_exports_in_one_import_and_a_compact_filtered_show(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support.school_exports import School, magister

    config.write_text(config.read_text(encoding="utf-8") + '[roster]\nleadership = ["T01"]\n', encoding="utf-8")
    students, staff = magister(School(classes=2, per_class=3, staff=4), tmp_path)
    assert run_cli(["db", "upgrade", "-c", str(config)], monkeypatch, capsys)[0] == 0
    code, output = run_cli(["roster", "import", str(students), str(staff), "-c", str(config)], monkeypatch, capsys)
    assert code == 0, output
    assert f"{students}: students, 6 row(s), Windows-1252, semicolons; ignored columns: Studie" in output
    assert "roster imported: 10 added, 0 updated, 0 unchanged, 0 no longer in the files" in output
    code, output = run_cli(["roster", "import", str(staff), "-c", str(config)], monkeypatch, capsys)
    assert code == 2 and "6 of the 10 people now in the roster (60%)" in output and "--allow-removals" in output
    code, output = run_cli(["roster", "show", "--class", "1a", "-c", str(config)], monkeypatch, capsys)
    lines = output.strip().splitlines()
    assert code == 0 and len(lines) == 4 and lines[-1] == "3 people (of 10)"
    assert "100000  Daniëlle Bakker  student  1A  mentor T02, T03  console:100000" in lines  # full account ids
    code, output = run_cli(["roster", "import", str(staff), "--allow-removals", "-c", str(config)], monkeypatch, capsys)
    assert code == 0 and "6 no longer in the files" in output
    code, output = run_cli(["roster", "show", "--left", "--role", "student", "-c", str(config)], monkeypatch, capsys)
    assert code == 0 and output.strip().splitlines()[-1] == "6 people who left"


@pytest.mark.parametrize("homeserver", ["http://127.0.0.1:9", "https://matrix.school.invalid"])
def test_an_unreachable_homeserver_at_start_is_waited_for_in_one_line_each_try(tmp_path: Path, homeserver: str) -> None:
    import os
    import signal
    import time

    config = tmp_path / "schoolwacht.toml"
    config.write_text(
        '[bot]\nplatforms = ["matrix"]\n[classifier]\nml_backend = "none"\n'
        f'[matrix]\nhomeserver = "{homeserver}"\nuser_id = "@bot:school.test"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "SCHOOLWACHT_MATRIX_TOKEN": "t"}
    env.pop("SCHOOLWACHT_DATABASE_URL", None)
    assert subprocess.run([sys.executable, "-m", "bot", "db", "upgrade", "-c", str(config)], env=env).returncode == 0
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "-c", str(config)], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        assert bot.stderr is not None
        waits: list[str] = []
        deadline = time.monotonic() + 60
        while len(waits) < 2 and time.monotonic() < deadline:
            line = bot.stderr.readline()
            if "cannot reach the homeserver" in line:
                waits.append(line)
        assert len(waits) == 2, "the bot did not report its retries"
        assert f"matrix: cannot reach the homeserver {homeserver} ([matrix] homeserver): " in waits[0]
        assert waits[0].rstrip().endswith("retrying in 1s") and waits[1].rstrip().endswith("retrying in 2s")
        bot.send_signal(signal.SIGTERM)
        rest = bot.communicate(timeout=30)[1]
    finally:
        bot.kill()
    assert bot.returncode == 0
    assert "Traceback" not in rest and " ERROR " not in rest


@pytest.mark.parametrize("command", [["model", "download"], ["model", "export-onnx"]])
def test_model_commands_without_the_ml_extra_say_what_to_install(tmp_path: Path, command: list[str]) -> None:
    # A fresh process in which the ML packages cannot be imported, as on an install without the [ml] extra.
    (tmp_path / "models").mkdir()
    probe = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in {'torch', 'detoxify', 'transformers', 'onnx', 'onnxruntime'}:\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Block())\n"
        f"sys.argv = ['schoolwacht', *{command!r}, '--dir', {str(tmp_path / 'models')!r}]\n"
        "from bot.cli import main\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert (
        "error: this needs the optional package" in result.stderr and "pip install 'schoolwacht[ml]'" in result.stderr
    )
