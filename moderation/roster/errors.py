"""The one error a roster import raises: every problem found, with its file and row number."""

from __future__ import annotations


class RosterError(ValueError):
    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{source}: {len(problems)} problem(s), nothing was imported:\n{shown}{more}")
