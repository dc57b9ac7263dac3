"""The review desk in this process: built from the core when `[web]` is set, served by uvicorn in the bot's own
event loop (`schoolwacht run`) or alone (`schoolwacht web`)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from adapters.base import AdapterStartError, CardFollower, Connection
from moderation.incidents.review import ReviewResult
from moderation.model import AccountId, Platform

if TYPE_CHECKING:
    import uvicorn
    from starlette.applications import Starlette

    from adapters.base import Adapter
    from adapters.web.backend import DeskBackend
    from bot.app import Core
    from bot.settings.web import WebSettings
    from moderation.announcements.staff import StaffAnnouncements

log = logging.getLogger(__name__)
Changed = Callable[[int, ReviewResult], Awaitable[None]]


def desk_secret(installation: bytes) -> bytes:
    """The cookie-signing key, derived from the installation's secret (one secret to keep, none to configure)."""
    return hmac.new(installation, b"schoolwacht desk session cookie", hashlib.sha256).digest()


def desk_backend(
    core: Core, changed: Changed | None = None, announcements: StaffAnnouncements | None = None
) -> DeskBackend:
    """`announcements`: the teachers' announcements service of this process (the Mededelingen page), if any."""
    from adapters.web.backend import DeskBackend
    from moderation.incidents.desk_login import DeskLogins

    web = _web(core)
    logins = DeskLogins(
        core.sessions,
        core.clock,
        link_ttl=timedelta(minutes=web.link_minutes),
        idle=timedelta(minutes=web.session_idle_minutes),
    )
    from bot.platforms import personal_data_hooks

    review = core.review
    return DeskBackend(
        core.sessions,
        core.roster.current,
        core.clock,
        review,
        logins,
        core.moderator.texts.desk.words,
        changed,
        privacy_hooks=personal_data_hooks(),
        roster_changed=core.roster.reload,
        announcements=announcements,
    )


def build_desk(
    core: Core,
    checks: Mapping[str, Callable[[], bool]] | None = None,
    changed: Changed | None = None,
    sync_lags: Mapping[str, Callable[[], float | None]] | None = None,
    announcements: StaffAnnouncements | None = None,
) -> Starlette:
    """The desk's app; `changed` is called after each change made on the desk (to refresh the cards in chat)."""
    from adapters.web.app import DeskConfig, build_app
    from adapters.web.metrics import CoreMetrics
    from moderation.incidents.report_key import installation_secret

    web = _web(core)
    config = DeskConfig(
        public_url=web.public_url,
        secret=desk_secret(installation_secret(core.sessions)),
        login_attempts_per_minute=web.login_attempts_per_minute,
        trusted_proxies=frozenset(web.trusted_proxies),
        checks=dict(checks or {}),
        sync_lags=dict(sync_lags or {}),
    )
    figures = core.metrics if isinstance(core.metrics, CoreMetrics) else None
    return build_app(config, desk_backend(core, changed, announcements), core.moderator.texts.desk, figures)


def platform_checks(adapters: Sequence[Adapter]) -> dict[str, Callable[[], bool]]:
    """/healthz: each platform connected, as its adapter knows it."""
    return {a.platform.value: a.connected for a in adapters if isinstance(a, Connection)}


def platform_lags(adapters: Sequence[Adapter]) -> dict[str, Callable[[], float | None]]:
    return {a.platform.value: a.sync_lag for a in adapters if isinstance(a, Connection)}


def cards_follow(adapters: Sequence[Adapter]) -> Changed:
    """After a change on the desk, every chat platform's copies of the card follow through its card ledger, and
    reviewers an escalation added get their card, as after a review in chat. A platform that fails is logged: the
    change itself is done."""
    followers = [a for a in adapters if isinstance(a, CardFollower)]

    async def changed(incident_id: int, result: ReviewResult) -> None:
        for follower in followers:
            try:
                failures = await follower.follow_review(result)
            except Exception:
                log.exception("incident #%d: the cards in chat did not follow the desk's change", incident_id)
                continue
            for failure in failures:
                log.warning("incident #%d: after the desk's change: %s", incident_id, failure)

    return changed


