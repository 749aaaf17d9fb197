"""Tool results reach the model with their row lists as ``{"columns", "rows"}`` tables
(tools/result_tables.py) while the tools' content keeps rows as dicts, and everything that reads stored
results — the follow-up's model, provenance, the sources line, the trace, the feedback export — reads
results stored either way."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.agent.answer_sources import sources_of
from bot.agent.context_budget import tool_results
from bot.agent.scripted_model import ScriptedModel, call, say
from bot.agent.trace_report import render_trace
from bot.feedback.export import headline_paths
from tests.agent_harness import agent_on
from tools.registry import ToolResult
from tools.result_tables import compact_tables, expand_tables, parse_result

sqlite_only = pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)

LOCATIONS = ["Location 1 (Downtown)", "Location 2 (Harbor)", "Location 3 (Uptown)", "Location 4 (Sunset)"]
MEASURES = ["orders", "gross_sales", "discounts", "net_sales", "tax", "tips", "total_collected"]


def as_dicts(result: ToolResult) -> str:
    """A result's JSON as the version before tables sent and stored it: rows as dicts."""
    return json.dumps(result.content, separators=(",", ":"), ensure_ascii=False, default=str)


def without(value: dict, key: str) -> dict:
    return {k: v for k, v in value.items() if k != key}


# --- the shape the model reads ------------------------------------------------------------------------------


@sqlite_only
def test_a_breakdown_reaches_the_model_as_columns_and_rows_with_the_contents_values(call):
    result = call.registry.call(
        "sales_report", {"period": "last week", "group_by": ["location"]}, call.context
    )
    assert result.ok, result.error
    rows = result.content["rows"]
    columns = ["location", *MEASURES, "average_ticket", "share_percent"]
    assert [row["location"] for row in rows] == LOCATIONS and all(list(row) == columns for row in rows)
    sent = json.loads(result.to_json())
    assert sent["rows"] == {"columns": columns, "rows": [[row[c] for c in columns] for row in rows]}
    assert sent["rows"]["rows"][1][:2] == ["Location 2 (Harbor)", rows[1]["orders"]]
    assert without(sent, "rows") == without(json.loads(as_dicts(result)), "rows")  # the rest as it was
    assert parse_result(result.to_json()) == result.content
    assert len(result.to_json()) < 0.9 * len(as_dicts(result))


def test_lists_of_dicts_at_any_depth_become_tables_and_other_lists_stay():
    content = {
        "period": {"start": "2026-11-16", "end": "2026-11-22"},
        "timezone": ["America/New_York"],
        "rows": [
            {"location": "Harbor", "orders": 3, "lines": [{"item": "Fries", "qty": 2}]},
            {"location": "Downtown", "orders": 4, "versus Harbor": {"orders": {"change": 1}}, "lines": []},
        ],
        "refunds": {"count": 0, "top_reasons": []},
        "blank": [{}, {}],
    }
    assert compact_tables(content) == {
        "period": {"start": "2026-11-16", "end": "2026-11-22"},
        "timezone": ["America/New_York"],
        "rows": {
            "columns": ["location", "orders", "lines", "versus Harbor"],
            "rows": [
                ["Harbor", 3, {"columns": ["item", "qty"], "rows": [["Fries", 2]]}, None],
                ["Downtown", 4, [], {"orders": {"change": 1}}],
            ],
        },
        "refunds": {"count": 0, "top_reasons": []},
        "blank": [{}, {}],
    }
    expanded = expand_tables(json.loads(json.dumps(compact_tables(content))))
    assert expanded["rows"][0] == {**content["rows"][0], "versus Harbor": None}  # the key it lacked: None
    assert without(expanded, "rows") == without(content, "rows") and expanded["rows"][1] == content["rows"][1]


def test_a_value_every_row_shares_is_written_once_from_three_rows_on():
    basis = "net sales of the whole row, every role"
    rows = [
        {"role": role, "location": "Harbor", "labor_percent": pct, "overtime_hours": 0.0, "basis": basis}
        for role, pct in (("Cook", 12.5), ("Cashier", 3.1), ("Manager", 8.0))
    ]
    assert compact_tables(rows) == {
        "columns": ["role", "labor_percent"],
        "rows": [["Cook", 12.5], ["Cashier", 3.1], ["Manager", 8.0]],
        "same": {"location": "Harbor", "overtime_hours": 0.0, "basis": basis},
    }
    assert expand_tables(compact_tables(rows)) == rows
    assert compact_tables(rows[:2])["columns"] == [
        "role",
        "location",
        "labor_percent",
        "overtime_hours",
        "basis",
    ]
    mixed = [{"n": 1}, {"n": 1.0}, {"n": True}]  # equal in Python, not the same cell
    assert compact_tables(mixed) == {"columns": ["n"], "rows": [[1], [1.0], [True]]}


# --- property: the compaction round-trips ----------------------------------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**15), max_value=10**15)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
KEYS = st.text(min_size=1, max_size=8)


@st.composite
def same_keyed_rows(draw) -> list[dict]:
    keys = draw(st.lists(KEYS, min_size=1, max_size=6, unique=True))
    return draw(st.lists(st.fixed_dictionaries({key: SCALARS for key in keys}), max_size=30))


