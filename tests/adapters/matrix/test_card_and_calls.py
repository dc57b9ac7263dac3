"""The reviewers' card (pure) and the adapter's own retry rules for one API call."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from nio import ErrorResponse, RoomRedactResponse

from adapters.matrix.calls import MatrixCallFailed, call
from adapters.matrix.card import card_content, excerpt
from bot.texts.nl import DUTCH
from moderation.model import (
    AccountId,
    Category,
    EventId,
    Message,
    Person,
    PersonId,
    Platform,
    Role,
    RoomId,
    Severity,
    Verdict,
)
from moderation.ports import IncidentDraft, IncidentRef, ReviewerAssignment

NAMES = {"jan": "Meneer Jansen", "abc": "Mevr. Yilmaz", "lotte": "Lotte Reporter"}


def incident(**draft: Any) -> IncidentRef:
    message = Message(
        platform=Platform.MATRIX,
        room_id=RoomId("!r:school.test"),
        event_id=EventId("$e"),
        author=AccountId("@daan:school.test"),
        text="jij bent   een\nsukkel " + "x" * 400,
        sent_at=datetime(2026, 11, 26, 9, 5, tzinfo=UTC),
        link="https://matrix.to/#/!r:school.test/$e",
    )
    verdict = Verdict("R2", "abusive_content", Category.INSULT, Severity.MEDIUM, 0.97, "insult 'sukkel'")
    author = Person(PersonId("daan"), "Daan Smit", Role.STUDENT, mentor=PersonId("jan"))
    reviewers = (ReviewerAssignment(PersonId("jan"), "mentor"), ReviewerAssignment(PersonId("abc"), "coordinator"))
    values: dict[str, Any] = {"room_name": "klas-2b", "reported_by": None, **draft}
    return IncidentRef(7, IncidentDraft(message, verdict, author, reviewers, **values), datetime.now(UTC))


def name(person_id: PersonId) -> str:
    return NAMES.get(person_id, person_id)


def test_card_has_what_a_reviewer_needs() -> None:
    content = card_content(incident(), name, DUTCH)
    body = content["body"]
    assert content["msgtype"] == "m.notice"
    for part in (
        "Melding: #7",
        "Wat: een scheldwoord of belediging · matig",  # what happened and how bad, in words
        "Wie: Daan Smit (@daan:school.test)",
        "Waar: klas-2b",
        "Wanneer: 26-11-2026 10:05",  # 09:05 UTC in school time
        "Waarom: een scheldwoord of belediging (de bot zag: ‘sukkel’) (schoolregel R2)",
    ):
        assert part in body
    assert "Begeleiders: Meneer Jansen (mentor), Mevr. Yilmaz (anti-pestcoördinator)" in body
    assert "jij bent een sukkel" in body  # whitespace folded for a phone screen
    assert "severity" not in body and "insult" not in body
    assert "<b>Wie:</b>" in content["formatted_body"]


def test_card_never_names_the_reporter() -> None:
    body = card_content(incident(reported_by=PersonId("lotte")), name, DUTCH)["body"]
    assert "lotte" not in body.lower() and "Gemeld door" not in body


def test_excerpt_is_short() -> None:
    assert len(excerpt("a " * 1000)) <= 280
    assert excerpt("kort") == "kort"


def error(status: int, errcode: str) -> ErrorResponse:
    response = ErrorResponse(f"failed with {status}", errcode)
    response.transport_response = SimpleNamespace(status=status)
    return response


async def test_server_errors_are_retried_then_succeed() -> None:
    answers: list[Any] = [error(502, "M_UNKNOWN"), ConnectionResetError("reset"), RoomRedactResponse("$x", "!r")]

    async def operation() -> Any:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    result = await call("redact", operation, attempts=4, base_delay=0.001)
    assert isinstance(result, RoomRedactResponse) and answers == []


async def test_forbidden_is_not_retried() -> None:
    calls = 0

    async def operation() -> Any:
        nonlocal calls
        calls += 1
        return error(403, "M_FORBIDDEN")

    with pytest.raises(MatrixCallFailed) as failed:
        await call("redact", operation, attempts=4, base_delay=0.001)
    assert calls == 1 and failed.value.errcode == "M_FORBIDDEN"


async def test_gives_up_after_the_attempts() -> None:
    async def operation() -> Any:
        raise TimeoutError

    with pytest.raises(MatrixCallFailed, match="gave up after 3 attempts"):
        await call("send", operation, attempts=3, base_delay=0.001)
