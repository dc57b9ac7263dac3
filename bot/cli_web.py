"""`schoolwacht web`: the review desk alone, or one sign-in link for a reviewer."""

from __future__ import annotations

from rich.console import Console

from bot.settings import Settings, SettingsError


def run_web(settings: Settings, link: str | None, out: Console) -> None:
    from bot.app import build_core
    from bot.relay import desk_announcements
    from bot.web import build_desk, desk_backend, login_link, server

    if settings.web is None:
        raise SettingsError("the desk is off: add a [web] section with public_url to the settings (see docs/desk.md)")
    core = build_core(settings, with_classifier=False)
    try:
        announcements = desk_announcements(core)  # queued here, posted by `schoolwacht run`
        if link is not None:
            url = login_link(core, desk_backend(core, announcements=announcements), link)
            if url is None:
                raise SettingsError(
                    f"{link!r} is not a reviewer on the roster "
                    "(mentor, manager, coordinator, leadership, privacy officer), nor a poster of an announcement room"
                )
            out.print(url, markup=False, highlight=False, soft_wrap=True)
            return
        out.print(f"review desk on {settings.web.address}:{settings.web.port}, reached as {settings.web.public_url}")
        server(build_desk(core, announcements=announcements), settings.web, in_loop=False).run()
    finally:
        core.close()
