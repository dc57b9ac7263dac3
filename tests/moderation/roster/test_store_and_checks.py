"""Roster import (R12/R13): validation with row numbers, one transaction, re-import updates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.database import upgrade
from moderation.directory import load_directory
from moderation.model import AccountId, Platform, Role
from moderation.roster import RosterError, parse_roster, read_roster, store_roster
from moderation.storage.engine import make_engine, make_session_factory
from moderation.storage.people import PersonRow

HEADER = "id,name,role,class,mentor,manager,coordinator,leadership,discord_id,matrix_id\n"
GOOD = HEADER + (
    "dir,Directeur,staff,,,,no,yes,,\n"
    "jan,Jan Jansen,staff,,,dir,no,no,111111111111111111,@jan:school.nl\n"
    "sanne,Sanne Bakker,student,2B,jan,,no,no,222222222222222222,@sanne:school.nl\n"
)
NOW = datetime(2026, 11, 24, tzinfo=UTC)


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield make_session_factory(engine)
    engine.dispose()


def test_parses_people_relations_and_accounts() -> None:
    people = {p.id: p for p in parse_roster(GOOD)}
    assert people["sanne"].role is Role.STUDENT and people["sanne"].mentor == "jan"
    assert people["jan"].manager == "dir" and people["dir"].is_leadership
    platforms = {a.platform for a in people["jan"].accounts}
    assert platforms == {Platform.DISCORD, Platform.MATRIX, Platform.CONSOLE}


def test_dutch_headers_semicolons_and_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    text = "Nummer;Naam;Rol;Klas;Mentor\njan;Jan;docent;;\ns1;Sanne;leerling;2B;jan\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    people = list(read_roster(path).people())
    assert [(p.id, p.role) for p in people] == [("jan", Role.STAFF), ("s1", Role.STUDENT)]


def test_every_problem_is_reported_with_its_row_number() -> None:
    bad = HEADER + (
        "jan,Jan,staff,,,,no,no,111111111111111111,@jan:school.nl\n"
        "s1,Sanne,student,2B,,,no,no,,\n"  # no mentor
        "s2,Daan,student,2B,piet,,no,no,,\n"  # unknown mentor
        "s3,Noor,student,2B,s1,,no,no,,\n"  # mentor is not staff
        "s4,Milan,student,2B,jan,,maybe,no,111111111111111111,not-a-matrix-id\n"  # flag, dup account, bad id
        "jan,Jan again,staff,,,,no,no,,\n"  # duplicate id
        "s5,Ali,teacher,,,,no,no,,\n"  # unknown role
    )
    with pytest.raises(RosterError) as caught:
        parse_roster(bad, source="export.csv")
    message = str(caught.value)
    assert message.startswith("export.csv: 8 problem(s), nothing was imported")
    for expected in (
        "row 3: student 's1' has no mentor",
        "row 4: mentor 'piet' is not in the roster",
        "row 5: mentor 's1' is not a staff member",
        "row 6: coordinator must be yes/no",
        "row 6: matrix_id 'not-a-matrix-id' is not valid",
        "row 6: discord account '111111111111111111' also on row 2",
        "row 7: id 'jan' also on row 2",
        "row 8: role 'teacher' is not student, staff or parent",
    ):
        assert expected in message


def test_missing_columns_and_empty_or_binary_files(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match="missing column"):
        parse_roster("name,class\nSanne,2B\n")
    with pytest.raises(RosterError, match="empty"):
        parse_roster("")
    binary = tmp_path / "roster.xlsx"
    binary.write_bytes(b"PK\x03\x04\xff\xfe\x00")
    with pytest.raises(RosterError, match="not CSV text"):
        read_roster(binary)
    with pytest.raises(RosterError, match="cannot read"):
        read_roster(tmp_path / "missing.csv")


def test_reimport_updates_never_duplicates_and_marks_leavers(sessions: sessionmaker[Session]) -> None:
    first = store_roster(sessions, parse_roster(GOOD), NOW)
    assert (first.added, first.updated, first.deactivated) == (3, 0, 0)
    moved = GOOD.replace("Sanne Bakker,student,2B", "Sanne Bakker-de Wit,student,3B")
    moved = "\n".join(line for line in moved.splitlines() if not line.startswith("dir,")) + "\n"
    moved = moved.replace(",dir,no,no,111", ",,no,no,111")  # jan's manager left with dir
    second = store_roster(sessions, parse_roster(moved), NOW)
    assert (second.added, second.updated, second.deactivated) == (0, 2, 1)
    again = store_roster(sessions, parse_roster(moved), NOW)  # the nightly re-import of an unchanged export
    assert (again.added, again.updated, again.unchanged, again.deactivated) == (0, 0, 2, 0)
    with sessions() as session:
        assert session.query(PersonRow).count() == 3  # the leaver is kept (incidents refer to them), inactive
    directory = load_directory(sessions)
    sanne = directory.person_for(Platform.MATRIX, AccountId("@sanne:school.nl"))
    assert sanne is not None and sanne.name == "Sanne Bakker-de Wit" and sanne.class_name == "3B"
    assert directory.person("dir") is None  # type: ignore[arg-type]


def test_an_account_can_move_to_another_person_on_reimport(sessions: sessionmaker[Session]) -> None:
    store_roster(sessions, parse_roster(GOOD), NOW)
    swapped = GOOD.replace("111111111111111111,@jan:school.nl", "333333333333333333,@jan:school.nl").replace(
        "222222222222222222", "111111111111111111"
    )
    store_roster(sessions, parse_roster(swapped), NOW)
    sanne = load_directory(sessions).person_for(Platform.DISCORD, AccountId("111111111111111111"))
    assert sanne is not None and sanne.id == "sanne"
