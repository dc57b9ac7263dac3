"""`schoolwacht incidents …` and `schoolwacht privacy …` against a real database made by the real Moderator."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli_incidents import incidents_app
from bot.cli_privacy import privacy_app
from moderation.storage.incidents import HistoryRow, IncidentRow
from tests.support.review import School, make_school

runner = CliRunner(env={"COLUMNS": "220"})  # wide enough that Rich does not wrap table cells


@pytest.fixture
def school(tmp_path: Path) -> Iterator[School]:
    school = make_school(tmp_path)
    yield school
    school.core.close()


@pytest.fixture
def config(tmp_path: Path, school: School) -> Path:
    path = tmp_path / "schoolwacht.toml"
    url = school.core.settings.database_url()
    path.write_text(f'[database]\nurl = "{url}"\n[classifier]\nml_backend = "none"\n', encoding="utf-8")
    return path


def run(app: object, config: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--config", str(config)])  # type: ignore[arg-type]
    return result.exit_code, result.output


async def test_list_shows_what_the_reviewer_may_see(school: School, config: Path) -> None:
    mine = await school.incident("sanne", "[sexual] x")
    other = await school.incident("noor", "[sexual] y", room="klas-3a")
    code, out = run(incidents_app, config, "list", "--as", "jan")
    assert code == 0 and "1 incident(s)" in out and "Sanne Bakker" in out and "Noor" not in out
    assert run(incidents_app, config, "list", "--as", "JAN") == (code, out)  # roster ids are case-insensitive
    code, out = run(incidents_app, config, "list")  # the administrator: leadership rights
    assert code == 0 and "2 incident(s)" in out
    code, out = run(incidents_app, config, "list", "--room", "klas-3a", "--status", "open")
    assert code == 0 and "1 incident(s)" in out and f"{other}" in out
    assert mine != other


async def test_review_cycle_on_the_command_line(school: School, config: Path) -> None:
    n = str(await school.incident("sanne", "[insult] jij sukkel"))
    assert run(incidents_app, config, "ack", n, "--as", "jan")[0] == 0
    code, out = run(incidents_app, config, "escalate", n, "police", "dreigement", "--as", "jan")
    assert code == 0 and "escalated to police" in out
    code, out = run(incidents_app, config, "resolve", n, "gesprek gevoerd", "--measure", "schorsing", "--as", "jan")
    assert code == 2 and "parents" in out
    code, out = run(
        incidents_app, config, "resolve", n, "gesprek gevoerd", "--measure", "schorsing", "--parents", "--as", "jan"
    )
    assert code == 0 and "resolved" in out
    assert run(incidents_app, config, "resolve", n, "nog eens", "--as", "jan")[0] == 0  # unchanged, not an error
    code, out = run(incidents_app, config, "show", n)
    assert code == 0
    assert "mogelijk strafbaar" in out and f"cli:{getpass.getuser()}" in out  # the admin's read recorded
    assert "escalated:police" in out and "ouders ingelicht: ja" in out
    with school.core.sessions() as session:
        row = session.get(IncidentRow, int(n))
        assert row is not None and row.status == "resolved" and row.parents_informed is True


async def test_bad_input_on_the_command_line(school: School, config: Path) -> None:
    n = str(await school.incident("sanne", "[sexual] x"))
    code, out = run(incidents_app, config, "ack", "4242")
    assert code == 1 and "no incident #4242" in out
    code, out = run(incidents_app, config, "ack", n, "--as", "eva")
    assert code == 1 and "not yours" in out
    code, out = run(incidents_app, config, "ack", n, "--as", "ghost")
    assert code == 2 and "not on the school's current roster" in out
    code, out = run(incidents_app, config, "escalate", n, "mars")
    assert code == 2 and "coordinator, leadership or police" in out
    code, out = run(incidents_app, config, "list", "--status", "weird")
    assert code == 2
    code, _ = run(incidents_app, config, "ack", "not-a-number")
    assert code == 2


async def test_privacy_export_and_erase(school: School, config: Path, tmp_path: Path) -> None:
    mine = await school.incident("sanne", "[sexual] van sanne")
    other = await school.incident("noor", "[sexual] van noor", room="klas-3a")
    target = tmp_path / "sanne.json"
    code, _ = run(privacy_app, config, "export", "sanne", "--output", str(target))
    assert code == 0
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [i["id"] for i in data["incidents_about_you"]] == [mine]
    code, out = run(privacy_app, config, "erase", "sanne", "--dry-run")
    assert code == 0 and "dry run" in out and f"#{mine}" in out
    with school.core.sessions() as session:
        assert session.get(IncidentRow, mine) is not None
    code, out = run(privacy_app, config, "erase", "sanne", "--yes")
    assert code == 0 and "erased sanne" in out
    assert f"warning: #{mine} is still open: its reviewers have not finished it" in out
    with school.core.sessions() as session:
        assert session.get(IncidentRow, mine) is None and session.get(IncidentRow, other) is not None
    code, out = run(privacy_app, config, "export", "sanne")
    assert code == 1 and "nothing is stored" in out
    assert run(incidents_app, config, "escalate", str(other), "police", "dreiging")[0] == 0
    result = runner.invoke(privacy_app, ["erase", "noor", "--config", str(config)], input="n\n")
    assert result.exit_code == 1 and "nothing was changed" in result.output
    assert f"warning: #{other} was escalated as a possible criminal offence; its record goes too" in result.output


async def test_markup_in_a_note_is_shown_as_typed_and_never_rendered(school: School, config: Path) -> None:
    n = str(await school.incident("sanne", "[insult] jij sukkel"))
    note = "gesprek [/b] gevoerd, zie [link=https://evil.example/x]het dossier[/link]"
    assert run(incidents_app, config, "dismiss", n, note, "--as", "jan")[0] == 0
    code, out = run(incidents_app, config, "show", n)
    assert code == 0, out
    assert "[/b]" in out and "[link=https://evil.example/x]het dossier[/link]" in out
    result = runner.invoke(incidents_app, ["show", n, "--config", str(config)], color=True)
    assert "\x1b]8;" not in result.output  # no terminal hyperlink was made of the note


async def test_control_characters_in_an_excerpt_are_replaced_where_it_is_shown(school: School, config: Path) -> None:
    n = str(await school.incident("sanne", "[insult] jij \x9b31msukkel\x85 \u202eloh"))
    code, out = run(incidents_app, config, "show", n)
    assert code == 0, out
    assert not any(ch in out for ch in "\x9b\x85\u202e")
    assert "\ufffd31msukkel\ufffd" in out
    code, out = run(incidents_app, config, "list")
    assert code == 0 and "\x9b" not in out


async def test_acting_as_a_reviewer_records_who_really_typed_it(school: School, config: Path) -> None:
    n = await school.incident("sanne", "[insult] jij sukkel")
    assert run(incidents_app, config, "ack", str(n), "--as", "jan")[0] == 0
    with school.core.sessions() as session:
        actors = session.scalars(select(HistoryRow.actor).where(HistoryRow.action == "acknowledged")).all()
    assert actors == [f"cli:{getpass.getuser()} as jan"]


async def test_a_student_cannot_learn_which_incident_numbers_exist(school: School, config: Path) -> None:
    n = await school.incident("noor", "[insult] jij sukkel")
    code_there, there = run(incidents_app, config, "show", str(n), "--as", "sanne")
    code_absent, absent = run(incidents_app, config, "show", str(n + 50), "--as", "sanne")
    assert code_there == code_absent == 1
    assert there.replace(str(n), "N") == absent.replace(str(n + 50), "N")
