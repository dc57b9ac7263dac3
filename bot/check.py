"""`schoolwacht check TEXT`: judge one message as if posted in a room of the given kind, and say why."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table

from bot.app import build_classifier, room_policy
from bot.settings import RoomSettings, Settings
from bot.texts.nl import DUTCH
from moderation.judge import Judge
from moderation.model import AccountId, EventId, Message, Platform, RoomId, RoomKind
from moderation.rules import ALL_RULES


def run_check(settings: Settings, text: str, kind: str, out: Console) -> None:
    room_kind = RoomKind(kind)
    policy = room_policy(settings, RoomSettings(platform="console", id="check", name="check", kind=room_kind.value))
    classifier = build_classifier(settings)
    judge = Judge(ALL_RULES, classifier, notices=DUTCH.notices)
    message = Message(
        Platform.CONSOLE, RoomId("check"), EventId("check"), AccountId("someone"), text, datetime.now(UTC)
    )

    async def judge_once() -> None:
        classification, error = await judge.classify(text)
        verdict = await judge.judge(message, policy, author=None)
        if classification is not None:
            table = Table("category", "score", "threshold")
            for category, score in classification.scores:
                table.add_row(category.value, f"{score:.2f}", f"{policy.thresholds.get(category, 1.0):.2f}")
            out.print(table)
            for evidence in classification.evidence:
                out.print(f"  • {evidence.category.value}: {evidence.explanation}", markup=False)
            if classification.note:
                out.print(f"  note: {classification.note}", markup=False)
        if error:
            out.print(f"  classifier error: {error}", markup=False)
        if verdict is None:
            out.print("verdict: ok — nothing to act on")
        else:
            actions = ", ".join(a.value for a in verdict.actions)
            out.print(
                f"verdict: {verdict.rule_id} {verdict.category.value} (severity {verdict.severity.name.lower()}, "
                f"score {verdict.score:.2f}) → {actions}",
                markup=False,
            )
            out.print(f"why: {verdict.explanation}", markup=False)
            if verdict.notice:
                out.print(f"the writer reads: {verdict.notice}", markup=False)

    asyncio.run(judge_once())
    close = getattr(classifier, "close", None)
    if callable(close):
        close()
