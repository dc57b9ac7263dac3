"""Zermelo's REST API with aiohttp: the school's valid appointments for a window, and the current announcements.

The portal is `https://<portal>.zportal.nl` (or a full URL). The token goes in an `Authorization: Bearer` header
(the API also takes an `access_token` query parameter; a header keeps it out of proxies' logs). 401/403 mean the
token was refused (expired, withdrawn, or without rights to this schedule); anything else that fails — no
connection, a timeout, a 5xx, an answer that is not Zermelo's — means "try again later".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiohttp

from adapters.zermelo import translate
from moderation.announcements.ports import TimetableUnavailable
from moderation.announcements.timetable import Lesson, TimetableNews

FIELDS = (
    "id",
    "appointmentInstance",
    "start",
    "end",
    "startTimeSlot",
    "subjects",
    "locations",
    "teachers",
    "groups",
    "groupsInDepartments",
    "cancelled",
    "valid",
    "teacherChanged",
    "locationChanged",
    "timeChanged",
    "moved",
    "changeDescription",
    "schedulerRemark",
    "lastModified",
)


def portal_url(portal: str) -> str:
    """ "school" → https://school.zportal.nl; a full URL (a test server, a proxy) is taken as it is."""
    if "://" in portal:
        return portal.rstrip("/")
    return f"https://{portal.strip().lower()}.zportal.nl"


@dataclass(frozen=True, slots=True)
class ZermeloConfig:
    base_url: str
    user: str = "~me"  # whose schedule: the token's own user (a timetable-office account sees the whole school)
    branch_of_school: int | None = None  # instead of `user`: every appointment of one branch
    timeout_s: float = 20.0


class ZermeloClient:
    def __init__(self, config: ZermeloConfig, token: str) -> None:
        self._config = config
        self._token = token

    async def lessons(self, start: datetime, end: datetime) -> Sequence[Lesson]:
        params: dict[str, str] = {
            "start": str(int(start.timestamp())),
            "end": str(int(end.timestamp())),
            "valid": "true",
            "fields": ",".join(FIELDS),
        }
        if self._config.branch_of_school is not None:
            params["branchOfSchool"] = str(self._config.branch_of_school)
        else:
            params["user"] = self._config.user
        body = await self._get("/api/v3/appointments", params)
        try:
            return [
                translate.lesson(row) for row in translate.rows(body, what="appointments") if translate.is_valid(row)
            ]
        except translate.ZermeloDataError as exc:
            raise TimetableUnavailable(f"Zermelo sent an answer it never sends: {exc}") from None

    async def news(self) -> Sequence[TimetableNews]:
        body = await self._get("/api/v3/announcements", {"current": "true", "user": self._config.user})
        try:
            return [translate.news(row) for row in translate.rows(body, what="announcements")]
        except translate.ZermeloDataError as exc:
            raise TimetableUnavailable(f"Zermelo sent an answer it never sends: {exc}") from None

    async def _get(self, path: str, params: dict[str, str]) -> Any:
        url = self._config.base_url + path
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        timeout = aiohttp.ClientTimeout(total=self._config.timeout_s)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.get(url, params=params, headers=headers) as response,
            ):
                raw = await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise TimetableUnavailable(
                f"the Zermelo portal {self._config.base_url} cannot be reached ({type(exc).__name__}: {exc})"
            ) from None
        try:
            body: Any = json.loads(raw) if raw else None
        except (ValueError, UnicodeDecodeError):
            body = None
        if status in (401, 403):
            said = translate.error_message(body)
            raise TimetableUnavailable(
                f"the Zermelo portal refused the API token ({status}{': ' + said if said else ''}); make a new token "
                "in the portal and set SCHOOLWACHT_ZERMELO_TOKEN (or SCHOOLWACHT_ZERMELO_TOKEN_FILE)",
                refused=True,
            )
        if status != 200:
            said = translate.error_message(body)
            raise TimetableUnavailable(f"the Zermelo portal answered {status}{': ' + said if said else ''}")
        if body is None:
            raise TimetableUnavailable("the Zermelo portal answered with something that is not JSON")
        return body
