"""Small fakes for unit tests of pure logic (platform paths have end-to-end tests against real servers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from moderation.model import Category, Classification, Evidence, Message
from moderation.ports import IncidentRef


@dataclass
class FixedClock:
    at: datetime = field(default_factory=lambda: datetime(2026, 11, 24, 9, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@dataclass
class KeywordClassifier:
    """Scores a category 0.95 when its keyword occurs; a stand-in for the real classifier in pipeline tests."""

    keywords: dict[str, Category] = field(
        default_factory=lambda: {"sukkel": Category.INSULT, "afmaken": Category.THREAT}
    )
    criminal_words: frozenset[str] = frozenset({"afmaken"})

    async def classify(self, text: str) -> Classification:
        scores = dict.fromkeys(self.keywords.values(), 0.0)
        evidence = []
        for word, category in self.keywords.items():
            if word in text.lower():
                scores[category] = 0.95
                evidence.append(Evidence(category, 0.95, f"keyword {word!r}", criminal=word in self.criminal_words))
        return Classification(tuple(scores.items()), tuple(evidence))


@dataclass
class RecordingEnforcer:
    """Remembers every call; `fail` names the calls that raise, like a platform that refuses."""

    fail: set[str] = field(default_factory=set)
    calls: list[tuple[str, str]] = field(default_factory=list)

    async def delete(self, message: Message, reason: str) -> None:
        self._call("delete", message.target_id)

    async def notify_sender(self, message: Message, text: str) -> None:
        self._call("notify", f"{message.author}: {text}")

    async def announce(self, incident: IncidentRef) -> None:
        self._call("announce", str(incident.id))

    def _call(self, name: str, detail: str) -> None:
        if name in self.fail:
            raise ConnectionError(f"{name} refused by the platform")
        self.calls.append((name, detail))

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]
