"""Honest coverage at the edges: misspelt names get the closest known ones ("did you mean …?"), a single
value is taken where a list is expected (the console's ``locations=2`` included), null is an argument left
out, and ``opsbot status`` counts orders as the tools do, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import Annotated, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from bot.services.tool_console import call_tool, parse_call_arguments
from tests.conftest import DEMO_FIXTURES
from tests.fixture_oracle import expected_from_fixtures
from tests.support.cli import opsbot
from tools.analytics.builtin import TOOLS
from tools.analytics.names import close_matches, unknown_name_error
from tools.registry import Param, ToolContext, ToolRegistry
from tools.store.summary import summarize

TODAY = date(2026, 11, 23)  # "yesterday", the default period, is the last day of the demo data
LOCATIONS = ["Downtown", "Harbor", "Uptown", "Sunset"]
KNOWN_LOCATIONS = "known: 1 Downtown, 2 Harbor, 3 Uptown, 4 Sunset"
MENU = [
    "Classic Burger",
    "Smash Burger",
    "Veggie Burger",
    "Fries",
    "Sweet Potato Fries",
    "Onion Rings",
    "Iced Tea",
    "Cheeseburger",
    "Kids Burger",
    "Caesar Salad",
    "Cobb Salad",
    "Greek Salad",
    "Side Salad",
]


# --- Did you mean ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wanted", "known", "matches"),
    [
        ("Downtwn", LOCATIONS, ["Downtown"]),
        ("downtwn", LOCATIONS, ["Downtown"]),
        ("harbour", LOCATIONS, ["Harbor"]),
        ("HARBOR", LOCATIONS, ["Harbor"]),
        ("  up   town ", LOCATIONS, ["Uptown"]),
        ("the harbor store", LOCATIONS, ["Harbor"]),  # a known name inside the text
        ("Nowhere", LOCATIONS, []),
        ("", LOCATIONS, []),
        ("cheesburger", MENU, ["Cheeseburger"]),
        # containing it comes first (closest first), then spelt alike; at most five
        ("burger", MENU, ["Kids Burger", "Smash Burger", "Cheeseburger", "Veggie Burger", "Classic Burger"]),
        ("burgr", ["Fries", "Veggie Burger"], ["Veggie Burger"]),  # one word of the name spelt alike
        ("frys", MENU, ["Fries"]),
        ("tea", MENU, ["Iced Tea"]),
        ("wings", MENU, []),  # "rings" is not close enough
        ("ea", MENU, []),  # too short to look for inside names
    ],
)
def test_close_matches(wanted, known, matches):
    assert close_matches(wanted, known) == matches


def test_unknown_name_errors_name_the_closest_matches():
    assert str(unknown_name_error("item", "cheesburger", MENU)) == (
        "unknown item 'cheesburger' — did you mean Cheeseburger?"
    )
    assert str(unknown_name_error("item", "salad", MENU)) == (
        "unknown item 'salad' — did you mean Cobb Salad, Side Salad, Greek Salad or Caesar Salad?"
    )
    # a known list of at most twelve names is given in full; a longer one only counted
    assert str(unknown_name_error("item", "taco", MENU)) == (
        "unknown item 'taco' — no close match among 13 known names"
    )
    categories = ["Burgers", "Bowls", "Salads", "Sides", "Drinks"]
    assert str(unknown_name_error("category", "drink", categories)) == (
        "unknown category 'drink' — did you mean Drinks? known: Burgers, Bowls, Salads, Sides, Drinks"
    )
    assert str(unknown_name_error("category", "tacos", categories)) == (
        "unknown category 'tacos' — known: Burgers, Bowls, Salads, Sides, Drinks"
    )
    assert str(unknown_name_error("table", "patio", [])) == "unknown table 'patio' — known: none"
    assert str(unknown_name_error("location", "Harbour", LOCATIONS, listing="1 A, 2 B")) == (
        "unknown location 'Harbour' — did you mean Harbor? known: 1 A, 2 B"
    )


@pytest.fixture(scope="module")
def builtin():
    registry = ToolRegistry()
    for function in TOOLS:
        registry.register(function)
    return registry


@pytest.mark.parametrize(
    ("location", "error"),
    [
        ("Downtwn", f"unknown location 'Downtwn' — did you mean Downtown? {KNOWN_LOCATIONS}"),
        ("harbour", f"unknown location 'harbour' — did you mean Harbor? {KNOWN_LOCATIONS}"),
        ("town", f"unknown location 'town' — did you mean Uptown or Downtown? {KNOWN_LOCATIONS}"),
        ("Nowhere", f"unknown location 'Nowhere' — {KNOWN_LOCATIONS}"),
        ("9", f"unknown location '9' — {KNOWN_LOCATIONS}"),
    ],
)
def test_a_misspelt_location_gets_the_closest_known_ones(demo_store, builtin, location, error):
    engine, _ = demo_store
    result = builtin.call("sales_report", {"locations": [location]}, ToolContext(engine=engine, today=TODAY))
    assert (result.ok, result.error) == (False, error)


# --- A single value where a list is expected; null is left out ------------------------------------------


def echo(
    tags: Annotated[list[str] | None, Param("Tags.")] = None,
    modes: Annotated[list[Literal["x", "y"]] | None, Param("Modes.")] = None,
    counts: Annotated[list[int] | None, Param("Counts.")] = None,
    limit: Annotated[int, Param("How many.")] = 7,
) -> dict:
    """Echoes its arguments."""
    return {"tags": tags, "modes": modes, "counts": counts, "limit": limit}


def needy(name: Annotated[str | None, Param("A name.")]) -> dict:
    """Needs a name."""
    return {"name": name}


ECHO = ToolRegistry()
ECHO.register(echo)
ECHO.register(needy)
NO_CONTEXT = ToolContext(engine=None, today=TODAY)


def _echo(**arguments):
    return ECHO.call("echo", arguments, NO_CONTEXT)


@given(st.integers())
def test_any_integer_for_a_list_of_strings_is_its_decimal_string(number):
    assert _echo(tags=number).content["tags"] == [str(number)]
    assert _echo(tags=[number, "a"]).content["tags"] == [str(number), "a"]


@given(st.text(min_size=1))
def test_any_string_for_a_list_of_strings_is_a_one_item_list(value):
    assert _echo(tags=value).content["tags"] == [value]


@given(st.integers())
def test_any_integer_for_a_list_of_integers_is_a_one_item_list(number):
    assert _echo(counts=number).content["counts"] == [number]


@pytest.mark.parametrize(
    ("arguments", "outcome"),
    [
        ({"modes": "y"}, {"modes": ["y"]}),
        ({"modes": "z"}, "modes[0] 'z' is not one of: x, y"),
        ({"tags": True}, "tags[0] must be a string, got True"),  # a bool is not a number written out
        ({"tags": [False]}, "tags[0] must be a string, got False"),
        ({"tags": 2.5}, "tags[0] must be a string, got 2.5"),
        ({"tags": {"a": 1}}, "tags must be a list, got {'a': 1}"),
        ({"counts": "3"}, "counts[0] must be an integer, got '3'"),
        ({"limit": None}, {"limit": 7}),  # null is the parameter left out: its default
        ({"tags": None, "modes": None}, {"tags": None, "modes": None}),
    ],
)
def test_scalars_and_nulls(arguments, outcome):
    result = _echo(**arguments)
    if isinstance(outcome, str):
        assert (result.ok, result.error) == (False, outcome)
    else:
        assert result.ok and outcome.items() <= result.content.items()


def test_null_for_a_required_parameter_is_missing():
    assert ECHO.call("needy", {"name": None}, NO_CONTEXT).error == "needy needs 'name'"


def test_the_console_reads_single_values_lists_and_null():
    schema = ECHO.get("echo").input_schema
    assert parse_call_arguments(["tags=2", "modes=x,y", "limit=null"], schema) == {
        "tags": 2,
        "modes": ["x", "y"],
        "limit": None,
    }
    assert parse_call_arguments(["tags=Downtown", "counts=[1,2]"], schema) == {
        "tags": ["Downtown"],
        "counts": [1, 2],
    }
    assert call_tool(ECHO, NO_CONTEXT, "echo", ["tags=2", "limit=null"]).content == {
        "tags": ["2"],
        "modes": None,
        "counts": None,
        "limit": 7,
    }


@pytest.mark.parametrize(
    ("pairs", "same_as"),
    [
        (["locations=2"], {"locations": ["Harbor"]}),
        (["locations=Harbor"], {"locations": ["2"]}),
        (["locations=Downtown,Harbor"], {"locations": ["1", "2"]}),
        (["locations=[1, 2]"], {"locations": ["Downtown", "Harbor"]}),
        (["group_by=hour", "locations=3"], {"group_by": "hour", "locations": ["Uptown"]}),
        (["period=null"], {}),  # null: the default period
    ],
)
def test_the_console_accepts_a_single_value_for_a_list(demo_store, builtin, pairs, same_as):
    engine, _ = demo_store
    context = ToolContext(engine=engine, today=TODAY)
    console = call_tool(builtin, context, "sales_report", [*pairs, "limit=null"])
    direct = builtin.call("sales_report", same_as, context)
    assert console.ok and direct.ok, (console.error, direct.error)
    assert console.content == direct.content
    assert console.content["totals"]["orders"] > 0


# --- opsbot status counts what the tools count ----------------------------------------------------------


@pytest.fixture(scope="module")
def expected():
    return expected_from_fixtures(DEMO_FIXTURES)


def _counted_by_location(expected) -> Counter:
    """The oracle's counted orders per location name."""
    counted = Counter()
    for (name, _day), totals in expected.days.items():
        counted[name] += totals.orders
    return counted


