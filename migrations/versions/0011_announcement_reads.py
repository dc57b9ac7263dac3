"""read confirmations ("Gelezen ✓") on staff announcements: which posts ask for one, one row per reader per post

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 14:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("announcement_posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("asks_read", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index("ix_announcement_posts_message", ["platform", "room_id", "message_id"], unique=False)

    op.create_table(
        "announcement_reads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("reader", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["announcement_posts.id"],
            name=op.f("fk_announcement_reads_post_id_announcement_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_reads")),
        sa.UniqueConstraint("post_id", "reader", name="uq_announcement_reads_reader"),
    )
    with op.batch_alter_table("announcement_reads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_announcement_reads_post_id"), ["post_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("announcement_reads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_announcement_reads_post_id"))
    op.drop_table("announcement_reads")
    with op.batch_alter_table("announcement_posts", schema=None) as batch_op:
        batch_op.drop_index("ix_announcement_posts_message")
        batch_op.drop_column("asks_read")
