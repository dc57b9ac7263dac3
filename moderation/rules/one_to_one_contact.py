"""R9: students and staff have no one-to-one contact on social media, unless education requires it
("wanneer dit vanuit onderwijsdoeleinden noodzakelijk is": a list of exceptions in the settings). Where the bot can
see rooms from the homeserver's side (a school's own Matrix server), a room with exactly one staff member and one
student is reported to school leadership — the room and the two people, never a word of what was said."""

from __future__ import annotations

from moderation.model import ActionKind, Category, PrivateRoom, Role, Severity, Verdict
from moderation.rules.base import RoomContext


class OneToOneContact:
    name = "one_to_one_contact"

    def evaluate(self, room: PrivateRoom, context: RoomContext) -> Verdict | None:
        people = context.people
        if len(room.members) != 2 or len(people) != 2 or any(p is None for p in people):
            return None
        staff = [p for p in people if p is not None and p.role is Role.STAFF]
        students = [p for p in people if p is not None and p.role is Role.STUDENT]
        if len(staff) != 1 or len(students) != 1:
            return None
        pair = f"{staff[0].id}/{students[0].id}"
        if room.room_id in context.exceptions or pair.casefold() in context.exceptions:
            return None
        return Verdict(
            rule_id="R9",
            rule_name=self.name,
            category=Category.ONE_TO_ONE,
            severity=Severity.LOW,
            score=1.0,
            explanation=(
                f"a room with only staff member {staff[0].name} and student {students[0].name} "
                f'(allow it for education with one_to_one_exceptions = ["{pair}"])'
            ),
            actions=(ActionKind.FLAG,),
        )
