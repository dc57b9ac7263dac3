"""`!login` in a Matrix direct room: a reviewer gets a working one-time link, anyone else a plain refusal, and
every other direct-room command still reaches the handler it had before."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from adapters.web.chat_login import with_login
from bot.texts.nl import DUTCH
from bot.web import desk_backend, desk_links
from moderation.model import Platform
from moderation.texts import Phrase
from tests.support.core import SAMPLE_PEOPLE, make_core

REFUSED = DUTCH.phrase(Phrase.LOGIN_REFUSED)
MATRIX_IDS = {"jan": "@jansen:school.nl", "sanne": "@sanne:school.nl"}


async def _now(answer: Callable[[], str]) -> str:
    return answer()


async def test_login_answers_a_link_to_reviewers_only_and_passes_other_commands_on(tmp_path: Path) -> None:
    people = [{**p, "matrix_id": MATRIX_IDS.get(p["id"], "")} for p in SAMPLE_PEOPLE]
    web = {"web": {"public_url": "https://desk.school.nl"}}
    core = make_core(tmp_path, rooms=[], people=people, with_classifier=False, extra_settings=web)
    backend = desk_backend(core)
    seen: list[str] = []

    async def before(platform: Platform, author: str, text: str, event_id: str) -> str | None:
        seen.append(text)
        return "mededeling geplaatst"

    handle = with_login(desk_links(core, backend), 10, _now, before, core.moderator.texts)
    answer = await handle(Platform.MATRIX, "@jansen:school.nl", " !LOGIN ", "$1")
    assert answer is not None and "één keer" in answer and "10 minuten" in answer
    token = answer.split("?t=", 1)[1].split()[0]
    redeemed = backend.logins.redeem(token)
    assert redeemed is not None and redeemed[1].person_id == "jan"
    assert backend.logins.redeem(token) is None  # single use

    assert await handle(Platform.MATRIX, "@sanne:school.nl", "!login", "$2") == REFUSED
    assert await handle(Platform.MATRIX, "@vreemde:elders.nl", "!login", "$3") == REFUSED
    assert await handle(Platform.MATRIX, "@jansen:school.nl", "!mededeling 2B hoi", "$4") == "mededeling geplaatst"
    assert seen == ["!mededeling 2B hoi"]


async def test_a_poster_of_announcement_rooms_who_reviews_nobody_gets_a_link_for_the_mededelingen_page(
    tmp_path: Path,
) -> None:
    from bot.relay import build_staff_announcements

    piet = {"id": "piet", "name": "Meneer De Vries", "role": "staff", "matrix_id": "@piet:school.nl"}
    room = {"platform": "matrix", "id": "!med2b:school.nl", "name": "Mededelingen 2B", "kind": "announcement"}
    web = {"web": {"public_url": "https://desk.school.nl"}}
    core = make_core(
        tmp_path,
        rooms=[{**room, "posters": ["piet"]}],
        people=[*SAMPLE_PEOPLE, piet],
        with_classifier=False,
        extra_settings=web,
    )
    staff = build_staff_announcements(core, [])
    with_page = with_login(desk_links(core, desk_backend(core, announcements=staff)), 10, _now, None, DUTCH)
    answer = await with_page(Platform.MATRIX, "@piet:school.nl", "!login", "$1")
    assert answer is not None and "https://desk.school.nl/login?t=" in answer
    without = with_login(desk_links(core, desk_backend(core)), 10, _now, None, DUTCH)  # no announcements here
    assert await without(Platform.MATRIX, "@piet:school.nl", "!login", "$2") == REFUSED
