"""`FakeZermelo`: the parts of a school's Zermelo portal (`https://<school>.zportal.nl/api/v3`) the relay uses, on
127.0.0.1 with a free port, in-process (aiohttp), in the spirit of the fake Discord server.

    portal = Portal(tokens={"good"})
    lesson = portal.add_lesson(start, end, slot=3, subjects=["wi"], groups=["2b"], locations=["101"])
    portal.change(lesson, cancelled=True, changeDescription="docent ziek")   # a new version of the same lesson
    async with FakeZermelo(portal).running() as fake: ...  # fake.url is the base URL

What is known from where (public sources; Zermelo's own REST documentation is the "Zermelo API" wiki of the
portal, mirrored in client code):

- Paths and query parameters: `GET /api/v3/appointments?user=~me&start=<unix>&end=<unix>` is what every public
  client calls (the Zermelo-to-Discord relays, the Go, Rust, PHP and JavaScript wrappers); `valid=true`, `fields=`
  (a comma list limiting the fields returned), `branchOfSchool=<id>` for a whole branch, `cancelled=`,
  `modifiedSince=<unix>` appear in the same clients. `GET /api/v3/announcements?current=true&user=~me` is from the
  Zermelo app's own open client.
- The token: an `access_token` query parameter in most clients, an `Authorization: Bearer <token>` header in
  others; both are accepted here as the portal accepts both. A missing or unknown token is 401; a valid token
  without rights to what it asks (here: a branch it may not see) is 403. Errors come in the same envelope.
- The envelope `{"response": {"status", "message", "details", "eventId", "startRow", "endRow", "totalRows",
  "data"}}`: from the documented payloads in public client repositories (e.g. a documented liveschedule payload).
- Appointment fields and types: `id`, `appointmentInstance`, `start`/`end` (unix seconds), `startTimeSlot`,
  `lastModified` (ints); `subjects`, `teachers`, `locations`, `groups` (lists of names); `groupsInDepartments`
  (list of ids); `cancelled`, `valid`, `teacherChanged`, `locationChanged`, `timeChanged`, `moved` (booleans);
  `changeDescription`, `schedulerRemark` (strings, "" when empty): from typed models in public C#, Python and
  Java clients.
- Versions: a change makes a new appointment (new `id`, same `appointmentInstance`) and leaves the old one with
  `valid: false`; clients therefore ask `valid=true`. Known from how clients filter (they skip `valid == false`
  rows as replaced versions); the exact server side is an assumption documented here.
- An appointment is returned when it overlaps the window (`start < end param` and `end > start param`): assumed
  from how clients pick their week windows.
- Paging: the portal fills `startRow`/`endRow`/`totalRows`; which request parameters page is not publicly
  documented, so this fake can be told to cut an answer short (`Portal.page_limit`), and the client must refuse a
  partial answer rather than act on it.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

APPOINTMENT_DEFAULTS: dict[str, Any] = {
    "subjects": [],
    "teachers": [],
    "locations": [],
    "groups": [],
    "groupsInDepartments": [],
    "cancelled": False,
    "valid": True,
    "teacherChanged": False,
    "locationChanged": False,
    "timeChanged": False,
    "moved": False,
    "changeDescription": "",
    "schedulerRemark": "",
    "type": "lesson",
}


@dataclass
class Portal:
    """The school's timetable as Zermelo keeps it: every version of every appointment, and the announcements."""

    tokens: set[str] = field(default_factory=set)
    branches: set[int] = field(default_factory=lambda: {1})  # branches the tokens may read
    appointments: list[dict[str, Any]] = field(default_factory=list)
    announcements: list[dict[str, Any]] = field(default_factory=list)
    page_limit: int | None = None  # cut answers to this many rows (with the true totalRows)
    failure: int | None = None  # answer every request with this status (e.g. 500, 503)
    clock: int = 1_700_000_000  # the portal's "now" for lastModified; advanced by every change
    requests: list[dict[str, str]] = field(default_factory=list)  # the query of every request, for the tests
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(5001))
    _instances: Iterator[int] = field(default_factory=lambda: itertools.count(90001))
    _group_ids: dict[str, int] = field(default_factory=dict)

    def _tick(self) -> int:
        self.clock += 60
        return self.clock

    def _group_id(self, name: str) -> int:
        return self._group_ids.setdefault(name, 700 + len(self._group_ids))

    def add_lesson(self, start: int, end: int, **fields: Any) -> dict[str, Any]:
        """A new appointment (its first version); `slot` is `startTimeSlot`."""
        slot = fields.pop("slot", None)
        row = {**APPOINTMENT_DEFAULTS, **fields}
        row.update(
            id=next(self._ids),
            appointmentInstance=next(self._instances),
            start=start,
            end=end,
            startTimeSlot=slot,
            endTimeSlot=slot,
            lastModified=self._tick(),
            branchOfSchool=fields.get("branchOfSchool", 1),
        )
        row["groupsInDepartments"] = [self._group_id(g) for g in row["groups"]]
        self.appointments.append(row)
        return row

    def current(self, lesson: dict[str, Any]) -> dict[str, Any]:
        instance = lesson["appointmentInstance"]
        return next(a for a in reversed(self.appointments) if a["appointmentInstance"] == instance and a["valid"])

    def change(self, lesson: dict[str, Any], **fields: Any) -> dict[str, Any]:
        """The timetable office changes a lesson: the current version stops being valid, a new one replaces it."""
        old = self.current(lesson)
        old["valid"] = False
        old["lastModified"] = self._tick()
        slot = fields.pop("slot", None)
        new = {**old, **fields, "id": next(self._ids), "valid": True, "lastModified": self._tick()}
        if slot is not None:
            new["startTimeSlot"] = new["endTimeSlot"] = slot
        if "groups" in fields:
            new["groupsInDepartments"] = [self._group_id(g) for g in new["groups"]]
        self.appointments.append(new)
        return new

    def restore(self, lesson: dict[str, Any]) -> dict[str, Any]:
        """A change withdrawn: the lesson goes ahead as first planned (a new version without change flags)."""
        first = next(a for a in self.appointments if a["appointmentInstance"] == lesson["appointmentInstance"])
        keep = {k: first[k] for k in ("start", "end", "startTimeSlot", "subjects", "teachers", "locations", "groups")}
        flags = {k: APPOINTMENT_DEFAULTS[k] for k in ("cancelled", "teacherChanged", "locationChanged", "timeChanged")}
        return self.change(lesson, **keep, **flags, moved=False, changeDescription="", schedulerRemark="")

    def add_announcement(self, start: int, end: int, title: str, text: str) -> dict[str, Any]:
        row = {"id": next(self._ids), "start": start, "end": end, "title": title, "text": text, "read": False}
        self.announcements.append(row)
        return row


