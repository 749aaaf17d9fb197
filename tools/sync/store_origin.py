"""Where a store's business data came from — a fixture folder (the demo) or live accounts — so that the two
are never mixed: a demo location answering next to a real one would make every total wrong."""

from __future__ import annotations

from sqlalchemy import Engine, MetaData, Table, delete, exists, func, inspect, select

from tools.data_sources import installed_data_sources
from tools.store.models import (
    Base,
    Location,
    MenuItem,
    Order,
    OrderDiscount,
    OrderLineItem,
    OrderLineModifier,
    Payment,
    PlatformCommissionRate,
    Refund,
    StoreMeta,
    SyncMark,
)
from tools.store.rollups import ROLLUP_TABLES
from tools.sync.reference_writer import get_meta

FIXTURES_PREFIX = "fixtures:"
# Facts a sync wrote about the business it loaded; removed with that business.
BUSINESS_META_KEYS = ("data_source", "business_name", "business_description", "demo_shift_days")


def fixture_business(engine: Engine) -> str | None:
    """What the store holds from a fixture folder ("Copperline Kitchen, from fixtures 'demo'"); None when it
    holds none."""
    meta = get_meta(engine)
    source = meta.get("data_source", "")
    if not source.startswith(FIXTURES_PREFIX) or not _has(engine, Location):
        return None
    name = meta.get("business_name") or "a fixture business"
    return f"{name}, from fixtures '{source.removeprefix(FIXTURES_PREFIX)}'"


def live_sources_in(engine: Engine) -> list[str]:
    """The live sources (``square``, ``deliverect``) that have synced into the store."""
    with engine.connect() as conn:
        sources = set(conn.scalars(select(SyncMark.source).distinct()))
    if get_meta(engine).get("data_source") == "square":
        sources.add("square")
    return sorted(sources)


def remove_business_data(engine: Engine) -> int:
    """Delete every order, location, menu item, commission rate, rollup and sync mark, every installed
    data-source plugin's rows, and those of any other table that refers to a location (the tables of a
    plugin no longer installed) — in one
    transaction — keeping the conversations, their usage, the Slack events and the sync history
    (``sync_runs``). Returns the number of orders removed."""
    with engine.begin() as conn:
        orders = conn.scalar(select(func.count()).select_from(Order)) or 0
        declared = [table for plugin in installed_data_sources() for table in plugin.tables]
        for plugin_table in declared:  # children first, as each plugin lists them
            conn.execute(delete(plugin_table))
        for plugin_table in _tables_referring_to_locations(conn):  # an uninstalled plugin's, say
            if plugin_table.name not in {table.name for table in declared}:
                conn.execute(delete(plugin_table))
        for table in (
            *ROLLUP_TABLES,
            OrderLineModifier,
            OrderLineItem,
            OrderDiscount,
            Payment,
            Refund,
        ):
            conn.execute(delete(table))
        for table in (Order, MenuItem, PlatformCommissionRate, Location, SyncMark):
            conn.execute(delete(table))
        conn.execute(delete(StoreMeta).where(StoreMeta.key.in_(BUSINESS_META_KEYS)))
    return orders


def _tables_referring_to_locations(conn) -> list[Table]:
    """Tables outside the core's models whose rows refer to a location, directly or through another such
    table, children first — read from the database itself, so a plugin that was uninstalled after storing
    rows does not block removing the business."""
    core = set(Base.metadata.tables)
    names = [name for name in inspect(conn).get_table_names() if name not in core]
    reflected = MetaData()
    reflected.reflect(conn, only=names)
    referring: set[str] = set()
    changed = True
    while changed:
        changed = False
        for table in reflected.tables.values():
            targets = {fk.column.table.name for fk in table.foreign_keys if fk.column is not None}
            if table.name not in referring and targets & ({"locations"} | referring):
                referring.add(table.name)
                changed = True
    return [table for table in reversed(reflected.sorted_tables) if table.name in referring]


def _has(engine: Engine, model) -> bool:
    with engine.connect() as conn:
        return bool(conn.scalar(select(exists().select_from(model))))


def live_sync_refusal(engine: Engine) -> str | None:
    """Why a live source must not sync into this store (it holds fixture data); None when it may."""
    fixtures = fixture_business(engine)
    if fixtures is None:
        return None
    return (
        f"the store holds {fixtures}; live data would be mixed with it — run `opsbot sync --replace-demo` "
        "to remove it from this store first (conversations are kept), or set DATABASE_URL to a new database"
    )


def fixture_sync_refusal(engine: Engine) -> str | None:
    """Why fixtures must not be loaded into this store (it holds live data); None when they may."""
    live = live_sources_in(engine)
    if not live:
        return None
    return (
        f"the store holds live data ({', '.join(live)}); fixtures loaded into it would be mixed with it — "
        "set DATABASE_URL to another database to try the demo"
    )
