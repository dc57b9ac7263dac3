"""R7: someone reported a message. A report never deletes by itself: a person reviews it, seeing what the bot made
of the message too."""

from __future__ import annotations

from moderation.model import CATEGORIES, ActionKind, Category, Verdict


class Report:
    name = "report"

    def evaluate(self, judged: Verdict | None, reason: str) -> Verdict:
        """The report's verdict; `judged` is what the other rules found in the reported message (None: nothing)."""
        meaning = CATEGORIES[Category.REPORTED]
        said = f": {reason.strip()}" if reason.strip() else ""
        return Verdict(
            rule_id=meaning.rule_id,
            rule_name=self.name,
            category=Category.REPORTED,
            severity=max(meaning.severity, judged.severity) if judged else meaning.severity,
            score=1.0,
            explanation=f"reported by a member of the school{said}"
            + (f"; the bot also sees: {judged.explanation}" if judged else ""),
            actions=(ActionKind.FLAG,),
            criminal=judged.criminal if judged else False,
            scores=judged.scores if judged else (),
            excerpt=judged.excerpt if judged else None,
        )