def _set_aside_by_sql(engine) -> dict[str, tuple[int, int]]:
    """(canceled, POS copies) per location name, straight from the orders table."""
    query = text(
        "SELECT l.name,"
        " SUM(CASE WHEN o.status = 'canceled' AND o.duplicate_of_id IS NULL THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN o.duplicate_of_id IS NOT NULL THEN 1 ELSE 0 END)"
        " FROM orders o JOIN locations l ON l.id = o.location_id GROUP BY l.name"
    )
    with engine.connect() as conn:
        return {name: (int(canceled), int(copies)) for name, canceled, copies in conn.execute(query)}


def test_the_store_summary_counts_orders_as_the_tools_do(demo_store, expected, builtin):
    engine, _ = demo_store
    summary = summarize(engine)
    counted = _counted_by_location(expected)
    set_aside = _set_aside_by_sql(engine)
    assert [loc.name for loc in summary.locations] == LOCATIONS
    for loc in summary.locations:
        assert (loc.orders, loc.canceled, loc.pos_copies, loc.other) == (
            counted[loc.name],
            *set_aside[loc.name],
            0,
        )
        assert (loc.first_day, loc.last_day) == (date(2026, 8, 31), date(2026, 11, 22))
    assert summary.counted_orders == sum(counted.values())
    assert summary.pos_copies == expected.pos_copies > 1000
    assert summary.canceled_orders >= sum(expected.canceled_by_platform.values()) > 0
    assert summary.orders == expected.square_stored + expected.deliverect_stored
    assert summary.orders == summary.counted_orders + summary.canceled_orders + summary.pos_copies
    everything = builtin.call(
        "sales_report",
        {"start_date": "2026-08-31", "end_date": "2026-11-22"},
        ToolContext(engine=engine, today=TODAY),
    )
    assert everything.content["totals"]["orders"] == summary.counted_orders


