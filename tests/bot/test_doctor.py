"""`schoolwacht doctor`: each problem with its fix, exit code 1 on any; Matrix checked against a real Synapse."""

from __future__ import annotations

import asyncio
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from bot.database import head_revision
from bot.doctor import Finding, clock_finding, run_doctor
from tests.bot.test_cli import run_cli
from tests.support.fake_discord import FakeDiscord
from tests.support.fake_discord import permissions as p
from tests.support.fake_discord.school import BOT_PERMISSIONS, BOT_TOKEN, build_school
from tests.support.fake_discord.state import World
from tests.support.smtp import smtp_server
from tests.support.synapse import SynapseServer, running_synapse

ROSTER = (
    "id,name,role,class,mentor,leadership,matrix_id\n"
    "dir,Directeur,staff,,,yes,@dir:school.test\n"
    "jan,Jan Jansen,staff,,,no,@jan:school.test\n"
    "sanne,Sanne,student,2B,jan,no,\n"
)


def _failures(findings: list[Finding]) -> list[str]:
    return [f.line() for f in findings if not f.ok]


def _settings(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "schoolwacht.toml"
    path.write_text(
        '[database]\nurl = "sqlite:///school.sqlite3"\n[classifier]\nml_backend = "none"\n' + extra, encoding="utf-8"
    )
    return path


def test_from_an_empty_database_to_healthy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _settings(
        tmp_path,
        '[[rooms]]\nplatform = "console"\nid = "info"\nname = "info"\nkind = "announcement"\n'
        'posters = ["DIR", "piet"]\n',
    )
    code, output = run_cli(["doctor", "-c", str(config)], monkeypatch, capsys)
    head = head_revision(create_engine("sqlite://"))  # the newest migration, whatever its number
    assert code == 1 and f"FAIL database: schema at nothing (empty), needs {head} → schoolwacht db upgrade" in output
    assert run_cli(["db", "upgrade", "-c", str(config)], monkeypatch, capsys)[0] == 0
    code, output = run_cli(["doctor", "-c", str(config)], monkeypatch, capsys)
    assert code == 1 and "FAIL roster: the roster is empty → schoolwacht roster import" in output
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert run_cli(["roster", "import", str(roster), "-c", str(config)], monkeypatch, capsys)[0] == 0
    code, output = run_cli(["doctor", "-c", str(config)], monkeypatch, capsys)
    # "DIR" is dir (ids are case-insensitive); "piet" is a typo nobody can fix but the admin.
    assert code == 1 and "poster 'piet' is not in the roster" in output and "'DIR'" not in output
    assert "ok  database: writable" in output and "ok  time: Europe/Amsterdam" in output
    assert "ok  clock: not checked: nothing this installation talks to tells the time" in output  # said, not hidden
    config.write_text(config.read_text(encoding="utf-8").replace(', "piet"', ""), encoding="utf-8")
    code, output = run_cli(["doctor", "-c", str(config)], monkeypatch, capsys)
    assert code == 0 and output.strip().endswith("no problems found"), output
    assert run_cli(["doctor", "--health", "-c", str(config)], monkeypatch, capsys) == (0, "")


def test_broken_settings_are_a_finding_not_a_traceback(tmp_path: Path) -> None:
    config = _settings(tmp_path, '[bot]\ntimezone = "Amsterdam"\n')
    findings = run_doctor(config, health=False, environ={})
    assert len(findings) == 1 and "is not a time zone" in findings[0].line() and not findings[0].ok


@pytest.fixture(scope="module")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SynapseServer]:
    with running_synapse(tmp_path_factory.mktemp("synapse")) as server:
        yield server


