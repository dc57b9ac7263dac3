"""account links people make themselves: school e-mail addresses, pending codes, links and their history

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-01 11:20:28.031253
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_link_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=True),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("account_id", sa.String(length=255), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_link_history")),
    )
    with op.batch_alter_table("account_link_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_link_history_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_link_history_person_id"), ["person_id"], unique=False)

    op.create_table(
        "account_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("account_id", sa.String(length=255), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_account_links_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_links")),
        sa.UniqueConstraint("platform", "account_id", name="uq_account_links_account"),
    )
    with op.batch_alter_table("account_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_links_person_id"), ["person_id"], unique=False)

    op.create_table(
        "link_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("account_id", sa.String(length=255), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_link_requests_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_requests")),
        sa.UniqueConstraint("platform", "account_id", name="uq_link_requests_account"),
    )
    with op.batch_alter_table("link_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_link_requests_person_id"), ["person_id"], unique=False)

    op.create_table(
        "person_emails",
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_person_emails_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_person_emails")),
    )


def downgrade() -> None:
    op.drop_table("person_emails")
    with op.batch_alter_table("link_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_link_requests_person_id"))

    op.drop_table("link_requests")
    with op.batch_alter_table("account_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_links_person_id"))

    op.drop_table("account_links")
    with op.batch_alter_table("account_link_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_link_history_person_id"))
        batch_op.drop_index(batch_op.f("ix_account_link_history_at"))

    op.drop_table("account_link_history")