STATUS_LINE = re.compile(
    r"^  Location (\d): (\w+) .* ([\d,]+) orders \(([\d,]+) canceled, ([\d,]+) POS copies\) ", re.M
)


def test_opsbot_status_shows_counted_canceled_and_pos_copies(tmp_path, small_fixtures):
    env = {"OPSBOT_FIXTURES_DIR": str(small_fixtures), "OPSBOT_DEMO_ANCHOR": "false"}
    assert opsbot("sync", cwd=tmp_path, env=env).returncode == 0
    status = opsbot("status", cwd=tmp_path, env=env)
    assert status.returncode == 0, status.stderr
    small = expected_from_fixtures(small_fixtures)
    counted = _counted_by_location(small)

    def number(text: str) -> int:
        return int(text.replace(",", ""))

    rows = STATUS_LINE.findall(status.stdout)
    assert [(int(position), name, number(orders)) for position, name, orders, *_ in rows] == [
        (i + 1, name, counted[name]) for i, name in enumerate(LOCATIONS)
    ]
    canceled = sum(number(row[3]) for row in rows)
    copies = sum(number(row[4]) for row in rows)
    assert copies == small.pos_copies
    assert f"Orders: {sum(counted.values()):,} counted (completed, POS copies excluded); " in status.stdout
    assert f"; {canceled:,} canceled; {copies:,} POS copies of delivery orders\n" in status.stdout
    stored = small.square_stored + small.deliverect_stored
    assert stored == sum(counted.values()) + canceled + copies
    assert f"Stored: {stored:,} orders (deliverect {small.deliverect_stored:,}, square " in status.stdout
