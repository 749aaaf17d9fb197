"""Every registered tool, called with hostile arguments (any JSON value for each of its real parameters), on
the demo store: the result is an answer or a one-line error the model can correct — never an internal
error. OPSBOT_FUZZ_EXAMPLES raises the number of examples per property (default 60)."""

from __future__ import annotations

import os
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tools.analytics.builtin import TOOLS
from tools.analytics.readonly import open_readonly
from tools.registry import ToolContext, ToolRegistry

from .conftest import FIXED_NOW

EXAMPLES = int(os.environ.get("OPSBOT_FUZZ_EXAMPLES") or 60)
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

pytestmark = pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)

REGISTRY = ToolRegistry()
for _function in TOOLS:
    REGISTRY.register(_function)
TOOL_NAMES = [tool.name for tool in REGISTRY.tools()]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**18, max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.text(min_size=2000, max_size=5000),
    st.sampled_from(["0001-01-01", "9999-12-31", "2026-11-03", "2026-02-30", "yesterday", "1..9999", "Q3"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def context(demo_store):
    engine, _ = demo_store
    readonly = open_readonly(engine.url.render_as_string(hide_password=False))
    yield ToolContext(engine=readonly, today=FIXED_NOW.date())
    readonly.dispose()


def assert_corrigible(result) -> None:
    """An answer, or an error of one line that is the tool's own, not an internal error."""
    if result.ok:
        return
    assert "\n" not in result.error, result.error
    assert not result.error.startswith("internal error"), result.error


@st.composite
def hostile_call(draw) -> tuple[str, dict]:
    name = draw(st.sampled_from(TOOL_NAMES))
    parameters = list(REGISTRY.get(name).input_schema["properties"])
    chosen = draw(st.lists(st.sampled_from(parameters), unique=True)) if parameters else []
    return name, {parameter: draw(json_values) for parameter in chosen}


@FUZZ
@given(hostile_call())
def test_any_json_for_any_parameter_is_an_answer_or_a_one_line_error(context, call):
    name, arguments = call
    assert_corrigible(REGISTRY.call(name, arguments, context))


EDGES = [
    date(1, 1, 1),
    date(1999, 12, 31),
    date(2000, 1, 1),
    date(2026, 11, 3),
    date(2099, 12, 31),
    date(9999, 12, 31),
]
dates = (st.sampled_from(EDGES) | st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))).map(
    date.isoformat
)
periods = st.sampled_from(
    [
        "0001-01-01..9999-12-31",
        "2000-01-01",
        "2099-12-31",
        "2000-01-01..2010-12-31",
        "Q1 2000",
        "last 3660 days",
    ]
) | dates.map(str)
comparisons = st.sampled_from(["previous_period", "same_period_last_year", "same_weekdays_last_year"])


@FUZZ
@given(st.sampled_from(TOOL_NAMES), dates, dates)
def test_any_pair_of_dates_is_an_answer_or_a_one_line_error(context, name, start, end):
    properties = REGISTRY.get(name).input_schema["properties"]
    arguments = {key: value for key, value in (("start_date", start), ("end_date", end)) if key in properties}
    assert_corrigible(REGISTRY.call(name, arguments, context))


@FUZZ
@given(periods, comparisons)
def test_any_period_compared_with_any_earlier_one_is_an_answer_or_a_one_line_error(
    context, period, compare_to
):
    assert_corrigible(REGISTRY.call("compare_periods", {"period": period, "compare_to": compare_to}, context))


@pytest.mark.parametrize("name", TOOL_NAMES)
def test_null_for_every_parameter_is_the_same_as_leaving_them_out(context, name):
    tool = REGISTRY.get(name)
    nulls = dict.fromkeys(tool.input_schema["properties"])
    with_nulls, without = REGISTRY.call(name, nulls, context), REGISTRY.call(name, {}, context)
    assert (with_nulls.ok, with_nulls.content, with_nulls.error) == (
        without.ok,
        without.content,
        without.error,
    )


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        (
            {"start_date": "0001-01-01", "end_date": "2026-11-03"},
            "start_date 0001-01-01 is out of range — use a date between 2000-01-01 and 2099-12-31",
        ),
        (
            {"start_date": "2026-11-03", "end_date": "9999-12-31"},
            "end_date 9999-12-31 is out of range — use a date between 2000-01-01 and 2099-12-31",
        ),
        (
            {"start_date": "2026-11-05", "end_date": "2026-11-01"},
            "end_date 2026-11-01 is before start_date 2026-11-05",
        ),
        (
            {"start_date": "2000-01-01", "end_date": "2099-12-31"},
            "start_date 2000-01-01 to end_date 2099-12-31 is 36,525 days — at most 3,660 (about ten years)",
        ),
        (
            {"period": "0001-01-01..9999-12-31"},
            "the period reaches 0001-01-01 — periods lie between 2000-01-01 and 2099-12-31",
        ),
        (
            {"start_date": None, "end_date": "2026-11-01"},
            "give both start_date and end_date, or a period expression instead",
        ),
    ],
)
def test_dates_out_of_range_are_one_line_errors_naming_the_field(context, arguments, error):
    result = REGISTRY.call("sales_report", arguments, context)
    assert (result.ok, result.error) == (False, error)


def test_a_period_whose_comparison_leaves_the_calendar_is_an_error_naming_compare_to(context):
    result = REGISTRY.call(
        "compare_periods", {"period": "2000-01-01", "compare_to": "previous_period"}, context
    )
    assert (result.ok, result.error) == (
        False,
        "compare_to previous_period: the period reaches 1999-12-31 — "
        "periods lie between 2000-01-01 and 2099-12-31",
    )


def test_a_number_where_locations_are_expected_is_a_one_item_list(context):
    as_number = REGISTRY.call("sales_report", {"period": "2026-11-03", "locations": 3}, context)
    as_list = REGISTRY.call("sales_report", {"period": "2026-11-03", "locations": ["3"]}, context)
    assert as_number.ok and as_number.content == as_list.content
    assert as_number.content["locations"] == ["Location 3 (Uptown)"]


def test_null_for_a_required_parameter_names_it(context):
    result = REGISTRY.call("compare_locations", {"locations": None, "period": None}, context)
    assert (result.ok, result.error) == (False, "compare_locations needs 'locations'")
