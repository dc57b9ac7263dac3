"""`!login` in a Matrix direct room: a reviewer gets a working one-time link, anyone else a plain refusal, and
every other direct-room command still reaches the handler it had before."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from adapters.web.chat_login import NOT_A_REVIEWER, with_login
from bot.web import desk_links
from moderation.model import Platform
from tests.adapters.web.conftest import Desk


async def _now(answer: Callable[[], str]) -> str:
    return answer()


def test_login_answers_a_link_to_reviewers_only_and_passes_other_commands_on(desk: Desk) -> None:
    seen: list[str] = []

    async def before(platform: Platform, author: str, text: str, event_id: str) -> str | None:
        seen.append(text)
        return "mededeling geplaatst"

    handle = with_login(desk_links(desk.core, desk.backend), 10, _now, before)
    answer = asyncio.run(handle(Platform.MATRIX, "@jansen:school.nl", " !LOGIN ", "$1"))
    assert answer is not None and "één keer" in answer and "10 minuten" in answer
    token = answer.split("?t=", 1)[1].split()[0]
    redeemed = desk.backend.logins.redeem(token)
    assert redeemed is not None and redeemed[1].person_id == "jan"
    assert desk.backend.logins.redeem(token) is None  # single use

    assert asyncio.run(handle(Platform.MATRIX, "@sanne:school.nl", "!login", "$2")) == NOT_A_REVIEWER
    assert asyncio.run(handle(Platform.MATRIX, "@vreemde:elders.nl", "!login", "$3")) == NOT_A_REVIEWER
    assert (
        asyncio.run(handle(Platform.MATRIX, "@jansen:school.nl", "!mededeling 2B hoi", "$4")) == "mededeling geplaatst"
    )
    assert seen == ["!mededeling 2B hoi"]
