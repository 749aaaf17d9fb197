"""Periods in words resolve to exact date ranges from a fixed today (Tuesday 24 November 2026)."""

from __future__ import annotations

from datetime import date

import pytest

from tools.analytics.business_calendar import (
    PeriodError,
    comparison_period,
    period_between,
    resolve_period,
)

TODAY = date(2026, 11, 24)  # a Tuesday


@pytest.mark.parametrize(
    ("expression", "start", "end"),
    [
        ("today", "2026-11-24", "2026-11-24"),
        ("Yesterday", "2026-11-23", "2026-11-23"),
        ("this week", "2026-11-23", "2026-11-24"),
        ("last week", "2026-11-16", "2026-11-22"),
        ("this month", "2026-11-01", "2026-11-24"),
        ("month-to-date", "2026-11-01", "2026-11-24"),
        ("last month", "2026-10-01", "2026-10-31"),
        ("last month to date", "2026-10-01", "2026-10-24"),
        ("last 7 days", "2026-11-17", "2026-11-23"),
        ("past 30 days", "2026-10-25", "2026-11-23"),
        ("last 2 weeks", "2026-11-09", "2026-11-22"),
        ("last 3 months", "2026-08-01", "2026-10-31"),
        ("this year", "2026-01-01", "2026-11-24"),
        ("last year", "2025-01-01", "2025-12-31"),
        ("this quarter", "2026-10-01", "2026-11-24"),
        ("last quarter", "2026-07-01", "2026-09-30"),
        ("last weekend", "2026-11-21", "2026-11-22"),
        ("last Saturday", "2026-11-21", "2026-11-21"),
        ("saturday", "2026-11-21", "2026-11-21"),
        ("tuesday", "2026-11-24", "2026-11-24"),
        ("last tuesday", "2026-11-17", "2026-11-17"),
        ("Saturday last week", "2026-11-21", "2026-11-21"),
        ("last week monday", "2026-11-16", "2026-11-16"),
        ("Q3", "2026-07-01", "2026-09-30"),
        ("Q1 2025", "2025-01-01", "2025-03-31"),
        ("2026 q2", "2026-04-01", "2026-06-30"),
        ("October", "2026-10-01", "2026-10-31"),
        ("december", "2025-12-01", "2025-12-31"),
        ("Oct 2025", "2025-10-01", "2025-10-31"),
        ("2026-02", "2026-02-01", "2026-02-28"),
        ("2026-10-03", "2026-10-03", "2026-10-03"),
        ("2026-10-01..2026-10-31", "2026-10-01", "2026-10-31"),
        ("from 2026-10-01 to 2026-10-15", "2026-10-01", "2026-10-15"),
    ],
)
def test_expressions_resolve_to_exact_dates(expression, start, end):
    period = resolve_period(expression, TODAY)
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)


def test_labels_state_the_exact_dates():
    assert resolve_period("last week", TODAY).label == "last week (Mon 16 Nov 2026 – Sun 22 Nov 2026)"
    assert resolve_period("last week", TODAY).to_dict() == {
        "start": "2026-11-16",
        "end": "2026-11-22",
        "days": 7,
        "label": "last week (Mon 16 Nov 2026 – Sun 22 Nov 2026)",
    }


def test_weeks_can_start_on_sunday():
    period = resolve_period("last week", TODAY, week_start=6)
    assert (period.start, period.end) == (date(2026, 11, 15), date(2026, 11, 21))


def test_on_a_saturday_last_saturday_is_a_week_ago():
    saturday = date(2026, 11, 21)
    assert resolve_period("last saturday", saturday).start == date(2026, 11, 14)
    assert resolve_period("saturday", saturday).start == saturday


@pytest.mark.parametrize(
    ("compare_to", "start", "end"),
    [
        ("previous_period", "2026-10-08", "2026-10-31"),
        ("same_period_last_week", "2026-10-25", "2026-11-17"),
        ("same_period_last_month", "2026-10-01", "2026-10-24"),
        ("same_period_last_year", "2025-11-01", "2025-11-24"),
    ],
)
def test_comparison_periods_for_month_to_date(compare_to, start, end):
    earlier = comparison_period(resolve_period("month to date", TODAY), compare_to, TODAY)
    assert (earlier.start.isoformat(), earlier.end.isoformat()) == (start, end)


def test_shifting_by_months_clamps_to_the_month_length():
    march = period_between("2026-03-31", "2026-03-31")
    assert march.shifted(months=-1).start == date(2026, 2, 28)
    assert period_between("2028-03-31", "2028-03-31").shifted(months=-1).start == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("lst week", "cannot read the period 'lst week' — use e.g. today, yesterday, this week"),
        ("2026-10-31..2026-10-01", "the period ends (2026-10-01) before it starts (2026-10-31)"),
        ("last 0 days", "'last 0 days': the number of days must be between 1 and a few years"),
        ("2026-13", "cannot read the period '2026-13'"),
    ],
)
def test_unreadable_periods_say_what_to_write(expression, message):
    with pytest.raises(PeriodError) as raised:
        resolve_period(expression, TODAY)
    assert str(raised.value).startswith(message)


def test_unknown_comparison_lists_the_choices():
    with pytest.raises(PeriodError, match="use one of: previous_period, same_period_last_week"):
        comparison_period(resolve_period("today", TODAY), "last_decade", TODAY)
