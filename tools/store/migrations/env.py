"""Alembic environment: runs migrations on the connection the store opener hands in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from tools.store.models import Base

config = context.config
# Only autogenerate reads it: the business tables. The agent's tables (bot/agent/tables.py) join it when
# imported; tools never imports bot, so tests/test_migrations.py imports both and compares.
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        # `alembic` CLI use (e.g. autogenerate): a URL in sqlalchemy.url.
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.begin() as conn:
            context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
