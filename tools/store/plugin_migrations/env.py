"""Alembic environment for a data-source plugin's migrations: its revisions live in the plugin's package
(``version_locations``) and are recorded in its own version table, on the connection the store opener
hands in (see tools/data_sources.py)."""

from __future__ import annotations

from alembic import context

config = context.config
context.configure(
    connection=config.attributes["connection"],
    target_metadata=None,
    version_table=config.attributes["version_table"],
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