def test_matrix_reachable_logged_in_and_the_bots_power_in_each_room(tmp_path: Path, synapse: SynapseServer) -> None:
    bot = synapse.register("doctorbot")
    teacher = synapse.register("doctorteacher")
    room = str(synapse.api("POST", "/_matrix/client/v3/createRoom", teacher.access_token, {"name": "info"})["room_id"])
    quoted = urllib.parse.quote(room, safe="")
    synapse.api("POST", f"/_matrix/client/v3/rooms/{quoted}/invite", teacher.access_token, {"user_id": bot.user_id})
    synapse.api("POST", f"/_matrix/client/v3/rooms/{quoted}/join", bot.access_token, {})
    config = _settings(
        tmp_path,
        f'[bot]\nplatforms = ["matrix"]\n[matrix]\nhomeserver = "{synapse.url}"\nuser_id = "{bot.user_id}"\n'
        f'[[rooms]]\nplatform = "matrix"\nid = "{room}"\nname = "info"\nkind = "announcement"\n',
    )
    run_cli_env = {"SCHOOLWACHT_MATRIX_TOKEN": bot.access_token}
    from bot.app import open_database
    from bot.database import upgrade
    from bot.settings import load_settings

    engine, _sessions = open_database(load_settings(config), check_schema=False)
    upgrade(engine)
    engine.dispose()
    failures = _failures(run_doctor(config, health=False, environ=run_cli_env))
    assert (
        f"FAIL matrix: room {room}: the bot (power level 0) cannot redact messages, change power levels"
        in "\n".join(failures)
    )
    assert f"give {bot.user_id} power level 100 in the room" in "\n".join(failures)
    levels = synapse.api("GET", f"/_matrix/client/v3/rooms/{quoted}/state/m.room.power_levels", teacher.access_token)
    users = dict(levels["users"])  # type: ignore[arg-type]
    users[bot.user_id] = 100
    synapse.api(
        "PUT",
        f"/_matrix/client/v3/rooms/{quoted}/state/m.room.power_levels",
        teacher.access_token,
        {**levels, "users": users},
    )
    findings = run_doctor(config, health=False, environ=run_cli_env)
    lines = [f.line() for f in findings]
    assert f"ok  matrix: room {room}: the bot may redact messages, change power levels" in lines
    assert f"ok  matrix: logged in as {bot.user_id}" in lines
    assert any(line.startswith("ok  clock:") for line in lines)
    wrong = _failures(run_doctor(config, health=False, environ={"SCHOOLWACHT_MATRIX_TOKEN": teacher.access_token}))
    assert any(f"the token is of {teacher.user_id}, not {bot.user_id}" in line for line in wrong)
    bad = _failures(run_doctor(config, health=False, environ={"SCHOOLWACHT_MATRIX_TOKEN": "nonsense"}))
    assert any("not logged in: HTTP 401" in line for line in bad)
    gone = config.read_text(encoding="utf-8").replace(synapse.url, "http://127.0.0.1:1")
    config.write_text(gone, encoding="utf-8")
    down = _failures(run_doctor(config, health=False, environ=run_cli_env))
    assert any("cannot reach http://127.0.0.1:1" in line and "check [matrix] homeserver" in line for line in down)


@contextmanager
def _fake_discord_in_a_thread(world: World) -> Iterator[None]:
    """The fake Discord server on its own event loop, so that the doctor runs its own, as on the command line."""
    ready, stop = threading.Event(), threading.Event()

    async def serve() -> None:
        async with FakeDiscord(world).running():
            ready.set()
            while not stop.is_set():
                await asyncio.sleep(0.02)

    thread = threading.Thread(target=lambda: asyncio.run(serve()), daemon=True)
    thread.start()
    assert ready.wait(30)
    try:
        yield
    finally:
        stop.set()
        thread.join(30)


