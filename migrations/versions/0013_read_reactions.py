"""the reactions that carry a read confirmation (Matrix), so that removing the last one withdraws it

Confirmations taken before this revision have no reactions on record: they stay counted.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 18:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "announcement_read_reactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("read_id", sa.Integer(), nullable=False),
        sa.Column("reaction", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["read_id"],
            ["announcement_reads.id"],
            name=op.f("fk_announcement_read_reactions_read_id_announcement_reads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_read_reactions")),
        sa.UniqueConstraint("reaction", name=op.f("uq_announcement_read_reactions_reaction")),
    )
    with op.batch_alter_table("announcement_read_reactions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_announcement_read_reactions_read_id"), ["read_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("announcement_read_reactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_announcement_read_reactions_read_id"))
    op.drop_table("announcement_read_reactions")
