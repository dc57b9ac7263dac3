"""The desk's pages: sign-in, Mijn meldingen, Incident (with its actions), Leerling and Overzicht."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from adapters.web.app import TEMPLATES, Desk, desk_of, signed_in
from adapters.web.backend import Reviewer
from adapters.web.charts import bar_chart
from adapters.web.security import COOKIE, client_address, csrf_ok
from moderation.incidents.desk_queries import QueueFilter
from moderation.incidents.review import Result, ReviewResult

FIELD_MAX = 100  # characters of one filter field
FORM_MAX = 4000  # characters of one form field (a note)
ACTIONS = ("ack", "resolve", "dismiss", "escalate")  # /meldingen/<n>/<action>


def _signed_in_or_login(request: Request) -> Reviewer | Response:
    who = signed_in(request)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    return who[0]


async def home(request: Request) -> Response:
    who = signed_in(request)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse("/meldingen" if who[0].reviews else "/mededelingen", status_code=303)


async def login_form(request: Request) -> Response:
    # The link only shows a button: a chat client's link preview must not use up the one-time link.
    token = request.query_params.get("t", "")
    return desk_of(request).page(request, "login.html", token=token[:200])


async def login(request: Request) -> Response:
    desk = desk_of(request)
    if not desk.limit.allow(client_address(request, desk.config.trusted_proxies)):
        desk.metrics.logins.labels("limited").inc()
        return desk.refuse(request, 429, desk.texts.words.too_many_attempts)
    form = await request.form(max_files=0, max_fields=5)
    token = form.get("t")
    redeemed = desk.backend.logins.redeem(token) if isinstance(token, str) else None
    if redeemed is None or desk.backend.reviewer(redeemed[1].person_id) is None:
        desk.metrics.logins.labels("refused").inc()
        return desk.page(request, "login.html", 403, token="", refused=True)
    desk.metrics.logins.labels("ok").inc()
    reviewer = desk.backend.reviewer(redeemed[1].person_id)
    start = "/meldingen" if reviewer is None or reviewer.reviews else "/mededelingen"
    response = RedirectResponse(start, status_code=303)
    response.set_cookie(COOKIE, desk.signer.sign(redeemed[0]), httponly=True, secure=True, samesite="strict")
    return response


async def logout(request: Request) -> Response:
    desk = desk_of(request)
    who = signed_in(request)
    if who is not None:
        form = await request.form(max_files=0, max_fields=5)
        if not csrf_ok(who[1].csrf, form.get("csrf")):
            return desk.refuse(request, 403, desk.texts.words.logout_expired)
        desk.backend.logins.end_everywhere(who[1].person_id)
    response = desk.page(request, "login.html", token="", signed_out=True)
    response.delete_cookie(COOKIE, httponly=True, secure=True, samesite="strict")
    return response


def _date(value: str, desk: Desk) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(desk.texts.not_a_date(value)) from None


async def my_queue(request: Request) -> Response:
    who = _signed_in_or_login(request)
    if isinstance(who, Response):
        return who
    desk = desk_of(request)
    q = {
        k: request.query_params.get(k, "").strip()
        for k in ("status", "klas", "categorie", "ruimte", "van", "tot", "zoek")
    }
    if any(len(v) > FIELD_MAX for v in q.values()):
        return desk.refuse(request, 400, desk.texts.words.field_too_long)
    if q["status"] and q["status"] not in (*desk.texts.statuses, "all"):
        return desk.refuse(request, 400, desk.texts.words.unknown_status)
    try:
        since, until = _date(q["van"], desk), _date(q["tot"], desk)
    except ValueError as exc:
        return desk.refuse(request, 400, str(exc))
    wanted = QueueFilter(
        status=q["status"] or None,
        class_name=q["klas"] or None,
        category=q["categorie"] or None,
        room=q["ruimte"] or None,
        since=since,
        until=until,
        student=q["zoek"] or None,
    )
    items = desk.backend.queue(who, wanted)
    return desk.page(request, "queue.html", items=items, q=q)


async def incident(request: Request) -> Response:
    who = _signed_in_or_login(request)
    if isinstance(who, Response):
        return who
    desk = desk_of(request)
    incident_id = int(request.path_params["incident_id"])
    shown = desk.backend.incident(who, incident_id)
    if shown.card is None:
        return desk.refuse(request, 404, desk.texts.result(Result.NOT_FOUND))
    names = {}
    for line in shown.history:
        pid = line.actor.split(" as ")[-1]
        names[pid] = desk.backend.name_of(pid)
    message = message_of(desk, request.query_params.get("m", ""))
    return desk.page(request, "incident.html", card=shown.card, history=shown.history, names=names, message=message)


def message_of(desk: Desk, code: str) -> str | None:
    """The line above an incident after an action (its code is in the address the action redirected to)."""
    say, words = desk.texts, desk.texts.words
    messages = {
        "done": say.result(Result.DONE),
        "unchanged": say.result(Result.UNCHANGED),
        "invalid": say.result(Result.INVALID),
        "note": words.note_needed,
        "parents": words.parents_needed,
        "race": words.race,
    }
    return messages.get(code)


async def act(request: Request) -> Response:
    who_session = signed_in(request)
    desk = desk_of(request)
    if who_session is None:
        return desk.refuse(request, 403, desk.texts.words.not_signed_in)
    who, session = who_session
    incident_id = int(request.path_params["incident_id"])
    action = request.path_params["action"]
    if action not in ACTIONS:
        return desk.refuse(request, 404, desk.texts.words.no_such_page)
    form = await request.form(max_files=0, max_fields=10)
    if not csrf_ok(session.csrf, form.get("csrf")):
        return desk.refuse(request, 403, desk.texts.words.form_expired)
    fields = {k: str(form.get(k, ""))[:FORM_MAX] for k in ("note", "measure", "parents", "to", "seen")}
    current = desk.backend.incident(who, incident_id)
    if current.card is None:
        return desk.refuse(request, 404, desk.texts.result(Result.NOT_FOUND))
    if fields["seen"] and fields["seen"] != f"{current.card.status}/{current.card.escalation or ''}":
        return RedirectResponse(f"/meldingen/{incident_id}?m=race", status_code=303)
    result: ReviewResult
    if action == "ack":
        result = desk.backend.acknowledge(who, incident_id)
    elif action == "resolve":
        if not fields["note"].strip():
            return RedirectResponse(f"/meldingen/{incident_id}?m=note", status_code=303)
        parents = {"ja": True, "nee": False}.get(fields["parents"])
        result = desk.backend.resolve(who, incident_id, fields["note"], fields["measure"].strip() or None, parents)
        if result.result is Result.INVALID and fields["measure"].strip() and parents is None:
            return RedirectResponse(f"/meldingen/{incident_id}?m=parents", status_code=303)
    elif action == "dismiss":
        result = desk.backend.dismiss(who, incident_id, fields["note"])
    else:
        result = desk.backend.escalate(who, incident_id, fields["to"], fields["note"])
    desk.metrics.actions.labels(action, result.result.value).inc()
    await desk.backend.after_change(incident_id, result)
    if result.result in (Result.NOT_FOUND, Result.FORBIDDEN):
        return desk.refuse(request, 404, desk.texts.result(Result.NOT_FOUND))
    return RedirectResponse(f"/meldingen/{incident_id}?m={result.result.value}", status_code=303)


async def student(request: Request) -> Response:
    who = _signed_in_or_login(request)
    if isinstance(who, Response):
        return who
    desk = desk_of(request)
    student_id = str(request.path_params["student_id"])[:FIELD_MAX]
    items = desk.backend.timeline(who, student_id)
    person = desk.backend.student(student_id)
    if person is None or not items:
        return desk.refuse(request, 404, desk.texts.words.no_such_student)
    return desk.page(request, "student.html", person=person, items=items)


def _leadership(request: Request) -> Reviewer | Response:
    who = _signed_in_or_login(request)
    if isinstance(who, Response) or who.leadership:
        return who
    return desk_of(request).refuse(request, 403, desk_of(request).texts.words.overview_only_leadership)


async def overview(request: Request) -> Response:
    who = _leadership(request)
    if isinstance(who, Response):
        return who
    desk = desk_of(request)
    counts, say = desk.backend.overview(), desk.texts
    values = {
        "class": {k or say.words.no_class: v for k, v in counts.by_class.items()},
        "month": counts.by_month,
        "category": {say.category(k): v for k, v in counts.by_category.items()},
        "status": {say.status(k): v for k, v in counts.by_status.items()},
    }
    rendered = [
        (title, column, values[kind], bar_chart(title, values[kind]) if values[kind] else "")
        for kind, (title, column) in say.charts.items()
    ]
    return desk.page(request, "overview.html", total=counts.total, charts=rendered)


async def overview_csv(request: Request) -> Response:
    who = _leadership(request)
    if isinstance(who, Response):
        return who
    counts, say = desk_of(request).backend.overview(), desk_of(request).texts
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(say.words.csv_header)
    by_kind = {
        "class": counts.by_class,
        "month": counts.by_month,
        "category": counts.by_category,
        "status": counts.by_status,
    }
    for kind, (_, word) in say.charts.items():
        for key, n in by_kind[kind].items():
            writer.writerow([word, key, n])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{say.words.overview_file}"'},
    )


async def stylesheet(request: Request) -> Response:
    return Response((TEMPLATES / "desk.css").read_text(encoding="utf-8"), media_type="text/css")
