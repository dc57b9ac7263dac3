"""announcement posts (what was posted where, for which version) and their log

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 09:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "announcement_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=True),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("room_id", sa.String(length=255), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("wanted", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=True),
        sa.Column("posted_text", sa.Text(), nullable=True),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("sending_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_posts")),
        sa.UniqueConstraint("source", "key", "platform", "room_id", name="uq_announcement_posts_place"),
    )
    with op.batch_alter_table("announcement_posts", schema=None) as batch_op:
        batch_op.create_index("ix_announcement_posts_status_next", ["status", "next_try_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_announcement_posts_starts_at"), ["starts_at"], unique=False)
    op.create_table(
        "announcement_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["announcement_posts.id"],
            name=op.f("fk_announcement_log_post_id_announcement_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_log")),
    )
    with op.batch_alter_table("announcement_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_announcement_log_post_id"), ["post_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("announcement_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_announcement_log_post_id"))
    op.drop_table("announcement_log")
    with op.batch_alter_table("announcement_posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_announcement_posts_starts_at"))
        batch_op.drop_index("ix_announcement_posts_status_next")
    op.drop_table("announcement_posts")
