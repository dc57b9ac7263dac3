"""A state store in memory, for unit tests of pure logic that keep state (the real one is a database table)."""

from __future__ import annotations


class MemoryState:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def set(self, key: str, value: str) -> None:
        self.values[key] = value
