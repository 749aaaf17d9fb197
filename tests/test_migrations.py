"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, text

import bot.agent.tables  # the agent's tables join Base.metadata…
import bot.feedback.tables  # …and the answers' votes…
import bot.insights.tables  # noqa: F401  (…and so do the scheduled brief posts)
from tests.payloads import DELIVERECT_IDS, TEST_LOCATIONS, deliverect_order
from tools.data_sources import installed_data_sources
from tools.sources.deliverect.ingest import store_deliverect_orders
from tools.store.database import (
    _alembic_config,
    current_revision,
    head_revision,
    migrate,
    normalize_url,
    open_store,
)
from tools.store.models import Base
from tools.sync.orders.writer import OrderWriter
from tools.sync.reference_writer import upsert_locations


def test_migrated_schema_matches_the_models(engine):
    """The core's models and every installed data-source plugin's tables, against what the migrations built
    (each plugin's version table is its migrations' bookkeeping, like alembic_version)."""
    plugins = installed_data_sources()
    version_tables = {source.version_table for source in plugins}
    metadata = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in [*Base.metadata.tables.values(), *(t for source in plugins for t in source.tables)]:
        table.to_metadata(metadata)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"include_name": lambda name, kind, _parent: kind != "table" or name not in version_tables},
        )
        diff = compare_metadata(context, metadata)
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


def test_a_store_from_before_the_courier_tip_split_rewrites_its_deliverect_orders_on_the_next_sync(engine):
    """Revision 0007 keeps the courier's tip out of the restaurant's: orders stored before it (tips counted
    together) are marked for rewriting, so the next delivery of the same payload stores them split."""
    upsert_locations(engine, TEST_LOCATIONS, DELIVERECT_IDS)
    body = deliverect_order("64f0000000000000000000c1", "2026-11-20T18:00:00Z", tip=150)
    body["driverTip"] = 400
    body["payment"]["amount"] += 400
    payloads = [("test", body)]
    assert store_deliverect_orders(OrderWriter(engine), payloads).inserted == 1
    migrate_down_and_up_around_0007(engine)
    with engine.begin() as conn:  # what a store written before 0007 held: both tips together
        conn.execute(text("UPDATE orders SET tips = 550"))
    assert stored_tips(engine) == (550, 0)
    again = store_deliverect_orders(OrderWriter(engine), payloads)
    assert (again.updated, again.unchanged) == (1, 0)
    assert stored_tips(engine) == (150, 400)
    assert store_deliverect_orders(OrderWriter(engine), payloads).unchanged == 1


def migrate_down_and_up_around_0007(engine) -> None:
    config = _alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0006")
    migrate(engine)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT payload_hash FROM orders")) == ""


def stored_tips(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return tuple(conn.execute(text("SELECT tips, courier_tips FROM orders")).one())
