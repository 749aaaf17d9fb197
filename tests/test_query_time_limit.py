"""The read-only analytics engine stops a statement that runs past its time limit, on SQLite and PostgreSQL;
the tool returns an error the model can act on and the connection stays usable."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, text

from bot.application import Application
from bot.settings import SettingsError, load_settings
from tools.analytics.readonly import DEFAULT_QUERY_TIMEOUT_SECONDS, open_readonly
from tools.registry import ToolContext, ToolRegistry

# A billion rows: many seconds on either backend, so a tiny limit always stops it first — and should the limit
# ever not work, the test fails when the count arrives instead of hanging.
SLOW_COUNT = (
    "WITH RECURSIVE numbers(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM numbers WHERE n < 1000000000) "
    "SELECT count(*) FROM numbers"
)
STOPPED = "the query took longer than 0.2 s and was stopped — ask for a shorter period or fewer breakdowns"


def count_a_billion(ctx: ToolContext) -> dict:
    """Counts to a billion in SQL (far slower than the limit)."""
    with ctx.engine.connect() as conn:
        return {"count": conn.execute(text(SLOW_COUNT)).scalar()}


def count_orders(ctx: ToolContext) -> dict:
    """Counts the stored orders (instant)."""
    with ctx.engine.connect() as conn:
        return {"orders": conn.execute(text("SELECT count(*) FROM orders")).scalar()}


@pytest.fixture
def registry() -> ToolRegistry:
    registry = ToolRegistry()
    registry.register(count_a_billion)
    registry.register(count_orders)
    return registry


def test_a_slow_statement_is_stopped_and_the_connection_reused(engine, registry):
    readonly = open_readonly(engine.url.render_as_string(hide_password=False), query_timeout_seconds=0.2)
    connections = []
    event.listen(readonly, "connect", lambda dbapi_connection, _record: connections.append(dbapi_connection))
    context = ToolContext(engine=readonly, today=date(2026, 11, 24))
    try:
        stopped = registry.call("count_a_billion", {}, context)
        assert (stopped.ok, stopped.error) == (False, STOPPED)
        after = registry.call("count_orders", {}, context)
        assert (after.ok, after.content) == (True, {"orders": 0})
        assert len(connections) == 1, "the stopped statement's connection was thrown away, not reused"
        again = registry.call("count_a_billion", {}, context)
        assert again.error == STOPPED  # the limit applies to every statement, not just the first
    finally:
        readonly.dispose()


def test_the_applications_tool_context_has_the_limit(tmp_path, registry):
    environ = {"DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}", "OPSBOT_QUERY_TIMEOUT_SECONDS": "0.2"}
    app = Application(load_settings(env_file=None, environ=environ))
    try:
        context = app.tool_context(date(2026, 11, 24))
        assert registry.call("count_a_billion", {}, context).error == STOPPED
    finally:
        app.close()


def test_the_limit_is_a_setting_with_the_engine_default():
    assert load_settings(env_file=None, environ={}).query_timeout_seconds == DEFAULT_QUERY_TIMEOUT_SECONDS
    environ = {"OPSBOT_QUERY_TIMEOUT_SECONDS": "2.5"}
    assert load_settings(env_file=None, environ=environ).query_timeout_seconds == 2.5
    with pytest.raises(SettingsError, match="OPSBOT_QUERY_TIMEOUT_SECONDS='0' is out of range"):
        load_settings(env_file=None, environ={"OPSBOT_QUERY_TIMEOUT_SECONDS": "0"})
