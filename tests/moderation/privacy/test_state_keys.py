"""An adapter's keyed state entries: exactly the subject's own, on the adapter's platform, exported and erased."""

from __future__ import annotations

from collections.abc import Sequence

from moderation.model import Account, AccountId, Platform
from moderation.ports import DataSubject
from moderation.privacy.state_keys import KeyedPersonalData


class DictState:
    def __init__(self, entries: dict[str, str]) -> None:
        self.entries = dict(entries)

    def get(self, key: str) -> str | None:
        return self.entries.get(key)

    def set(self, key: str, value: str) -> None:
        self.entries[key] = value

    def delete(self, key: str) -> None:
        del self.entries[key]

    def keys(self, prefix: str) -> Sequence[str]:
        return sorted(k for k in self.entries if k.startswith(prefix))


LISA = DataSubject(
    None, (Account(Platform.MATRIX, AccountId("@lisa:school.nl")), Account(Platform.DISCORD, AccountId("42")))
)
STATE = {
    "x.dm.@lisa:school.nl": "!room",
    "x.plan.@lisa:school.nl": "{}",
    "x.dm.@tom:school.nl": "!other",  # someone else
    "x.dm.42": "!wrong-platform",  # the Discord id under a Matrix prefix is not hers on Matrix
}


def test_the_export_holds_the_subjects_entries_on_its_platform_only() -> None:
    hook = KeyedPersonalData(Platform.MATRIX, ["x.dm.", "x.plan."])
    assert sorted(hook.export_person(LISA, DictState(STATE))) == [
        ("x.dm.@lisa:school.nl", "!room"),
        ("x.plan.@lisa:school.nl", "{}"),
    ]


def test_the_erasure_removes_those_and_counts_them() -> None:
    state = DictState(STATE)
    assert KeyedPersonalData(Platform.MATRIX, ["x.dm.", "x.plan."]).erase_person(LISA, state) == 2
    assert sorted(state.entries) == ["x.dm.42", "x.dm.@tom:school.nl"]
    assert KeyedPersonalData(Platform.MATRIX, ["x.dm.", "x.plan."]).erase_person(LISA, state) == 0
