"""The Mededelingen page: a teacher composes one announcement to several class announcement rooms (now or at a set
time, optionally asking "Gelezen ✓"), sees it exactly as students will, sends it, and follows, edits and retracts
their own announcements. Every step goes through the same StaffAnnouncements service as `!mededeling` in chat."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, time

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from adapters.web.app import desk_of, signed_in
from adapters.web.backend import Reviewer
from adapters.web.security import csrf_ok
from moderation.announcements.commands import TEXT_LIMIT, Announce, Edit, When
from moderation.announcements.compose import clean
from moderation.announcements.composer import AnnouncementComposer
from moderation.announcements.staff import StaffAnnouncements
from moderation.announcements.targets import RoomKey
from moderation.announcements.templates import expand
from moderation.model import Platform
from moderation.texts.desk import DeskTexts

FIELDS_MAX = 400  # form fields at most (one per ticked room, and a few more)
NONCE_MAX = 64


@dataclass(frozen=True, slots=True)
class Composed:
    """The form as typed (to show it again) and the request it makes."""

    rooms: frozenset[str]  # "platform:room id", as the checkboxes send them
    text: str
    when: str  # "nu", "vandaag", "morgen", "datum"
    at: str  # hh:mm
    moment: str  # a datetime-local value
    asks_read: bool


def _poster(request: Request) -> tuple[Reviewer, StaffAnnouncements] | Response:
    desk = desk_of(request)
    who = signed_in(request)
    if who is None:
        if request.method == "GET":
            return RedirectResponse("/login", status_code=303)
        return desk.refuse(request, 403, desk.texts.words.poster_not_signed_in)
    service = desk.backend.announcements
    if service is None:
        return desk.refuse(request, 404, desk.texts.words.no_announcements_here)
    if not who[0].announces:
        return desk.refuse(request, 403, desk.texts.words.only_posters)
    return who[0], service


async def _form(request: Request) -> FormData | Response:
    who = signed_in(request)
    form = await request.form(max_files=0, max_fields=FIELDS_MAX)
    if who is None or not csrf_ok(who[1].csrf, form.get("csrf")):
        return desk_of(request).refuse(request, 403, desk_of(request).texts.words.form_expired)
    return form


def _room_value(room: RoomKey) -> str:
    return f"{room[0].value}:{room[1]}"


def _composed(form: FormData) -> Composed:
    def one(name: str) -> str:
        value = form.get(name, "")
        return value if isinstance(value, str) else ""

    return Composed(
        rooms=frozenset(v for v in form.getlist("ruimte") if isinstance(v, str)),
        text=one("tekst").strip(),
        when=one("wanneer") or "nu",
        at=one("tijd").strip()[:10],
        moment=one("moment").strip()[:40],
        asks_read=one("gelezen") == "ja",
    )


def _when(composed: Composed, composer: AnnouncementComposer, texts: DeskTexts) -> When | str | None:
    if composed.when == "nu":
        return None
    if composed.when in ("vandaag", "morgen"):
        try:
            at = time.fromisoformat(composed.at)
        except ValueError:
            return texts.words.bad_time
        return When(at.replace(second=0, microsecond=0), 0 if composed.when == "vandaag" else 1)
    if composed.when == "datum":
        try:
            moment = datetime.fromisoformat(composed.moment)
        except ValueError:
            return texts.words.bad_moment
        days = (moment.date() - composer.local_today()).days  # a day before today resolves to "already past"
        return When(moment.time().replace(second=0, microsecond=0), days)
    return texts.words.bad_moment


def _request(composed: Composed, who: Reviewer, composer: AnnouncementComposer, texts: DeskTexts) -> Announce | str:
    """The request the form makes, or the reason it cannot be made (nothing is stored either way)."""
    if not composed.rooms:
        return texts.words.no_rooms_chosen
    mine: dict[str, set[str]] = {}  # each room the sender may post in, with its classes (one room may serve two)
    for cls, rooms in composer.postable(who.person).items():
        for room, _ in rooms:
            mine.setdefault(_room_value(room), set()).add(cls)
    if not composed.rooms <= mine.keys():
        return texts.words.not_your_rooms
    if not composed.text:
        return texts.words.empty_text
    if len(composed.text) > TEXT_LIMIT:
        return texts.text_too_long(TEXT_LIMIT, len(composed.text))
    body = clean(expand(composed.text, composer.texts), TEXT_LIMIT)
    if not body:
        return texts.words.empty_text
    when = _when(composed, composer, texts)
    if isinstance(when, str):
        return when
    chosen = frozenset((Platform(v.partition(":")[0]), v.partition(":")[2]) for v in composed.rooms)
    classes = tuple(sorted({cls for v in composed.rooms for cls in mine[v]}))
    return Announce(classes, body, when, composed.asks_read, rooms=chosen)


def _sender(who: Reviewer, rooms: frozenset[RoomKey] | None) -> tuple[Platform, str]:
    """Where the sender hears how a scheduled announcement went: their account on a platform of the rooms."""
    wanted = {room[0] for room in rooms or ()}
    accounts = sorted(who.person.accounts, key=lambda a: a.platform not in wanted)
    if accounts:
        return accounts[0].platform, str(accounts[0].id)
    return next(iter(wanted), Platform.MATRIX), ""


def _page(
    request: Request,
    who: Reviewer,
    service: StaffAnnouncements,
    *,
    status: int = 200,
    composed: Composed | None = None,
    error: str | None = None,
    message: str | None = None,
) -> Response:
    desk = desk_of(request)
    composer = service.composer
    prefill = request.query_params.get("tekst", "")[:TEXT_LIMIT] if request.method == "GET" else ""
    shown = composed or Composed(frozenset(), prefill, "nu", "", "", False)
    return desk.page(
        request,
        "announcements.html",
        status,
        rooms=composer.postable(who.person),
        room_value=_room_value,
        composed=shown,
        error=error,
        message=message,
        sent=composer.sent_by(who.person),
        moment=lambda when: composer.texts.moment(when, composer.timezone),
        text_limit=TEXT_LIMIT,
    )


async def _posted(request: Request) -> tuple[Reviewer, StaffAnnouncements, FormData] | Response:
    """A poster's form, sent with its CSRF token; or the page that refuses it."""
    found = _poster(request)
    if isinstance(found, Response):
        return found
    form = await _form(request)
    if isinstance(form, Response):
        return form
    return (*found, form)


