"""R10: staff do not join student-run group chats. A staff member who joins one (or is found in one at start) is
recorded for their manager and gets a short, polite note that quotes the rule. A room can be exempted."""

from __future__ import annotations

from moderation.model import ActionKind, Category, MemberChange, MemberChangeKind, Role, RoomKind, Severity, Verdict
from moderation.rules.base import MemberContext


class StaffInStudentRoom:
    name = "staff_in_student_room"

    def evaluate(self, change: MemberChange, context: MemberContext) -> Verdict | None:
        policy, member = context.policy, context.member
        if policy is None or policy.room.kind is not RoomKind.STUDENT_RUN or policy.staff_may_join:
            return None
        if change.kind is MemberChangeKind.RENAMED or member is None or member.role is not Role.STAFF:
            return None
        found = "is in" if change.kind is MemberChangeKind.PRESENT else "joined"
        return Verdict(
            rule_id="R10",
            rule_name=self.name,
            category=Category.STAFF_IN_STUDENT_ROOM,
            severity=Severity.LOW,
            score=1.0,
            explanation=f"staff member {member.name} {found} the student-run room #{policy.room.name}",
            actions=(ActionKind.FLAG, ActionKind.NOTIFY_SENDER),
            notice=context.notices.staff_in_student_room(policy.room.name),
        )
