"""The exports schools really have: Magister and SOMtoday files, Windows-1252, several mentors, huge or broken files."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.database import upgrade
from moderation.directory import load_directory
from moderation.incidents.routing import MENTOR, route
from moderation.model import AccountId, Category, Platform, Role, Severity, Verdict
from moderation.roster import FileKind, RosterError, RosterOptions, TooManyRemovals, read_roster, store_roster
from moderation.storage.engine import make_engine, make_session_factory
from tests.support.school_exports import School, magister, somtoday

NOW = datetime(2026, 12, 1, tzinfo=UTC)
SCHOOL = School(classes=3, per_class=4, staff=8)
LEADERS = RosterOptions(leadership=frozenset({"T01"}))


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield make_session_factory(engine)
    engine.dispose()


def test_magister_students_and_staff_in_windows_1252_with_two_mentors_each(tmp_path: Path) -> None:
    roster = read_roster(list(magister(SCHOOL, tmp_path)), LEADERS)
    assert [(f.kind, f.encoding, f.delimiter, f.rows) for f in roster.files] == [
        (FileKind.STUDENTS, "cp1252", ";", 12),
        (FileKind.STAFF, "cp1252", ";", 8),
    ]
    assert roster.files[0].ignored_columns == ("Studie",)
    people = {p.id: p for p in roster.people()}
    first = people["100000"]
    assert first.name == "Daniëlle Bakker" and first.role is Role.STUDENT and first.class_name == "1A"
    assert first.mentors == ("T02", "T03") and first.mentor == "T02"
    assert people["100002"].name == "Bram de Jansen"  # roepnaam + tussenvoegsel + achternaam
    assert people["T01"].role is Role.STAFF and people["T01"].is_leadership
    assert len(people) == 12 + 8


def test_somtoday_with_a_byte_order_mark_and_a_class_mentor_file(tmp_path: Path) -> None:
    students, staff, mentors = somtoday(SCHOOL, tmp_path)
    roster = read_roster([students, staff, mentors], LEADERS)
    assert [f.kind for f in roster.files] == [FileKind.STUDENTS, FileKind.STAFF, FileKind.CLASS_MENTORS]
    assert roster.files[0].encoding == "utf_8_sig"
    people = {p.id: p for p in roster.people()}
    assert people["100005"].class_name == "2A" and people["100005"].mentors == ("T03", "T04")
    with pytest.raises(RosterError) as caught:
        read_roster([students, staff], LEADERS)
    assert (
        "leerlingen_somtoday.csv row 2: student '100000' has no mentor (class 1A is in no class → mentor file)"
        in str(caught.value)
    )


def test_every_mentor_reviews_and_ids_are_case_insensitive(tmp_path: Path, sessions: sessionmaker[Session]) -> None:
    students, staff = magister(SCHOOL, tmp_path)
    students.write_bytes(students.read_bytes().replace(b"T02, T03", b"t02 / t03"))  # typed by hand, lower case
    store_roster(sessions, read_roster([students, staff], LEADERS).people(), NOW)
    directory = load_directory(sessions)
    student = directory.person("100000")  # type: ignore[arg-type]
    assert student is not None and student.mentors == ("T02", "T03")  # spelled as the roster spells them
    assert directory.person("t02") is directory.person("T02")  # type: ignore[arg-type]
    verdict = Verdict(
        rule_id="R2",
        rule_name="abusive_content",
        category=Category.INSULT,
        severity=Severity.MEDIUM,
        score=0.9,
        explanation="test",
    )
    assignments = route(student, verdict, directory)
    assert [(a.person_id, a.reason) for a in assignments] == [("T02", MENTOR), ("T03", MENTOR)]


def test_accounts_from_a_pattern_in_the_settings(tmp_path: Path) -> None:
    options = RosterOptions(leadership=frozenset({"T01"}), accounts={Platform.MATRIX: "@{e_mail.local}:school.nl"})
    people = {p.id: p for p in read_roster(list(magister(SCHOOL, tmp_path)), options).people()}
    assert {a.id for a in people["T04"].accounts if a.platform is Platform.MATRIX} == {AccountId("@t04:school.nl")}
    assert {a.id for a in people["100003"].accounts if a.platform is Platform.MATRIX} == {"@100003:school.nl"}
    broken = RosterOptions(accounts={Platform.MATRIX: "@{nickname}:school.nl"})
    with pytest.raises(RosterError, match=r"\[roster.accounts\] uses column\(s\) nickname, not in this file"):
        read_roster(list(magister(SCHOOL, tmp_path)), broken)


def test_a_column_mapping_for_an_export_schoolwacht_does_not_know(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Nr. leerling;Naam;Groep;Coach\n1;Sanne;2B;JJ\n", encoding="utf-8")
    staff = tmp_path / "staff.csv"
    staff.write_text("Code;Naam\nJJ;Jan Jansen\n", encoding="utf-8")
    with pytest.raises(RosterError, match=r"export.csv row 1: missing column\(s\) id: a student number"):
        read_roster([path, staff])
    options = RosterOptions(columns={"Nr. leerling": "student_id", "Coach": "mentor"})
    people = {p.id: p for p in read_roster([path, staff], options).people()}
    assert people["1"].mentors == ("JJ",) and people["1"].class_name == "2B"


def test_trailing_separators_and_a_bad_byte_far_down_are_named_by_row(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    rows = ["Nummer;Naam;Rol;Klas;Mentor;", "jan;Jan;docent;;;"]
    rows += [f"s{n};Leerling {n};leerling;2B;jan;" for n in range(40_000)]  # well past the sample that is sniffed
    data = ("\n".join(rows) + "\n").encode("utf-8") + b"s-late;Ren\xe9e;leerling;2B;jan;\n"
    path.write_bytes(data)
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert "row 40003: not valid utf_8 text" in str(caught.value)


def test_a_50_megabyte_line_is_refused_in_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "one-line.csv"
    with path.open("wb") as f:
        f.write(b"id,name,role\n")
        f.write(b"x" * (50 * 1024 * 1024))
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert "row 2 is longer than 64 KB (a roster row is a few hundred bytes)" in str(caught.value)


def test_a_header_only_file_or_only_staff_does_not_empty_the_school(
    tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    students, staff = magister(SCHOOL, tmp_path)
    store_roster(sessions, read_roster([students, staff], LEADERS).people(), NOW, max_removed_share=0.2)
    header_only = tmp_path / "leeg.csv"
    header_only.write_text("Stamnr;Roepnaam;Achternaam;Klas;Mentor\n", encoding="utf-8")
    with pytest.raises(RosterError, match="no people in the file, only a header"):
        read_roster(header_only)
    only_staff = read_roster(staff, LEADERS)
    with pytest.raises(TooManyRemovals, match=r"12 of the 20 people .* \(60%\) .* --allow-removals"):
        store_roster(sessions, only_staff.people(), NOW, max_removed_share=0.2)
    assert len(load_directory(sessions)) == 20  # refused: nothing changed
    result = store_roster(sessions, only_staff.people(), NOW, max_removed_share=0.2, allow_removals=True)
    assert result.deactivated == 12 and len(load_directory(sessions)) == 8
    again = store_roster(sessions, read_roster([students, staff], LEADERS).people(), NOW, max_removed_share=0.2)
    assert again.deactivated == 0 and len(load_directory(sessions)) == 20


def test_the_privacy_officer_from_an_fg_column_or_the_settings(tmp_path: Path, sessions: sessionmaker[Session]) -> None:
    staff = tmp_path / "medewerkers.csv"
    staff.write_text(
        "Afkorting;Naam;Functionaris gegevensbescherming\nT01;A. Kok;ja\nT02;B. Smit;\nT03;C. Vos;misschien\n",
        encoding="utf-8",
    )
    with pytest.raises(RosterError, match=r"privacy_officer must be yes/no, not 'misschien'"):
        read_roster(staff)
    staff.write_text(staff.read_text(encoding="utf-8").replace("misschien", "nee"), encoding="utf-8")
    people = {p.id: p for p in read_roster(staff).people()}
    assert [pid for pid, p in people.items() if p.is_privacy_officer] == ["T01"]

    plain = tmp_path / "zonder.csv"  # an export without the column: the setting names them
    plain.write_text("Afkorting;Naam;FG\nT01;A. Kok;\nT02;B. Smit;\n", encoding="utf-8")
    roster = read_roster(plain, RosterOptions(privacy_officers=frozenset({"t02"})))
    store_roster(sessions, roster.people(), NOW)
    stored = load_directory(sessions).person("T02")  # type: ignore[arg-type]
    assert stored is not None and stored.is_privacy_officer and stored.role is Role.STAFF
    with pytest.raises(RosterError, match=r"\[roster\] privacy_officers: 'T09' is in none of the files"):
        read_roster(plain, RosterOptions(privacy_officers=frozenset({"T09"})))
