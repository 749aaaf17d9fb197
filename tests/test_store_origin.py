"""A store knows whether it holds fixture data or live data, and the demo can be removed from it whole, on
SQLite and PostgreSQL, keeping the conversations."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.agent.conversation_store import ConversationStore
from tools.sources.fixtures.sync import sync_fixtures
from tools.store.models import Base
from tools.sync.reference_writer import get_meta, set_meta
from tools.sync.store_origin import (
    fixture_business,
    fixture_sync_refusal,
    live_sources_in,
    live_sync_refusal,
    remove_business_data,
)
from tools.sync.sync_marks import advance_marks

# The conversations and their usage, the Slack events, the sync history, and the store's own facts.
KEPT = {
    "conversations",
    "turns",
    "messages",
    "tool_calls",
    "chat_events",
    "model_calls",
    "sync_runs",
    "store_meta",
}


def row_counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.scalar(select(func.count()).select_from(table))
            for name, table in Base.metadata.tables.items()
        }


def test_the_demo_is_recognized_and_removed_whole_keeping_conversations(engine, small_fixtures):
    report = sync_fixtures(engine, small_fixtures, anchor=False)
    assert report.failure is None
    ConversationStore(engine).ensure("c-1", "repl", "Top item yesterday?")
    name = get_meta(engine)["business_name"]
    assert fixture_business(engine) == f"{name}, from fixtures '{small_fixtures.name}'"
    assert live_sources_in(engine) == [] and fixture_sync_refusal(engine) is None
    assert live_sync_refusal(engine).startswith(f"the store holds {name}, from fixtures")
    before = row_counts(engine)

    assert remove_business_data(engine) == before["orders"] > 0
    after = row_counts(engine)
    assert {table for table, rows in after.items() if rows} <= KEPT
    assert after["conversations"] == before["conversations"] == 1
    assert set(get_meta(engine)) == {"rollups_version"}
    assert fixture_business(engine) is None and live_sync_refusal(engine) is None


def test_a_store_with_live_marks_refuses_fixtures(engine):
    assert fixture_sync_refusal(engine) is None
    advance_marks(engine, "square", ["L1"], datetime(2026, 11, 24, tzinfo=UTC))
    set_meta(engine, {"data_source": "square"})
    assert live_sources_in(engine) == ["square"]
    report = sync_fixtures(engine, "unused", anchor=False)
    assert (
        report.failure
        == fixture_sync_refusal(engine)
        == (
            "the store holds live data (square); fixtures loaded into it would be mixed with it — "
            "set DATABASE_URL to another database to try the demo"
        )
    )
