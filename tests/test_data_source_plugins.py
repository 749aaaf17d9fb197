"""Data-source plugins (tools/data_sources.py), with the bundled labor plugin as the real one: its own
migrations and version table, its tools in the registry, its rows removed with the business, and a core that
keeps working when the plugin is not installed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from opsbot_labor import PLUGIN
from opsbot_labor.records import ItemCostRecord
from opsbot_labor.shift_store import write_item_costs
from opsbot_labor.tables import item_costs
from sqlalchemy import func, inspect, select, text

import tools.data_sources as data_sources
import tools.registry as registry_module
from tests.conftest import FIXED_NOW
from tools.data_sources import FixtureLoad, SourceError, installed_data_sources
from tools.registry import ToolRegistry, load_plugins
from tools.sources.fixtures.sync import sync_fixtures
from tools.store.database import head_revision, open_store, plugin_head_revision, plugin_revision
from tools.store.models import Location
from tools.sync.store_origin import remove_business_data

LABOR_TABLES = {"labor_shifts", "labor_shift_hours", "labor_item_costs"}


def _without_labor(monkeypatch) -> None:
    """As if opsbot-labor were uninstalled: its entry point is gone from every lookup."""
    real = data_sources.entry_points

    def entry_points(**selection):
        return [ep for ep in real(**selection) if ep.name != "labor"]

    monkeypatch.setattr(data_sources, "entry_points", entry_points)
    monkeypatch.setattr(registry_module, "entry_points", entry_points)


def test_the_labor_plugin_is_a_data_source_with_its_tools_registered():
    assert [source.name for source in installed_data_sources()] == ["labor"]
    registry = ToolRegistry()
    assert "labor" in load_plugins(registry)
    labor = {tool.name for tool in registry.tools() if tool.source == "labor"}
    assert labor == {"labor_report", "labor_shifts", "prime_cost", "menu_engineering"}


def test_its_tables_come_from_its_own_migrations_and_version_table(engine):
    tables = set(inspect(engine).get_table_names())
    assert LABOR_TABLES | {"opsbot_labor_version"} <= tables
    assert plugin_revision(engine, PLUGIN) == plugin_head_revision(PLUGIN)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [
            head_revision()
        ]


def test_without_the_plugin_the_core_opens_a_store_holding_its_tables_and_loses_only_its_tools(
    store_url, small_fixtures, monkeypatch
):
    open_store(store_url).dispose()  # migrated with the plugin installed: its tables exist
    _without_labor(monkeypatch)
    assert installed_data_sources() == []
    registry = ToolRegistry()
    assert load_plugins(registry) == ["builtin"]
    assert not any(tool.name.startswith("labor") for tool in registry.tools())
    engine = open_store(store_url)
    try:
        report = sync_fixtures(engine, small_fixtures, anchor=False, now=FIXED_NOW)
        assert report.failure is None and sum(s.counts.seen for s in report.stages[1:]) > 0
    finally:
        engine.dispose()


def test_replacing_the_demo_removes_the_plugins_rows_too(engine, small_fixtures):
    sync_fixtures(engine, small_fixtures, anchor=False, now=FIXED_NOW)
    with engine.begin() as conn:
        location_id = conn.scalar(select(Location.id).limit(1))
        write_item_costs(
            conn, [ItemCostRecord("test", "Classic Burger", location_id, date(2026, 11, 1), 400, "USD")]
        )
    remove_business_data(engine)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(item_costs)) == 0
        assert conn.scalar(select(func.count()).select_from(Location)) == 0


def test_a_plugin_that_cannot_load_its_fixtures_fails_only_its_own_part(engine, small_fixtures, monkeypatch):
    def broken(load: FixtureLoad) -> list[str]:
        raise SourceError(f"{load.folder.name}/labor/timecards.jsonl.gz line 3: not valid JSON")

    from dataclasses import replace

    monkeypatch.setattr(
        "tools.sources.fixtures.sync.installed_data_sources", lambda: [replace(PLUGIN, load_fixtures=broken)]
    )
    report = sync_fixtures(engine, small_fixtures, anchor=False, now=datetime(2026, 11, 24, tzinfo=UTC))
    assert report.failure is None
    assert f"labor: {small_fixtures.name}/labor/timecards.jsonl.gz line 3: not valid JSON" in report.notes


@pytest.mark.parametrize("value", ["abc", "0", "200"])
def test_a_bad_overtime_setting_is_a_tool_error_naming_it(value, engine, small_fixtures):
    from tools.analytics.readonly import open_readonly
    from tools.registry import ToolContext

    sync_fixtures(engine, small_fixtures, anchor=False, now=FIXED_NOW)
    registry = ToolRegistry()
    for function in PLUGIN.tools:
        registry.register(function, source="labor")
    readonly = open_readonly(engine.url.render_as_string(hide_password=False))
    context = ToolContext(
        engine=readonly, today=FIXED_NOW.date(), options={"OPSBOT_LABOR_OVERTIME_HOURS": value}
    )
    result = registry.call("labor_report", {}, context)
    readonly.dispose()
    assert not result.ok and result.error.startswith(f"labor settings: OPSBOT_LABOR_OVERTIME_HOURS={value!r}")


def test_replacing_the_demo_works_after_the_plugin_is_uninstalled(engine, small_fixtures, monkeypatch):
    """Its rows refer to locations: the core finds such tables in the database and empties them first."""
    from opsbot_labor.records import ShiftRecord
    from opsbot_labor.shift_store import store_shifts
    from opsbot_labor.tables import shift_hours, shifts

    sync_fixtures(engine, small_fixtures, anchor=False, now=FIXED_NOW)
    with engine.connect() as conn:
        location_id = conn.scalar(select(Location.id).limit(1))
    start = datetime(2026, 11, 3, 14, tzinfo=UTC)
    store_shifts(
        engine,
        [
            ShiftRecord("test", "s1", location_id, "America/New_York", "ana", "Ana", "Cook", start,
                        start.replace(hour=20), 2000, "USD")
        ],
    )  # fmt: skip
    _without_labor(monkeypatch)
    assert remove_business_data(engine) > 0
    with engine.connect() as conn:
        for table in (shift_hours, shifts, Location):
            assert conn.scalar(select(func.count()).select_from(table)) == 0
