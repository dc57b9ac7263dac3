"""Zermelo's JSON into lessons: fields, types, envelopes; anything else is a named error."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.zermelo.translate import ZermeloDataError, error_message, is_valid, lesson, news, rows

ROW: dict[str, Any] = {
    "id": 5010,
    "appointmentInstance": 90003,
    "start": 1796630400,
    "end": 1796633400,
    "startTimeSlot": 3,
    "subjects": ["wi"],
    "locations": ["204"],
    "teachers": ["jan"],
    "groups": ["2b", ""],
    "groupsInDepartments": [701],
    "cancelled": False,
    "valid": True,
    "teacherChanged": False,
    "locationChanged": True,
    "changeDescription": "",
    "schedulerRemark": "lokaal 101 bezet",
    "lastModified": 1796000000,
}


def envelope(data: Any, **extra: Any) -> dict[str, Any]:
    return {
        "response": {"status": 200, "message": "", "startRow": 0, "endRow": 1, "totalRows": 1, "data": data, **extra}
    }


def test_an_appointment_becomes_a_lesson() -> None:
    found = lesson(ROW)
    assert (found.instance, found.version, found.slot, found.groups) == (90003, 5010, 3, ("2b",))
    assert found.location_changed and found.is_change and not found.cancelled
    assert found.start.tzinfo is not None and found.start.timestamp() == 1796630400
    assert found.version_key == "5010:1796000000"
    assert found.scheduler_remark == "lokaal 101 bezet"


def test_fields_the_portal_was_not_asked_for_default_sensibly() -> None:
    found = lesson({"id": 1, "start": 10, "end": 20})
    assert found.instance == 1 and not found.is_change and found.groups == ()
    assert is_valid({"id": 1}) and not is_valid({"valid": False})


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"start": "maandag"}, "'start' is not a whole number"),
        ({"cancelled": "ja"}, "'cancelled' is not true/false"),
        ({"groups": "2b"}, "'groups' is not a list of names"),
        ({"startTimeSlot": True}, "'startTimeSlot' is not a whole number"),
        ({"end": 0}, "ends before it starts"),
        ({"changeDescription": 3}, "'changeDescription' is not text"),
        ({"start": 10**20}, "'start' is not a time"),
    ],
)
def test_a_malformed_appointment_is_named(change: dict[str, Any], named: str) -> None:
    with pytest.raises(ZermeloDataError, match=named):
        lesson({**ROW, **change})


def test_envelopes() -> None:
    assert rows(envelope([ROW]), what="appointments") == [ROW]
    with pytest.raises(ZermeloDataError, match="no 'response' envelope"):
        rows([ROW], what="appointments")
    with pytest.raises(ZermeloDataError, match="only 1 of 40 rows"):
        rows(envelope([ROW], totalRows=40), what="appointments")
    with pytest.raises(ZermeloDataError, match="not a list"):
        rows(envelope({"a": 1}), what="appointments")
    with pytest.raises(ZermeloDataError, match="not an object"):
        rows(envelope([1]), what="appointments")
    assert error_message({"response": {"status": 401, "message": "Unauthorized", "details": ""}}) == "Unauthorized"
    assert error_message("<html>") == ""


def test_an_announcement() -> None:
    item = news({"id": 3, "start": 10, "end": 20, "title": "Studiedag", "text": "Vrijdag vrij"})
    assert (item.id, item.title) == (3, "Studiedag")
    with pytest.raises(ZermeloDataError):
        news({"id": "3", "start": 10, "end": 20, "title": "", "text": ""})
