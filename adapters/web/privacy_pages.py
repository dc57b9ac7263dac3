"""The Privacy page, for the school's privacy officer only: find a person, download everything stored about them
(what `schoolwacht privacy export` gives), and erase it after the same dry run and a confirmation as
`schoolwacht privacy erase`. Every search, export, dry run, erasure and refusal is in the privacy log."""

from __future__ import annotations

import json
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from adapters.web.app import desk_of, signed_in
from adapters.web.backend import Reviewer
from adapters.web.security import csrf_ok
from moderation.model import Platform
from moderation.privacy import ErasurePlan, UnknownPerson
from moderation.texts.desk import DeskTexts

PLATFORMS = frozenset(p.value for p in Platform)
SUBJECT_MAX = 300  # characters of a person's id or platform:account


def _officer(request: Request) -> Reviewer | Response:
    who = signed_in(request)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    if not who[0].privacy_officer:
        desk_of(request).backend.privacy_refused(who[0])
        return desk_of(request).refuse(request, 403, desk_of(request).texts.words.privacy_only)
    return who[0]


def _subject(request: Request) -> str | None:
    subject = str(request.path_params["subject"]).strip()
    return subject if 0 < len(subject) <= SUBJECT_MAX else None


async def _checked_form(request: Request) -> dict[str, str] | Response:
    """The form's fields, or the refusal of a form without the session's CSRF token."""
    who = signed_in(request)
    form = await request.form(max_files=0, max_fields=5)
    if who is None or not csrf_ok(who[1].csrf, form.get("csrf")):
        return desk_of(request).refuse(request, 403, desk_of(request).texts.words.form_expired)
    return {k: str(v)[:SUBJECT_MAX] for k, v in form.items() if isinstance(v, str)}


async def search(request: Request) -> Response:
    who = _officer(request)
    if isinstance(who, Response):
        return who
    desk = desk_of(request)
    text = request.query_params.get("zoek", "").strip()
    if len(text) > 100:
        return desk.refuse(request, 400, desk.texts.words.field_too_long)
    found = desk.backend.privacy_search(who, text) if text else []
    account = text.partition(":")[0] in PLATFORMS and bool(text.partition(":")[2])  # someone never on the roster
    return desk.page(request, "privacy.html", text=text, found=found, account=account, quote=quote)


def _plan_rows(plan: ErasurePlan, texts: DeskTexts) -> list[tuple[str, int, str]]:
    def ids(values: list[int]) -> str:
        return ", ".join(f"#{v}" for v in values) or "-"

    numbers = {
        "person": (plan.accounts if plan.person_record else 0, ""),
        "deleted": (len(plan.incidents_deleted), ids(plan.incidents_deleted)),
        "targets": (len(plan.targets_cleared), ids(plan.targets_cleared)),
        "reports": (len(plan.reports_cleared), ids(plan.reports_cleared)),
        "assignments": (len(plan.assignments_removed), ids(plan.assignments_removed)),
        "reassigned": (len(plan.reassigned_to_leadership), ids(plan.reassigned_to_leadership)),
        "texts": (len(plan.texts_scrubbed), ids(plan.texts_scrubbed)),
        "history": (plan.history_lines_rewritten, ""),
        "relations": (plan.relations_cleared, ""),
    }
    return [(label, *numbers[key]) for key, label in texts.erasure_rows]


async def person(request: Request) -> Response:
    """One person: the download, and the erasure's dry run (itself on record) with its confirmation form."""
    who = _officer(request)
    if isinstance(who, Response):
        return who
    desk = desk_of(request)
    subject = _subject(request)
    if subject is None:
        return desk.refuse(request, 404, desk.texts.words.privacy_unknown)
    try:
        plan, unfinished = desk.backend.privacy_plan(who, subject)
    except UnknownPerson:
        return desk.refuse(request, 404, desk.texts.words.privacy_unknown)
    warnings = [desk.texts.unfinished(n, why) for n, why in unfinished]
    name = desk.backend.subject_name(subject)
    rows = _plan_rows(plan, desk.texts)
    return desk.page(
        request, "privacy_person.html", subject=subject, person_name=name, rows=rows, warnings=warnings, quote=quote
    )


async def _officer_asks(request: Request) -> tuple[Reviewer, str, dict[str, str]] | Response:
    """The privacy officer's form about one known subject, sent with its CSRF token; or the refusal."""
    who = _officer(request)
    if isinstance(who, Response):
        return who
    desk = desk_of(request)
    subject = _subject(request)
    form = await _checked_form(request)
    if isinstance(form, Response):
        return form
    if subject is None:
        return desk.refuse(request, 404, desk.texts.words.privacy_unknown)
    return who, subject, form


async def export(request: Request) -> Response:
    found = await _officer_asks(request)
    if isinstance(found, Response):
        return found
    who, subject, _ = found
    desk = desk_of(request)
    try:
        data = desk.backend.privacy_export(who, subject)
    except UnknownPerson:
        return desk.refuse(request, 404, desk.texts.words.privacy_unknown)
    filename = "".join(c if c.isalnum() or c in "-_." else "_" for c in subject)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2) + "\n",
        media_type="application/json; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{desk.texts.export_file(filename)}"'},
    )


async def erase(request: Request) -> Response:
    found = await _officer_asks(request)
    if isinstance(found, Response):
        return found
    who, subject, form = found
    desk = desk_of(request)
    if form.get("bevestiging", "").strip() != subject:
        return desk.refuse(request, 400, desk.texts.words.confirm_mismatch)
    try:
        plan = desk.backend.privacy_erase(who, subject)
    except UnknownPerson:
        return desk.refuse(request, 404, desk.texts.words.privacy_unknown)
    rows = _plan_rows(plan, desk.texts)
    message = desk.texts.privacy_erased(subject)
    return desk.page(request, "privacy_erased.html", subject=subject, rows=rows, message=message)
