"""Scheduled jobs: one platform's failure never stops the others."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from moderation.jobs import CardHolder, reconcile_rooms, withdraw_erased_cards


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