def login_link(core: Core, backend: DeskBackend, person_id: str) -> str | None:
    """The one-time sign-in link for a reviewer; None for someone who is not one."""
    token = backend.link_for(person_id)
    return None if token is None else f"{_web(core).public_url}/login?t={token}"


def server(app: Starlette, web: WebSettings, *, in_loop: bool) -> uvicorn.Server:
    """A uvicorn server for the desk; `in_loop`: inside the bot's loop, which handles the signals itself."""
    import uvicorn

    config = uvicorn.Config(
        app,
        host=web.address,
        port=web.port,
        lifespan="off",
        ws="none",
        proxy_headers=True,
        forwarded_allow_ips=list(web.trusted_proxies),
        log_level="warning",
        access_log=False,
    )
    return _make_in_loop_server()(config) if in_loop else uvicorn.Server(config)


def _web(core: Core) -> WebSettings:
    web = core.settings.web
    if web is None:
        raise ValueError("the desk is off: there is no [web] section in the settings")
    return web


def _make_in_loop_server() -> type[uvicorn.Server]:
    import uvicorn

    class InLoopServer(uvicorn.Server):
        """uvicorn without its own signal handlers: the bot's handlers stop everything in order."""

        @contextlib.contextmanager
        def capture_signals(self) -> Generator[None, None, None]:
            yield

    return InLoopServer


@contextlib.asynccontextmanager
async def desk_running(
    core: Core,
    checks: Mapping[str, Callable[[], bool]],
    adapters: Sequence[Adapter] = (),
    announcements: StaffAnnouncements | None = None,
) -> AsyncIterator[None]:
    """The desk serving beside the bot while the block runs (nothing when `[web]` is not set), with the running
    `adapters`: their health on /healthz and /metrics, their chat cards following the desk's changes. It is
    listening when the block starts; an address already taken is an error at start, not a silent desk-less bot."""
    web = core.settings.web
    if web is None:
        yield
        return
    app = build_desk(
        core,
        {**platform_checks(adapters), **checks},
        cards_follow(adapters),
        sync_lags=platform_lags(adapters),
        announcements=announcements,
    )
    desk = server(app, web, in_loop=True)
    serving = asyncio.ensure_future(_serve(desk))
    while not desk.started and not serving.done():
        await asyncio.sleep(0.01)
    if not desk.started:
        await serving
        raise AdapterStartError(f"the review desk cannot listen on {web.address}:{web.port} (in use, or not allowed)")
    log.info("review desk listening on %s:%d, reached as %s", web.address, web.port, web.public_url)
    try:
        yield
    finally:
        desk.should_exit = True
        await serving


async def _serve(desk: uvicorn.Server) -> None:
    try:
        await desk.serve()
    except SystemExit:  # uvicorn's answer to an address it cannot listen on; desk_running says so
        log.debug("the desk's server ended at its start")


def desk_links(core: Core, backend: DeskBackend) -> Callable[[Platform, AccountId], str | None]:
    """A chat account's sign-in link: for reviewers (and posters of announcement rooms) on the roster only."""

    def link_for(platform: Platform, account: AccountId) -> str | None:
        person = core.directory.person_for(platform, account)
        return login_link(core, backend, str(person.id)) if person is not None else None

    return link_for


def attach_desk_login(core: Core, adapters: Sequence[Adapter], announcements: StaffAnnouncements | None = None) -> None:
    """Before the adapters start: `!login` in Matrix direct rooms, `/login` on Discord (when `[web]` is set)."""
    web = core.settings.web
    if web is None:
        return
    from adapters.web.chat_login import with_login

    link_for = desk_links(core, desk_backend(core, announcements=announcements))

    async def off_loop(answer: Callable[[], str]) -> str:
        return await asyncio.to_thread(answer)

    for adapter in adapters:
        if adapter.platform is Platform.MATRIX and hasattr(adapter, "direct_commands"):
            adapter.direct_commands = with_login(
                link_for, web.link_minutes, off_loop, adapter.direct_commands, core.moderator.texts
            )
        elif adapter.platform is Platform.DISCORD and hasattr(adapter, "desk_login"):
            adapter.desk_login = (link_for, web.link_minutes)