async def _asked(
    request: Request,
) -> tuple[Reviewer, StaffAnnouncements, FormData, Composed, Announce | str] | Response:
    """The composer's form and the request it makes (or why it cannot be made)."""
    found = await _posted(request)
    if isinstance(found, Response):
        return found
    who, service, form = found
    composed = _composed(form)
    return who, service, form, composed, _request(composed, who, service.composer, desk_of(request).texts)


async def compose(request: Request) -> Response:
    found = _poster(request)
    if isinstance(found, Response):
        return found
    return _page(request, *found)


async def preview(request: Request) -> Response:
    found = await _asked(request)
    if isinstance(found, Response):
        return found
    who, service, _, composed, asked = found
    composer = service.composer
    shown = composer.preview(who.person, asked) if isinstance(asked, Announce) else asked
    if isinstance(shown, str):
        return _page(request, who, service, status=400, composed=composed, error=shown)
    prepared, posts_of = shown
    when = None if prepared.due is None else composer.texts.moment(prepared.due, composer.timezone)
    names = {room: name for rooms in composer.postable(who.person).values() for room, name in rooms}
    # Where a platform asks with a button (Discord) rather than a line in the text (Matrix), the preview shows it.
    button = {
        (room.platform, room.room_id)
        for room, _ in posts_of
        if (room.platform, room.room_id) in prepared.asking and not composer.read_hint(room.platform)
    }
    posts = [
        (
            room.classes,
            room.platform.value,
            names.get((room.platform, room.room_id), ""),
            text,
            (room.platform, room.room_id) in button,
        )
        for room, text in posts_of
    ]
    return desk_of(request).page(
        request, "announcement_preview.html", composed=composed, posts=posts, when=when, nonce=secrets.token_hex(16)
    )


async def send(request: Request) -> Response:
    found = await _asked(request)
    if isinstance(found, Response):
        return found
    who, service, form, composed, asked = found
    checked = service.composer.prepare(who.person, asked) if isinstance(asked, Announce) else asked
    if isinstance(checked, str) or not isinstance(asked, Announce):
        return _page(request, who, service, status=400, composed=composed, error=str(checked))
    nonce = str(form.get("nonce", ""))[:NONCE_MAX]
    platform, account = _sender(who, asked.rooms)
    # The page's one-off number makes a form sent twice (a reload, a double click) post nothing twice.
    said = await service.announce(
        who.person, asked, platform, account, f"desk:{who.person.id}:{nonce}" if nonce else "", background=True
    )
    return _page(request, who, service, message=said)


async def _numbered(request: Request) -> tuple[Reviewer, StaffAnnouncements, FormData, int] | Response:
    """A poster's form about one of their announcements, by the number in the address; or the page that refuses
    it (a number that cannot be one is not found)."""
    found = await _posted(request)
    if isinstance(found, Response):
        return found
    who, service, form = found
    raw = str(request.path_params["code"])
    if not raw.isdigit() or len(raw) > 9:
        return _page(request, who, service, status=404, error=desk_of(request).texts.words.no_such_announcement)
    return who, service, form, int(raw)


async def edit(request: Request) -> Response:
    found = await _numbered(request)
    if isinstance(found, Response):
        return found
    who, service, form, code = found
    raw = str(form.get("tekst", "")).strip()
    if len(raw) > TEXT_LIMIT:
        return _page(
            request, who, service, status=400, error=desk_of(request).texts.text_too_long(TEXT_LIMIT, len(raw))
        )
    body = clean(expand(raw, service.composer.texts), TEXT_LIMIT)
    if not body:
        return _page(request, who, service, status=400, error=desk_of(request).texts.words.empty_text)
    platform, account = _sender(who, None)
    said = await service.edit(who.person, Edit(code, body), platform, account)
    return _page(request, who, service, message=said)


async def retract(request: Request) -> Response:
    found = await _numbered(request)
    if isinstance(found, Response):
        return found
    who, service, _, code = found
    said = await service.retract(who.person, code)
    return _page(request, who, service, message=said)
