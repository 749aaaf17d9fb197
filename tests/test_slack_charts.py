"""Charts from answer tables: which questions ask for one, which column is drawn, and the PNG itself."""

from __future__ import annotations

import struct

import pytest

from bot.slack.charts import asks_for_a_chart, chart_alt_text, chart_data, render_png


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Chart net sales by location last week", True),
        ("can you graph orders per day?", True),
        ("Plot the trend of Uber Eats commission", True),
        ("What was my top-selling item last Saturday?", False),
        ("How did Harbor compare to Uptown?", False),
    ],
)
def test_which_questions_ask_for_a_chart(question, asks):
    assert asks_for_a_chart(question) is asks


def test_the_first_numeric_column_is_drawn_without_the_rank_and_the_total():
    rows = [
        ["#", "Item", "Revenue", "Units"],
        ["1", "**Margherita Pizza**", "$1,856.55", "111"],
        ["2", "Fries", "$655.35", "106"],
        ["", "**Total**", "**$2,511.90**", "217"],
    ]
    data = chart_data(rows)
    assert data is not None
    assert (data.title, data.labels, data.values, data.shown, data.symbol) == (
        "Revenue by item",
        ["Margherita Pizza", "Fries"],
        [1856.55, 655.35],
        ["$1,856.55", "$655.35"],
        "$",
    )
    ranked = chart_data([["Rank", "Units"], ["1", "5"], ["2", "3"]])
    assert ranked is None  # a rank column is not a measure, and there is no other


def test_percentages_negatives_and_tables_with_nothing_to_draw():
    data = chart_data([["Platform", "Change"], ["Uber Eats", "+12.5%"], ["DoorDash", "−3.0%"]])
    assert data is not None and (data.values, data.percent) == ([12.5, -3.0], True)
    assert chart_data([["Location", "Manager"], ["Harbor", "Ana"], ["Uptown", "Bo"]]) is None
    assert chart_data([["Location", "Net sales"], ["Harbor", "$10.00"]]) is None  # one point is no chart
    assert chart_data([["Location", "Net sales"], ["Harbor", "$10.00"], ["Uptown", "n/a"]]) is None


def test_the_chart_is_a_png_with_its_numbers_in_the_alt_text():
    data = chart_data([["Location", "Net sales"], ["Downtown", "$4,123.66"], ["Harbor", "$3,900.10"]])
    assert data is not None
    png = render_png(data)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert (width, height) == (900, 480)
    assert chart_alt_text(data) == "Net sales by location: Downtown $4,123.66, Harbor $3,900.10"