def envelope(status: int, data: list[dict[str, Any]], *, message: str = "", total: int | None = None) -> web.Response:
    body = {
        "response": {
            "status": status,
            "message": message,
            "details": "",
            "eventId": 0,
            "startRow": 0,
            "endRow": len(data),
            "totalRows": len(data) if total is None else total,
            "data": data,
        }
    }
    return web.json_response(body, status=status)


class FakeZermelo:
    def __init__(self, portal: Portal) -> None:
        self.portal = portal
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, port: int = 0) -> None:
        app = web.Application()
        app.router.add_get("/api/v3/appointments", self._appointments)
        app.router.add_get("/api/v3/announcements", self._announcements)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[FakeZermelo]:
        await self.start()
        try:
            yield self
        finally:
            await self.stop()

    def _refused(self, request: web.Request) -> web.Response | None:
        self.portal.requests.append(dict(request.query))
        if self.portal.failure is not None:
            return envelope(self.portal.failure, [], message="Internal Server Error")
        token = request.query.get("access_token")
        header = request.headers.get("Authorization", "")
        if token is None and header.startswith("Bearer "):
            token = header.removeprefix("Bearer ").strip()
        if not token or token not in self.portal.tokens:
            return envelope(401, [], message="Unauthorized")
        return None

    async def _appointments(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        query = request.query
        try:
            start, end = int(query["start"]), int(query["end"])
        except (KeyError, ValueError):
            return envelope(400, [], message="start and end are required (unix seconds)")
        branch = query.get("branchOfSchool")
        if branch is not None and (not branch.isdigit() or int(branch) not in self.portal.branches):
            return envelope(403, [], message="Forbidden")
        if branch is None and "user" not in query:
            return envelope(403, [], message="Forbidden")  # a whole school needs a branch or a user
        rows = [a for a in self.portal.appointments if a["start"] < end and a["end"] > start]
        if branch is not None:
            rows = [a for a in rows if a["branchOfSchool"] == int(branch)]
        if query.get("valid") in ("true", "false"):
            rows = [a for a in rows if a["valid"] is (query["valid"] == "true")]
        if query.get("cancelled") in ("true", "false"):
            rows = [a for a in rows if a["cancelled"] is (query["cancelled"] == "true")]
        if "modifiedSince" in query and query["modifiedSince"].isdigit():
            rows = [a for a in rows if a["lastModified"] >= int(query["modifiedSince"])]
        if "fields" in query:
            wanted = [f for f in query["fields"].split(",") if f]
            rows = [{k: a[k] for k in wanted if k in a} for a in rows]
        return self._page(rows)

    async def _announcements(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        rows = list(self.portal.announcements)
        if request.query.get("current") == "true":
            now = self.portal.clock
            rows = [a for a in rows if a["start"] <= now < a["end"]]
        return self._page(rows)

    def _page(self, rows: list[dict[str, Any]]) -> web.Response:
        limit = self.portal.page_limit
        if limit is not None and len(rows) > limit:
            return envelope(200, rows[:limit], total=len(rows))
        return envelope(200, rows)
