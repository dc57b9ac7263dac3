"""Self-service linking: a code to the school mailbox (a real SMTP server), confirmed in chat; and what goes wrong."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from adapters.smtp import SmtpMailer
from bot.database import upgrade
from bot.texts.nl import DUTCH
from moderation.directory import load_directory
from moderation.model import AccountId, Platform
from moderation.privacy import UnknownPerson, erase_person, export_person
from moderation.roster import RosterError, RosterOptions, read_roster, store_roster
from moderation.roster.linking import AccountLinking
from moderation.storage.engine import make_engine, make_session_factory
from moderation.storage.links import AccountLinkHistoryRow, LinkRequestRow
from moderation.storage.people import AccountRow
from tests.support.fakes import FixedClock
from tests.support.school_exports import School, magister
from tests.support.smtp import Mailbox, smtp_server

say = DUTCH.linking

SCHOOL = School(classes=1, per_class=3, staff=3)
LEADERS = RosterOptions(leadership=frozenset({"T01"}))
M = Platform.MATRIX
SANNE, NEW_SANNE, OTHER = "@sanne:school.nl", "@sanne2:school.nl", "@daan:school.nl"


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated, empty database, copied for each test (migrating takes longer than a test)."""
    path = tmp_path_factory.mktemp("linking") / "empty.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def school(tmp_path: Path, migrated: Path) -> Iterator[tuple[sessionmaker[Session], list[Path]]]:
    shutil.copy(migrated, tmp_path / "db.sqlite3")
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    sessions = make_session_factory(engine)
    files = list(magister(SCHOOL, tmp_path))
    store_roster(sessions, read_roster(files, LEADERS).entries(), FixedClock().now())
    yield sessions, files
    engine.dispose()


def _linking(sessions: sessionmaker[Session], mailbox: Mailbox, clock: FixedClock) -> AccountLinking:
    mailer = SmtpMailer("127.0.0.1", mailbox.port, "Schoolwacht <noreply@school.nl>", starttls=False)
    return AccountLinking(sessions, clock, mailer, texts=say)


def _history(sessions: sessionmaker[Session]) -> list[tuple[str | None, str, str]]:
    with sessions() as session:
        rows = session.scalars(select(AccountLinkHistoryRow).order_by(AccountLinkHistoryRow.id))
        return [(r.person_id, r.account_id, r.action) for r in rows]


async def test_a_code_by_mail_links_the_account_and_a_roster_import_keeps_it(
    school: tuple[sessionmaker[Session], list[Path]], mailbox: Mailbox
) -> None:
    sessions, files = school
    linking, before = _linking(sessions, mailbox, FixedClock()), len(mailbox.received)
    answer = await linking.handle(M, SANNE, "!koppel 100000")
    assert answer == say.code_sent("!", 15)
    await linking.drain()
    mail = mailbox.wait_for(before + 1)[-1]
    assert mail["To"] == "100000@leerling.school.nl" and "Daniëlle" in mail.get_content()
    with sessions() as session:
        stored = session.scalars(select(LinkRequestRow)).one()
        assert mailbox.code_in().replace("-", "") not in (stored.code_hash, stored.salt)  # only a salted hash
    answer = await linking.handle(M, SANNE, f"!koppel {mailbox.code_in().lower()}")
    assert answer is not None and answer.startswith("Gelukt") and "Daniëlle" in answer
    person = load_directory(sessions).person_for(M, AccountId(SANNE))
    assert person is not None and person.id == "100000"
    store_roster(sessions, read_roster(files, LEADERS).entries(), FixedClock().now())  # the nightly import
    person = load_directory(sessions).person_for(M, AccountId(SANNE))
    assert person is not None and person.id == "100000"
    assert [a for _p, _acc, a in _history(sessions)] == ["requested", "linked"]
    assert await linking.handle(M, SANNE, "hallo") is None  # not a command of ours


async def test_an_unknown_number_gets_the_same_answer_and_no_mail(
    school: tuple[sessionmaker[Session], list[Path]], mailbox: Mailbox
) -> None:
    sessions, _files = school
    linking, before = _linking(sessions, mailbox, FixedClock()), len(mailbox.received)
    assert await linking.handle(M, OTHER, "!koppel 999999") == say.code_sent("!", 15)
    await linking.drain()
    assert len(mailbox.received) == before
    assert await linking.handle(M, OTHER, "!koppel ABCD-EFGH") == say.code_sent("!", 15)  # no request: a number
    assert _history(sessions) == [(None, OTHER, "requested-unknown")] * 2


async def test_wrong_codes_are_limited(school: tuple[sessionmaker[Session], list[Path]], mailbox: Mailbox) -> None:
    sessions, _files = school
    linking = _linking(sessions, mailbox, FixedClock())
    await linking.handle(M, SANNE, "!koppel 100000")
    await linking.drain()
    answers = [await linking.handle(M, SANNE, "!koppel ZZZZ-ZZZZ") for _ in range(5)]
    assert answers[:4] == [say.wrong_code(n) for n in (4, 3, 2, 1)] and answers[4] == say.too_many_wrong("!")
    assert linking.confirm(M, SANNE, mailbox.code_in().replace("-", "")) == say.no_request("!")  # the code is void
    with sessions() as session:
        assert session.scalars(select(AccountRow).where(AccountRow.platform == "matrix")).all() == []
    assert [a for _p, _acc, a in _history(sessions)][-2:] == ["wrong-code", "refused"]


