"""several mentors per student: people.mentor_id becomes the person_mentors table

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-01 08:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person_mentors",
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("mentor_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_person_mentors_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("person_id", "mentor_id", name=op.f("pk_person_mentors")),
    )
    with op.batch_alter_table("person_mentors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_mentors_mentor_id"), ["mentor_id"], unique=False)
    op.execute(
        "INSERT INTO person_mentors (person_id, mentor_id, position) "
        "SELECT id, mentor_id, 0 FROM people WHERE mentor_id IS NOT NULL AND mentor_id <> ''"
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("mentor_id")


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mentor_id", sa.String(length=64), nullable=True))
    # One mentor per person before this revision: the first one stays.
    op.execute(
        "UPDATE people SET mentor_id = (SELECT m.mentor_id FROM person_mentors m "
        "WHERE m.person_id = people.id ORDER BY m.position LIMIT 1)"
    )
    with op.batch_alter_table("person_mentors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_mentors_mentor_id"))
    op.drop_table("person_mentors")
