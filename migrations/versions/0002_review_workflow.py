"""review workflow: targets, repeated-targeting cases, escalation, outcome, retention; the scheduler's job table

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 15:24:20.533322
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.Unicode(length=191), nullable=False),
        sa.Column("next_run_time", sa.Float(precision=25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apscheduler_jobs")),
    )
    with op.batch_alter_table("apscheduler_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_apscheduler_jobs_next_run_time"), ["next_run_time"], unique=False)

    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("target_person_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("target_account", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("case_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("escalation", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("resolution_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("measure", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("parents_informed", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_incidents_author_target", ["author_person_id", "target_person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_target_person_id"), ["target_person_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_incidents_case_id_incidents"), "incidents", ["case_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_incidents_case_id_incidents"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_incidents_target_person_id"))
        batch_op.drop_index(batch_op.f("ix_incidents_case_id"))
        batch_op.drop_index("ix_incidents_author_target")
        batch_op.drop_column("erased_at")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("parents_informed")
        batch_op.drop_column("measure")
        batch_op.drop_column("resolution_note")
        batch_op.drop_column("escalation")
        batch_op.drop_column("case_id")
        batch_op.drop_column("target_account")
        batch_op.drop_column("target_person_id")

    with op.batch_alter_table("apscheduler_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_apscheduler_jobs_next_run_time"))

    op.drop_table("apscheduler_jobs")
