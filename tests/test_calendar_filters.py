"""Weekday, hour and day-part filters read the way owners say them, and refuse what they cannot read."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tools.analytics.calendar_filters import (
    DEFAULT_DAY_PARTS,
    DEFAULT_DAY_PARTS_TEXT,
    DayPart,
    FilterError,
    parse_day_parts,
    parse_hours,
    parse_weekdays,
)


@pytest.mark.parametrize(
    ("text", "hours", "label"),
    [
        ("lunch", (11, 12, 13), "lunch (11:00–13:59)"),
        ("late night", (21, 22, 23, 0, 1, 2, 3, 4, 5), "late_night (21:00–05:59)"),
        ("11-14", (11, 12, 13), "11:00–13:59"),
        ("11–14", (11, 12, 13), "11:00–13:59"),
        ("21-", (21, 22, 23), "21:00–23:59"),
        ("after 9 pm", (21, 22, 23), "21:00–23:59"),
        ("after 21", (21, 22, 23), "21:00–23:59"),
        ("before 11", tuple(range(11)), "00:00–10:59"),
        ("-11", tuple(range(11)), "00:00–10:59"),
        ("14", (14,), "14:00–14:59"),
        ("22-2", (22, 23, 0, 1), "22:00–01:59"),
        ("11am-2pm", (11, 12, 13), "11:00–13:59"),
        ("12 am to 3 am", (0, 1, 2), "00:00–02:59"),
    ],
)
def test_hours_in_the_words_owners_use(text, hours, label):
    found = parse_hours(text)
    assert found is not None
    assert (found.hours, found.label) == (hours, label)


@pytest.mark.parametrize("text", ["xx", "25-", "3-3", "lunch time", "11:30-14", "-", "1-2-3"])
def test_unreadable_hours_name_the_forms_accepted(text):
    with pytest.raises(FilterError, match="hours: "):
        parse_hours(text)


@given(st.integers(0, 23), st.integers(1, 24))
def test_any_hour_range_covers_exactly_its_hours(start, end):
    """START-END covers START:00 to END:00, wrapping past midnight when END is earlier ("0-24": all day)."""
    if start == end:
        with pytest.raises(FilterError):
            parse_hours(f"{start}-{end}")
        return
    found = parse_hours(f"{start}-{end}")
    assert found is not None
    expected = list(range(start, end)) if end > start else list(range(start, 24)) + list(range(end))
    assert list(found.hours) == expected
    assert len(set(found.hours)) == len(found.hours)


@given(st.text(max_size=40))
def test_any_text_is_hours_or_a_filter_error(text):
    try:
        found = parse_hours(text)
    except FilterError as exc:
        assert str(exc).startswith("hours: ")
    else:
        assert found is None or all(0 <= hour <= 23 for hour in found.hours)


def test_weekdays_by_name_abbreviation_and_group():
    assert parse_weekdays(["Saturday", "sun"]) == (5, 6)
    assert parse_weekdays(["weekends"]) == (5, 6)
    assert parse_weekdays(["weekdays"]) == (0, 1, 2, 3, 4)
    assert parse_weekdays(["MON", "monday"]) == (0,)
    assert parse_weekdays(["weekdays", "weekends"]) == ()  # every day: no filter
    assert parse_weekdays(None) == ()
    with pytest.raises(FilterError, match="weekdays: 'Funday'"):
        parse_weekdays(["Funday"])


def test_the_default_day_parts_cover_every_hour_once():
    hours = [hour for part in DEFAULT_DAY_PARTS for hour in part.hours]
    assert sorted(hours) == list(range(24))
    assert parse_day_parts(DEFAULT_DAY_PARTS_TEXT) == DEFAULT_DAY_PARTS


def test_configured_day_parts_are_checked():
    assert parse_day_parts("brunch=10-15, supper=18-24") == (
        DayPart("brunch", 10, 15),
        DayPart("supper", 18, 0),
    )
    assert parse_hours("brunch", parse_day_parts("brunch=10-15")).hours == (10, 11, 12, 13, 14)
    with pytest.raises(FilterError, match="both cover 11:00"):
        parse_day_parts("lunch=11-14,brunch=10-13")
    with pytest.raises(FilterError, match="named twice"):
        parse_day_parts("lunch=11-14,lunch=15-16")
    with pytest.raises(FilterError, match="name=START-END"):
        parse_day_parts("lunch 11 to 14")
