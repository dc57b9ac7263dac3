"""Scheduled jobs: one platform's failure never stops the others."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from moderation.incidents.withdrawals import PENDING_KEY, RENEW_KEY, parse, queue
from moderation.jobs import GIVE_UP_AFTER, CardHolder, reconcile_rooms, withdraw_erased_cards, withdraw_pending_cards


class Holder:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.withdrawn: list[int] = []
        self.reconciled = 0

    async def withdraw_cards(self, incident_ids: Iterable[int], notice: str = "erased") -> int:
        if self.fail:
            raise ConnectionError("platform down")
        self.withdrawn.extend(incident_ids)
        return len(self.withdrawn)

    async def reconcile(self) -> None:
        if self.fail:
            raise ConnectionError("platform down")
        self.reconciled += 1


async def test_erased_cards_are_withdrawn_everywhere_despite_one_outage(caplog: pytest.LogCaptureFixture) -> None:
    down, up = Holder(fail=True), Holder()
    assert isinstance(up, CardHolder)
    await withdraw_erased_cards([down, up], [3, 5])
    assert up.withdrawn == [3, 5]
    assert "could not clear erased incidents' cards on Holder" in caplog.text
    await withdraw_erased_cards([up], [])
    assert up.withdrawn == [3, 5]


async def test_reconcile_goes_on_after_a_failing_platform(caplog: pytest.LogCaptureFixture) -> None:
    down, up = Holder(fail=True), Holder()
    await reconcile_rooms([down, up])
    assert up.reconciled == 1 and "scheduled permission check failed" in caplog.text


class Memory(dict[str, str]):
    def set(self, key: str, value: str) -> None:
        self[key] = value


class Flaky(Holder):
    """Fails for the listed incidents (a copy left in chat), succeeds for the others."""

    def __init__(self, failing: set[int]) -> None:
        super().__init__()
        self.failing = failing

    async def withdraw_cards(self, incident_ids: Iterable[int], notice: str = "erased") -> int:
        ids = list(incident_ids)
        self.withdrawn.extend(ids)
        if set(ids) & self.failing:
            raise ConnectionError("a copy is left")
        return len(ids)


async def test_the_queue_keeps_what_a_platform_could_not_clear_and_tries_it_again() -> None:
    state, flaky, up = Memory(), Flaky({5}), Holder()
    queue(state, [3, 5])
    assert await withdraw_pending_cards([flaky, up], state) == 1
    assert parse(state[PENDING_KEY]) == {5: 1} and up.withdrawn == [3, 5]  # the healthy platform cleared both
    flaky.failing.clear()
    assert await withdraw_pending_cards([flaky, up], state) == 0
    assert parse(state[PENDING_KEY]) == {} and flaky.withdrawn == [3, 5, 5]


async def test_a_hopeless_withdrawal_is_given_up_with_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    state = Memory({PENDING_KEY: f'{{"7": {GIVE_UP_AFTER - 1}}}'})
    assert await withdraw_pending_cards([Holder(fail=True)], state) == 0
    assert f"gave up withdrawing the chat cards of erased incident #7 after {GIVE_UP_AFTER} tries" in caplog.text


async def test_an_unreadable_queue_is_logged_and_started_afresh(caplog: pytest.LogCaptureFixture) -> None:
    state = Memory({PENDING_KEY: "[not, json"})
    assert await withdraw_pending_cards([Holder()], state) == 0
    assert "queue of chat cards to withdraw is unreadable" in caplog.text
    queue(state, [4])
    assert parse(state[PENDING_KEY]) == {4: 0}


class Renewer(Holder):
    def __init__(self, fail: bool = False) -> None:
        super().__init__(fail)
        self.renewed: list[int] = []

    async def renew_cards(self, incident_ids: Iterable[int]) -> int:
        if self.fail:
            raise ConnectionError("platform down")
        self.renewed.extend(incident_ids)
        return len(self.renewed)


async def test_changed_cards_are_renewed_where_possible_else_withdrawn_and_kept_while_one_fails() -> None:
    state = Memory({RENEW_KEY: '{"4": 0}'})
    down, renewer, plain = Renewer(fail=True), Renewer(), Holder()
    assert await withdraw_pending_cards([down, renewer, plain], state) == 1
    assert (renewer.renewed, renewer.withdrawn, plain.withdrawn) == ([4], [], [4])  # never left showing the old text
    assert parse(state[RENEW_KEY]) == {4: 1}
    down.fail = False
    assert await withdraw_pending_cards([down, renewer, plain], state) == 0
    assert down.renewed == [4] and parse(state[RENEW_KEY]) == {}
