"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import bot.agent.tables  # noqa: F401  (the agent's tables join Base.metadata)
from tools.store.database import current_revision, head_revision, normalize_url, open_store
from tools.store.models import Base


def test_migrated_schema_matches_the_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert current_revision(engine) == head_revision()


def test_opening_a_migrated_store_again_is_a_no_op(store_url):
    first = open_store(store_url)
    first.dispose()
    second = open_store(store_url)
    assert current_revision(second) == head_revision()
    second.dispose()


def test_postgres_urls_people_paste_use_the_psycopg_driver():
    assert normalize_url("postgres://u:p@db:5432/ops") == "postgresql+psycopg://u:p@db:5432/ops"
    assert normalize_url("postgresql://u@db/ops") == "postgresql+psycopg://u@db/ops"
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"
