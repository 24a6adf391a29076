"""The feed's search estimates from a larger sample: orders.search_text keeps 1,000
histogram entries (PostgreSQL's default is 100), so a word one order in a thousand holds is
not taken for one in a hundred and the feed reads the trigram index instead of walking the
time index through half the table (`webapp.market.models.SEARCH_TEXT_STATISTICS`).
PostgreSQL only.

Revision ID: market_0008
Revises: market_0007
Create Date: 2026-12-01 23:20:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "market_0008"
down_revision = "market_0007"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE orders ALTER COLUMN search_text SET STATISTICS 1000")
    op.execute("ANALYZE orders")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE orders ALTER COLUMN search_text SET STATISTICS -1")
