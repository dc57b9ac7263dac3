"""Zermelo's JSON into the core's timetable values. Pure.

Every answer of the REST API is an envelope, `{"response": {"status", "message", "details", "eventId",
"startRow", "endRow", "totalRows", "data": [...]}}`. An appointment carries `id` (this version), `appointmentInstance`
(the lesson across versions), `start`/`end` (unix seconds), `startTimeSlot` (the lesson hour), `subjects`,
`locations`, `teachers`, `groups` (names; `groupsInDepartments` holds their numeric ids), the flags `cancelled`,
`valid`, `teacherChanged`, `locationChanged`, `timeChanged`, `moved`, and the texts `changeDescription` and
`schedulerRemark`; `lastModified` (unix seconds) changes with every edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from moderation.announcements.timetable import Lesson, TimetableNews


class ZermeloDataError(ValueError):
    """An answer that is not what Zermelo sends: named field by field, never guessed at."""


def rows(body: object, *, what: str) -> list[Mapping[str, Any]]:
    """The `data` rows of an envelope. A partial answer (fewer rows than `totalRows`) is an error, so that a lesson
    missing from it is never taken for a withdrawn change."""
    response = body.get("response") if isinstance(body, Mapping) else None
    if not isinstance(response, Mapping):
        raise ZermeloDataError(f"{what}: the answer has no 'response' envelope")
    data = response.get("data")
    if not isinstance(data, list):
        raise ZermeloDataError(f"{what}: 'response.data' is not a list")
    total = response.get("totalRows")
    if isinstance(total, int) and not isinstance(total, bool) and total > len(data):
        raise ZermeloDataError(f"{what}: only {len(data)} of {total} rows came back (a partial answer)")
    if not all(isinstance(row, Mapping) for row in data):
        raise ZermeloDataError(f"{what}: a row of 'response.data' is not an object")
    return list(data)


def error_message(body: object) -> str:
    """The envelope's own message on an error answer ("" when there is none)."""
    response = body.get("response") if isinstance(body, Mapping) else None
    if isinstance(response, Mapping):
        parts = [str(response.get(k) or "") for k in ("message", "details")]
        return " - ".join(p for p in parts if p)[:300]
    return ""


def _int(row: Mapping[str, Any], key: str, *, required: bool = True) -> int | None:
    value = row.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ZermeloDataError(f"appointment {row.get('id')!r}: {key!r} is not a whole number (got {value!r})")
    return value


def _time(row: Mapping[str, Any], key: str) -> datetime:
    seconds = _int(row, key)
    assert seconds is not None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise ZermeloDataError(f"appointment {row.get('id')!r}: {key!r} is not a time ({seconds!r})") from None


def _names(row: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = row.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ZermeloDataError(f"appointment {row.get('id')!r}: {key!r} is not a list of names")
    return tuple(v for v in value if v.strip())


def _flag(row: Mapping[str, Any], key: str) -> bool:
    value = row.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ZermeloDataError(f"appointment {row.get('id')!r}: {key!r} is not true/false (got {value!r})")
    return value


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ZermeloDataError(f"appointment {row.get('id')!r}: {key!r} is not text")
    return value


def is_valid(row: Mapping[str, Any]) -> bool:
    """A replaced version has `valid: false`; absent means the portal was not asked for the field (valid)."""
    return row.get("valid") is not False


def lesson(row: Mapping[str, Any]) -> Lesson:
    version = _int(row, "id")
    instance = _int(row, "appointmentInstance", required=False)
    modified = _int(row, "lastModified", required=False)
    assert version is not None
    start, end = _time(row, "start"), _time(row, "end")
    if end < start:
        raise ZermeloDataError(f"appointment {version}: ends before it starts")
    return Lesson(
        instance=instance if instance is not None else version,
        version=version,
        modified=modified or 0,
        start=start,
        end=end,
        slot=_int(row, "startTimeSlot", required=False),
        subjects=_names(row, "subjects"),
        locations=_names(row, "locations"),
        teachers=_names(row, "teachers"),
        groups=_names(row, "groups"),
        cancelled=_flag(row, "cancelled"),
        teacher_changed=_flag(row, "teacherChanged"),
        location_changed=_flag(row, "locationChanged"),
        time_changed=_flag(row, "timeChanged") or _flag(row, "moved"),
        change_description=_text(row, "changeDescription"),
        scheduler_remark=_text(row, "schedulerRemark"),
    )


def news(row: Mapping[str, Any]) -> TimetableNews:
    ident = row.get("id")
    if isinstance(ident, bool) or not isinstance(ident, int):
        raise ZermeloDataError(f"announcement: 'id' is not a whole number (got {ident!r})")
    title, text = row.get("title"), row.get("text")
    if not isinstance(title, str) or not isinstance(text, str):
        raise ZermeloDataError(f"announcement {ident}: 'title' and 'text' must be text")
    return TimetableNews(ident, title, text, _time(row, "start"), _time(row, "end"))
