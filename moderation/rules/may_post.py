"""R10: who may post in a room. Outside announcement rooms everyone may; inside, the listed people and (if the
room says so) every staff member. The announcement_only rule acts on the answer."""

from __future__ import annotations

from moderation.directory import fold_id
from moderation.model import Person, Role
from moderation.policy import RoomPolicy


def may_post(policy: RoomPolicy, author: Person | None) -> bool:
    if not policy.is_announcement:
        return True
    if author is None:
        return False
    listed = fold_id(author.id) in {fold_id(p) for p in policy.posters}  # roster ids are case-insensitive
    return listed or (policy.staff_may_post and author.role is Role.STAFF)