async def test_a_code_nobody_confirms_expires_and_changes_nothing(
    school: tuple[sessionmaker[Session], list[Path]], mailbox: Mailbox
) -> None:
    sessions, _files = school
    clock = FixedClock()
    linking = _linking(sessions, mailbox, clock)
    await linking.handle(M, SANNE, "!koppel 100001")
    await linking.drain()
    clock.advance(minutes=15)
    assert linking.confirm(M, SANNE, mailbox.code_in().replace("-", "")) == say.expired("!")
    await linking.handle(M, OTHER, "!koppel 100002")
    await linking.drain()
    clock.advance(minutes=20)
    assert linking.expire() == 1  # the scheduler's purge: nobody typed it
    with sessions() as session:
        assert session.scalars(select(LinkRequestRow)).all() == []
    assert load_directory(sessions).person_for(M, AccountId(SANNE)) is None
    assert [a for _p, _acc, a in _history(sessions)] == ["requested", "expired", "requested", "expired"]


async def test_relinking_a_new_account_ends_the_old_link_and_unlinking_works(
    school: tuple[sessionmaker[Session], list[Path]], mailbox: Mailbox
) -> None:
    sessions, _files = school
    linking = _linking(sessions, mailbox, FixedClock())
    for account in (SANNE, NEW_SANNE):
        await linking.handle(M, account, "!koppel 100000")
        await linking.drain()
        answer = linking.confirm(M, account, mailbox.code_in().replace("-", ""))
        assert answer.startswith("Gelukt")
    assert SANNE in answer  # "your previous account is no longer linked"
    directory = load_directory(sessions)
    assert directory.person_for(M, AccountId(SANNE)) is None
    person = directory.person_for(M, AccountId(NEW_SANNE))
    assert person is not None and person.id == "100000"
    # The new account is taken: asking for someone else's number from it is refused, whatever the number.
    assert await linking.handle(M, NEW_SANNE, "!koppel 100001") == say.already_linked(person.name, "!")
    assert await linking.handle(M, NEW_SANNE, "!ontkoppel") == say.unlinked(person.name)
    assert await linking.handle(M, NEW_SANNE, "!ontkoppel") == say.not_linked("!")
    console = await linking.handle(Platform.CONSOLE, "100000", "!ontkoppel")  # an account from the export
    assert console == say.from_the_roster()
    assert load_directory(sessions).person_for(M, AccountId(NEW_SANNE)) is None
    actions = [(acc, a) for _p, acc, a in _history(sessions)]
    assert (SANNE, "replaced") in actions and actions[-1] == (NEW_SANNE, "unlinked")


async def test_codes_per_account_are_limited(
    school: tuple[sessionmaker[Session], list[Path]], mailbox: Mailbox
) -> None:
    sessions, _files = school
    linking = _linking(sessions, mailbox, FixedClock())
    answers = [await linking.handle(M, OTHER, f"!koppel {n}") for n in ("100002", "100002", "999999", "100002")]
    await linking.drain()
    assert answers[:3] == [say.code_sent("!", 15)] * 3 and answers[3] == say.too_many_requests(60)


async def test_links_and_their_history_are_exported_and_erased(
    school: tuple[sessionmaker[Session], list[Path]], mailbox: Mailbox
) -> None:
    sessions, _files = school
    clock = FixedClock()
    linking = _linking(sessions, mailbox, clock)
    await linking.handle(M, SANNE, "!koppel 100000")
    await linking.drain()
    linking.confirm(M, SANNE, mailbox.code_in().replace("-", ""))
    await linking.handle(M, OTHER, "!koppel 100000")  # a second, pending request for her
    await linking.drain()
    exported = export_person(sessions, "100000", clock.now(), actor="admin")["account_linking"]
    assert exported["school_email"] == "100000@leerling.school.nl"
    assert [a["account"] for a in exported["linked_accounts"]] == [SANNE]
    assert [a["account"] for a in exported["pending_link_codes"]] == [OTHER]
    assert [h["what"] for h in exported["link_history"]] == ["requested", "linked", "requested"]
    plan = erase_person(sessions, "100000", clock.now(), dry_run=False, actor="admin")
    assert plan.link_rows_removed == 6  # three history lines, one link, one code, the e-mail address
    assert _history(sessions) == []
    with pytest.raises(UnknownPerson):
        export_person(sessions, f"matrix:{SANNE}", clock.now(), actor="admin")


async def test_the_code_goes_to_the_address_of_the_latest_export_and_a_bad_address_is_refused(
    school: tuple[sessionmaker[Session], list[Path]], mailbox: Mailbox
) -> None:
    sessions, files = school
    students = files[0]
    moved = students.read_bytes().replace(b"100000@leerling.school.nl", b"d.bakker@leerling.school.nl")
    students.write_bytes(moved)
    store_roster(sessions, read_roster(files, LEADERS).entries(), FixedClock().now())
    linking, before = _linking(sessions, mailbox, FixedClock()), len(mailbox.received)
    await linking.handle(M, SANNE, "!koppel 100000")
    await linking.drain()
    assert mailbox.wait_for(before + 1)[-1]["To"] == "d.bakker@leerling.school.nl"
    students.write_bytes(moved.replace(b"d.bakker@leerling.school.nl", b"d.bakker at school"))
    with pytest.raises(RosterError, match=r"leerlingen\.csv row 2: email 'd\.bakker at school' is not an e-mail"):
        read_roster(files, LEADERS)
