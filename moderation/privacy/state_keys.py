"""A platform adapter's personal data in the state store, found by key: each adapter names the keys it keeps per
account (a prefix + the account's id), and the AVG requests export and erase exactly those."""

from __future__ import annotations

from collections.abc import Sequence

from moderation.model import Platform
from moderation.ports import DataSubject, StateTable


class KeyedPersonalData:
    """A `PersonalDataHook` for the state entries `prefix + account id` of the subject's accounts on `platform`."""

    def __init__(self, platform: Platform, prefixes: Sequence[str]) -> None:
        self._platform = platform
        self._prefixes = tuple(prefixes)

    def export_person(self, subject: DataSubject, state: StateTable) -> Sequence[tuple[str, str]]:
        return [(key, value) for key in self._keys(subject) if (value := state.get(key)) is not None]

    def erase_person(self, subject: DataSubject, state: StateTable) -> int:
        removed = 0
        for key in self._keys(subject):
            if state.get(key) is not None:
                state.delete(key)
                removed += 1
        return removed

    def _keys(self, subject: DataSubject) -> list[str]:
        accounts = [account.id for account in subject.accounts if account.platform is self._platform]
        return [prefix + account for account in accounts for prefix in self._prefixes]
