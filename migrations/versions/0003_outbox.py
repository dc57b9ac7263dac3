"""the outbox of owed incident actions; incident numbers never reused on SQLite (AUTOINCREMENT)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 08:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "incident_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_outbox_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_outbox")),
        sa.UniqueConstraint("incident_id", "kind", "target", name="uq_incident_outbox_action"),
    )
    with op.batch_alter_table("incident_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_outbox_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index("ix_incident_outbox_status_platform", ["status", "platform"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        # SQLite hands out max(id)+1 without AUTOINCREMENT, so an erased highest incident's number came back.
        # The table is rebuilt with AUTOINCREMENT (its sqlite_sequence starts at the highest number in use).
        with op.batch_alter_table(
            "incidents", schema=None, recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            "incidents", schema=None, recreate="always", table_kwargs={"sqlite_autoincrement": False}
        ):
            pass
    with op.batch_alter_table("incident_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_outbox_status_platform")
        batch_op.drop_index(batch_op.f("ix_incident_outbox_incident_id"))
    op.drop_table("incident_outbox")
