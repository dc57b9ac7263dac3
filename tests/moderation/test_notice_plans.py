"""A person's notice plans on their own: each message told of once, whatever the moment a process ended; a plan cut
short sent again with its first nonce; a failed send forgotten, not sent later with some other notice."""

from __future__ import annotations

import pytest

from moderation.notice_plans import NoticeDM, NoticePlans, NoticeRecord, Resumed, split_notices
from tests.support.memory_state import MemoryState

KEY = "test:notice-plan:"
LIMIT = 60


def several(texts: list[str] | tuple[str, ...]) -> str:
    return f"{len(texts)} berichten: " + " | ".join(texts)


class Killed(BaseException):
    """The process ending between a send and its mark (not an Exception: nothing in the plans catches it)."""


class Platform:
    """Direct messages as a platform keeps them: a repeated nonce answers with the first message."""

    def __init__(self) -> None:
        self.sent: dict[str, str] = {}  # nonce key -> text
        self.kill_after_send = False
        self.fail = False
        self.resumed: list[Resumed | None] = []

    async def send(self, dm: NoticeDM, resumed: Resumed | None) -> str:
        self.resumed.append(resumed)
        if self.fail:
            raise OSError("the platform is away")
        self.sent.setdefault(dm.key, dm.text)
        if self.kill_after_send:
            self.kill_after_send = False
            raise Killed
        return str(list(self.sent).index(dm.key))


def record(state: MemoryState, user: str = "daan") -> NoticeRecord:
    return NoticeRecord.parse(state.get(KEY + user))


async def test_killed_after_a_lone_notice_went_out_it_is_not_told_again_with_the_next_ones() -> None:
    state, platform = MemoryState(), Platform()
    plans = NoticePlans(state, KEY, several, LIMIT)
    platform.kill_after_send = True
    with pytest.raises(Killed):
        await plans.tell("daan", [("m1", "weg")], platform.send)
    assert [dm.about for dm in record(state).plan] == [["m1"]]  # planned, not marked

    restarted = NoticePlans(state, KEY, several, LIMIT)  # the outbox hands the first and the later ones over at once
    await restarted.tell("daan", [("m1", "weg"), ("m2", "weg"), ("m3", "weg")], platform.send)
    assert list(platform.sent.values()) == ["weg", "2 berichten: weg | weg"]  # the first once, the others on one
    assert platform.resumed[1] is not None and platform.resumed[2] is None  # the cut-short one looked for first
    assert record(state).plan == [] and record(state).told == ["m1", "m2", "m3"]


async def test_a_message_told_of_is_not_told_again() -> None:
    state, platform = MemoryState(), Platform()
    plans = NoticePlans(state, KEY, several, LIMIT)
    await plans.tell("daan", [("m1", "weg"), ("m2", "weg")], platform.send)
    await plans.tell("daan", [("m2", "weg")], platform.send)
    assert list(platform.sent.values()) == ["2 berichten: weg | weg"]


async def test_a_failed_notice_is_forgotten_and_the_next_one_is_only_its_own() -> None:
    state, platform = MemoryState(), Platform()
    plans = NoticePlans(state, KEY, several, LIMIT)
    platform.fail = True
    with pytest.raises(OSError):
        await plans.tell("daan", [("m1", "weg")], platform.send)
    platform.fail = False
    await plans.tell("daan", [("m2", "ook weg")], platform.send)
    assert list(platform.sent.values()) == ["ook weg"]
    assert record(state).told == ["m2"]


async def test_each_person_has_a_plan_of_their_own() -> None:
    state, platform = MemoryState(), Platform()
    plans = NoticePlans(state, KEY, several, LIMIT)
    await plans.tell("daan", [("m1", "weg")], platform.send)
    await plans.tell("sanne", [("m1", "weg")], platform.send)  # a key is only unique per person's messages
    assert record(state, "daan").told == ["m1"] == record(state, "sanne").told


def test_a_burst_longer_than_the_limit_is_split_between_notices_and_one_too_long_is_cut() -> None:
    notices = [(f"m{n}", f"bericht {n} in een groep met een lange naam") for n in range(4)]
    dms = split_notices(notices, several, LIMIT)
    assert [about for _text, about in dms] == [["m0"], ["m1"], ["m2"], ["m3"]]  # two do not fit in 60
    [(text, _about)] = split_notices([("m1", "x" * 100)], several, LIMIT)
    assert len(text) == LIMIT and text.endswith("…")


def test_a_record_from_the_table_that_is_not_one_reads_as_empty() -> None:
    assert NoticeRecord.parse(None) == NoticeRecord() == NoticeRecord.parse("[1, 2]")
