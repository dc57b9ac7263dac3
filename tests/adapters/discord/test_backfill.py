"""The backfill cursor as pure logic: it moves only past messages whose handling has finished."""

from __future__ import annotations

from adapters.discord.backfill import KEY, ChannelCursors


class Table:
    """A dict standing in for the state table (its real one is tested in tests/moderation)."""

    def __init__(self) -> None:
        self.rows: dict[str, str] = {}
        self.fail = False

    def get(self, key: str) -> str | None:
        return self.rows.get(key)

    def set(self, key: str, value: str) -> None:
        if self.fail:
            raise OSError("database away")
        self.rows[key] = value


def test_the_cursor_waits_for_a_message_still_in_hand() -> None:
    table = Table()
    cursors = ChannelCursors(table)
    for message in (10, 11, 12):
        cursors.started(1, message)
    cursors.finished(1, 11)
    cursors.finished(1, 12)
    assert cursors.last(1) is None  # 10 is still being handled: a crash now must not skip it
    cursors.finished(1, 10)
    assert cursors.last(1) == 12 and table.rows[f"{KEY}1"] == "12"
    cursors.started(1, 13)
    assert ChannelCursors(table).last(1) == 12  # read back after a restart


def test_seeding_only_sets_a_channel_without_a_cursor_and_garbage_reads_as_none() -> None:
    table = Table()
    cursors = ChannelCursors(table)
    cursors.seed(1, 100)
    cursors.seed(1, 200)
    assert cursors.last(1) == 100
    table.rows[f"{KEY}2"] = "not a number"
    assert ChannelCursors(table).last(2) is None
    assert ChannelCursors(table).channels({1, 2, 3}) == {1: 100}


def test_a_database_outage_keeps_the_cursor_in_memory_and_saves_it_later() -> None:
    table = Table()
    cursors = ChannelCursors(table)
    table.fail = True
    cursors.started(1, 5)
    cursors.finished(1, 5)
    assert cursors.last(1) == 5 and f"{KEY}1" not in table.rows
    table.fail = False
    cursors.started(1, 6)
    cursors.finished(1, 6)
    assert table.rows[f"{KEY}1"] == "6"