def through_json(value: object) -> object:
    return json.loads(json.dumps(compact_tables(value), ensure_ascii=False))


@settings(max_examples=300, deadline=None)
@given(rows=same_keyed_rows())
def test_rows_sharing_their_keys_come_back_exactly(rows):
    assert expand_tables(through_json(rows)) == rows


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.dictionaries(KEYS, SCALARS, max_size=5), max_size=20))
def test_any_flat_rows_come_back_with_none_where_a_row_lacked_a_key(rows):
    back = expand_tables(through_json(rows))
    if not any(rows):
        assert back == rows  # no keys at all: left a list
        return
    keys = list(dict.fromkeys(key for row in rows for key in row))
    assert back == [{key: row.get(key) for key in keys} for row in rows]


NOT_TABLE_KEYS = KEYS.filter(lambda key: key not in ("columns", "rows", "same"))
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(NOT_TABLE_KEYS, inner, max_size=4)
        | st.lists(st.fixed_dictionaries({"a": inner, "b": inner}), min_size=1, max_size=5)
    ),
    max_leaves=30,
)


def filled(value: object) -> object:
    """``value`` with each list of dicts (not all empty) given every key of its rows, None where a row lacked
    one — what the model's tables say."""
    if isinstance(value, dict):
        return {key: filled(item) for key, item in value.items()}
    if isinstance(value, list):
        if value and all(isinstance(row, dict) for row in value) and any(value):
            keys = list(dict.fromkeys(key for row in value for key in row))
            return [{key: filled(row.get(key)) for key in keys} for row in value]
        return [filled(item) for item in value]
    return value


@settings(max_examples=300, deadline=None)
@given(value=JSON_VALUES)
def test_nested_results_come_back_as_their_tables_say(value):
    """Exactly, where every list of dicts shares its keys (``filled(value) == value``)."""
    assert expand_tables(through_json(value)) == filled(value)


# --- readers of stored results: either shape ----------------------------------------------------------------


def old_to_json(self: ToolResult) -> str:
    """``ToolResult.to_json`` as the version before tables wrote it."""
    return as_dicts(self) if self.ok else json.dumps({"error": self.error}, ensure_ascii=False)


@sqlite_only
@pytest.mark.parametrize("stored_as", ["dicts", "tables"])
def test_a_follow_up_reads_the_earlier_turns_rows_stored_either_way(demo_store, monkeypatch, stored_as):
    """The first question is answered (and stored) by the version before tables or by this one; the
    follow-up's model quotes a row of that earlier result, and provenance and the trace find it."""
    engine, _ = demo_store

    def harbor(request):
        earlier = [
            r for m in request.messages if m["role"] == "user" for r, _ in tool_results(m) if "rows" in r
        ]
        row = earlier[-1]["rows"][1]
        return say(f"{row['location']}: {row['net_sales']} net from {row['orders']:,} orders.")

    script = [call("sales_report", period="last week", group_by=["location"]), say("By location."), harbor]
    agent = agent_on(engine, ScriptedModel(script))
    if stored_as == "dicts":
        monkeypatch.setattr(ToolResult, "to_json", old_to_json)
    first = agent.answer(None, "Sales by location last week?")
    monkeypatch.undo()
    follow_up = agent.answer(first.conversation_id, "And Harbor?")
    agent.close()

    stored = agent.model.requests[-1].messages[2]["content"][0]["content"]
    assert ('"rows":{"columns":' in stored) == (stored_as == "tables")
    expected = parse_result(stored)["rows"][1]
    assert (
        follow_up.text
        == f"Location 2 (Harbor): {expected['net_sales']} net from {expected['orders']:,} orders."
    )
    assert follow_up.provenance is not None and follow_up.provenance.to_json() == {
        "checked": 2,
        "unmatched": [],
    }
    trace = render_trace(engine, first.conversation_id).splitlines()
    assert "  provenance: all 2 figures found in the tool results" in trace
    assert (
        "  Sources: sales_report · 2026-11-16 – 2026-11-22 (last week) · all locations · "
        "America/Los_Angeles, America/New_York"
    ) in trace


@sqlite_only
def test_the_sources_line_and_the_feedback_export_read_either_shape(call):
    forecast = call.registry.call("forecast_sales", {}, call.context)
    breakdown = call.registry.call("sales_report", {"period": "last week", "group_by": ["day"]}, call.context)
    assert forecast.ok and breakdown.ok
    assert '"forecast":{"columns":' in forecast.to_json()
    old, new = parse_result(as_dicts(forecast)), parse_result(forecast.to_json())
    assert new == old == forecast.content
    line = sources_of([("forecast_sales", new)]).line()
    assert line == sources_of([("forecast_sales", old)]).line()
    assert "forecast" in line  # the forecast rows' days are its period
    paths = headline_paths(expand_tables(json.loads(breakdown.to_json())))
    assert (
        paths
        == headline_paths(json.loads(as_dicts(breakdown)))
        == [
            "rows.0.day",
            "rows.0.net_sales",
            "rows.0.orders",
        ]
    )
