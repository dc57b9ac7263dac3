"""The card ledger's part of the state table, read once and then from memory.

The ledger reads where each copy of a card is several times per card it sends or edits (every copy's address, a
combined card's incidents, a viewer's plan), on the event loop, where each read is a database round trip that the
next message's judgement and deletion wait behind. This process is the only one that writes these keys (one bot
per school), and every write goes through here: so what it wrote, or read once, is known without asking again.
Writes go to the database at once, as before (a plan must be stored before its card is sent).
"""

from __future__ import annotations

from collections import OrderedDict

from moderation.ports import StateStore

KEPT = 20_000  # keys remembered (a few per incident and viewer); the oldest are read again when needed


class RememberedState:
    def __init__(self, state: StateStore, kept: int = KEPT) -> None:
        self._state = state
        self._kept = kept
        self._known: OrderedDict[str, str | None] = OrderedDict()

    def get(self, key: str) -> str | None:
        if key in self._known:
            self._known.move_to_end(key)
            return self._known[key]
        value = self._state.get(key)
        self._remember(key, value)
        return value

    def set(self, key: str, value: str) -> None:
        self._known.pop(key, None)  # should the write fail, the next read asks the database
        self._state.set(key, value)
        self._remember(key, value)

    def _remember(self, key: str, value: str | None) -> None:
        self._known[key] = value
        self._known.move_to_end(key)
        while len(self._known) > self._kept:
            self._known.popitem(last=False)