def test_discord_login_and_the_bots_permissions_with_the_adapters_own_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    school = build_school(bot_permissions=BOT_PERMISSIONS & ~p.MANAGE_MESSAGES)
    rooms = "".join(
        f'[[rooms]]\nplatform = "discord"\nid = "{r["id"]}"\nname = "{r["name"]}"\nkind = "{r["kind"]}"\n'
        for r in school.rooms()
    )
    config = _settings(
        tmp_path,
        f'[bot]\nplatforms = ["discord"]\n[discord]\nguild_id = {school.world.guild_id}\n'
        f"staff_role_id = {school.staff_role.id}\nreview_channel_id = {school.review.id}\n" + rooms,
    )
    from bot.app import open_database
    from bot.database import upgrade
    from bot.settings import load_settings

    engine, _sessions = open_database(load_settings(config), check_schema=False)
    upgrade(engine)
    engine.dispose()
    monkeypatch.setenv("SCHOOLWACHT_DISCORD_TOKEN", BOT_TOKEN)
    with _fake_discord_in_a_thread(school.world):
        failures = _failures(run_doctor(config, health=False, environ={}))
        assert any("FAIL discord:" in f and "in #klas-2b (moderated): Manage Messages" in f for f in failures), failures
        school.world.roles[school.bot_role.id].permissions |= p.MANAGE_MESSAGES
        lines = [f.line() for f in run_doctor(config, health=False, environ={})]
        assert "ok  discord: logged in; the bot holds every permission it needs in every channel" in lines
        assert any(line.startswith("ok  clock:") and line.endswith("s apart from Discord") for line in lines), lines
        monkeypatch.setenv("SCHOOLWACHT_DISCORD_TOKEN", "not-the-token")
        failures = _failures(run_doctor(config, health=False, environ={}))
        assert any("FAIL discord: the bot token was refused" in f for f in failures), failures
    assert not school.world.channels[school.announcements.id].overwrites  # the doctor changed nothing


def test_a_clock_minutes_off_is_a_failure_with_its_fix() -> None:
    off = clock_finding("Discord", datetime.now(UTC) - timedelta(minutes=5))
    assert not off.ok and off.line().startswith("FAIL clock: 300 s apart from Discord → synchronise the clock")
    assert clock_finding("Discord", datetime.now(UTC) - timedelta(seconds=20)).ok


def test_the_mail_server_for_linking_codes_and_the_addresses_to_send_them_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with smtp_server() as mailbox:
        config = _settings(tmp_path, f'[smtp]\nhost = "127.0.0.1"\nport = {mailbox.port}\nfrom = "bot@school.test"\n')
        assert run_cli(["db", "upgrade", "-c", str(config)], monkeypatch, capsys)[0] == 0
        roster = tmp_path / "roster.csv"
        roster.write_text(ROSTER, encoding="utf-8")
        assert run_cli(["roster", "import", str(roster), "-c", str(config)], monkeypatch, capsys)[0] == 0
        tls = _failures(run_doctor(config, health=False, environ={}))
        assert any(f"FAIL smtp: cannot use 127.0.0.1:{mailbox.port}" in f and "starttls" in f for f in tls), tls
        plain = config.read_text(encoding="utf-8") + "starttls = false\n"
        config.write_text(plain, encoding="utf-8")
        lines = [f.line() for f in run_doctor(config, health=False, environ={})]
        assert f"ok  smtp: 127.0.0.1:{mailbox.port} takes connections" in lines
        assert any(
            "FAIL smtp: the roster has no e-mail addresses" in line and "e-mail column" in line for line in lines
        ), lines
        roster.write_text(ROSTER.replace(",matrix_id\n", ",matrix_id,email\n", 1).replace(",\n", ",,s@school.test\n"))
        assert run_cli(["roster", "import", str(roster), "-c", str(config)], monkeypatch, capsys)[0] == 0
        lines = [f.line() for f in run_doctor(config, health=False, environ={})]
        assert "ok  smtp: 1 of 3 people have a school e-mail address for linking codes" in lines, lines
        config.write_text(plain + 'user = "bot"\n', encoding="utf-8")
        failures = _failures(run_doctor(config, health=False, environ={}))
        assert "FAIL smtp: smtp.user is set: give its password in SCHOOLWACHT_SMTP_PASSWORD (or _FILE)" in " ".join(
            failures
        )
    assert not mailbox.received  # the doctor sends nothing
