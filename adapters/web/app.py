"""The desk's ASGI app: routes, the signed-in reviewer, and the headers every answer carries."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from adapters.web.backend import DeskBackend, Reviewer
from adapters.web.metrics import CoreMetrics, DeskMetrics
from adapters.web.security import COOKIE, CookieSigner, RateLimit
from moderation.incidents.desk_login import DeskSession
from moderation.texts.desk import DeskTexts

TEMPLATES = Path(__file__).with_name("templates")
QUERY_MAX = 2000  # characters of query string the desk reads; more is refused, not cut
_CODE = re.compile(r"`([^`]+)`")


@dataclass(frozen=True, slots=True)
class DeskConfig:
    public_url: str
    secret: bytes  # signs the session cookie
    login_attempts_per_minute: int = 10
    trusted_proxies: frozenset[str] = frozenset({"127.0.0.1"})
    # Health of the rest of the process, by name ("matrix", "scheduler"): True when fine.
    checks: Mapping[str, Callable[[], bool]] = field(default_factory=dict)
    # Each platform's sync lag in seconds, read from its adapter at each scrape of /metrics.
    sync_lags: Mapping[str, Callable[[], float | None]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Desk:
    """What every page handler needs."""

    config: DeskConfig
    backend: DeskBackend
    signer: CookieSigner
    limit: RateLimit
    metrics: DeskMetrics
    env: Environment
    texts: DeskTexts  # every word the pages show, in the school's language

    def page(self, request: Request, name: str, status: int = 200, **values: object) -> HTMLResponse:
        who = signed_in(request)
        context: dict[str, object] = {"who": who[0] if who else None, "csrf": who[1].csrf if who else ""}
        context |= {"t": self.texts, "w": self.texts.words, **values}
        return HTMLResponse(self.env.get_template(name).render(context), status_code=status)

    def refuse(self, request: Request, status: int, message: str) -> HTMLResponse:
        return self.page(request, "error.html", status, message=message)


def signed_in(request: Request) -> tuple[Reviewer, DeskSession] | None:
    value = request.scope.get("desk.who")
    return value if isinstance(value, tuple) else None


def desk_of(request: Request) -> Desk:
    desk = request.app.state.desk
    assert isinstance(desk, Desk)
    return desk


class _Guard:
    """Headers on every answer; the signed-in reviewer (if any) looked up once per request; overlong query
    strings refused before any handler reads them."""

    def __init__(self, app: ASGIApp, desk: Desk) -> None:
        self._app = app
        self._desk = desk

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return

        async def with_headers(message: dict[str, object]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))  # type: ignore[call-overload]
                headers += [
                    (
                        b"content-security-policy",
                        b"default-src 'self'; style-src 'self' 'unsafe-inline'; "
                        b"img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
                    ),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),  # a sign-in link must never leak in a Referer
                    (b"cache-control", b"no-store"),
                ]
                message["headers"] = headers
            await send(message)

        if len(scope.get("query_string", b"")) > QUERY_MAX:
            response = plain_error(414, self._desk.texts.words.query_too_long)
            await response(scope, receive, with_headers)  # type: ignore[arg-type]
            return
        desk = self._desk
        request = Request(scope)
        token = desk.signer.unsign(request.cookies.get(COOKIE, ""))
        if token is not None:
            session = desk.backend.logins.session(token)
            reviewer = desk.backend.reviewer(session.person_id) if session is not None else None
            if session is not None and reviewer is not None:
                scope["desk.who"] = (reviewer, session)
        await self._app(scope, receive, with_headers)  # type: ignore[arg-type]


def plain_error(status: int, text: str) -> Response:
    return Response(text, status_code=status, media_type="text/plain; charset=utf-8")


def say(word: str, **parts: object) -> Markup:
    """A word on a page: escaped, its `backticked` parts shown as code, its {named} parts filled in (escaped unless
    the template made them markup)."""
    marked = _CODE.sub(lambda found: f"<code>{found.group(1)}</code>", str(escape(word)))
    return Markup(marked).format(**parts)


def build_app(
    config: DeskConfig, backend: DeskBackend, texts: DeskTexts, core_metrics: CoreMetrics | None = None
) -> Starlette:
    """The desk's app, in the language of `texts`; `core_metrics`: the process's figures (judged messages,
    actions), served at /metrics."""
    from adapters.web import announcement_pages, pages, privacy_pages

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    desk = Desk(
        config=config,
        backend=backend,
        signer=CookieSigner(config.secret),
        limit=RateLimit(config.login_attempts_per_minute),
        metrics=DeskMetrics(backend.gauges, core_metrics, config.sync_lags),
        env=env,
        texts=texts,
    )
    env.globals["public_url"] = config.public_url
    env.filters["say"] = say

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        words = texts.words
        message = {404: words.no_such_page, 405: words.not_allowed_here}.get(status, words.went_wrong)
        return desk.refuse(request, status, message)

    async def health(request: Request) -> Response:
        checks = {"database": backend.database_ok()} | {name: check() for name, check in config.checks.items()}
        body = {name: "ok" if ok else "fout" for name, ok in checks.items()}
        return JSONResponse(body, status_code=200 if all(checks.values()) else 503)

    async def metrics(request: Request) -> Response:
        return Response(desk.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")

    handlers: list[tuple[str, Callable[[Request], Awaitable[Response]], list[str]]] = [
        ("/", pages.home, ["GET"]),
        ("/login", pages.login_form, ["GET"]),
        ("/login", pages.login, ["POST"]),
        ("/logout", pages.logout, ["POST"]),
        ("/meldingen", pages.my_queue, ["GET"]),
        ("/meldingen/{incident_id:int}", pages.incident, ["GET"]),
        ("/meldingen/{incident_id:int}/{action:str}", pages.act, ["POST"]),
        ("/leerling/{student_id:str}", pages.student, ["GET"]),
        ("/overzicht", pages.overview, ["GET"]),
        ("/overzicht.csv", pages.overview_csv, ["GET"]),
        ("/privacy", privacy_pages.search, ["GET"]),
        ("/privacy/{subject:str}", privacy_pages.person, ["GET"]),
        ("/privacy/{subject:str}/export", privacy_pages.export, ["POST"]),
        ("/privacy/{subject:str}/wissen", privacy_pages.erase, ["POST"]),
        ("/mededelingen", announcement_pages.compose, ["GET"]),
        ("/mededelingen/voorbeeld", announcement_pages.preview, ["POST"]),
        ("/mededelingen/versturen", announcement_pages.send, ["POST"]),
        ("/mededelingen/{code:str}/wijzigen", announcement_pages.edit, ["POST"]),
        ("/mededelingen/{code:str}/intrekken", announcement_pages.retract, ["POST"]),
        ("/desk.css", pages.stylesheet, ["GET"]),
        ("/healthz", health, ["GET"]),
        ("/metrics", metrics, ["GET"]),
    ]
    app = Starlette(
        routes=[Route(path, endpoint, methods=methods) for path, endpoint, methods in handlers],
        exception_handlers={404: not_found, 405: not_found, 500: not_found},
    )
    app.state.desk = desk
    app.add_middleware(_Guard, desk=desk)
    return app
