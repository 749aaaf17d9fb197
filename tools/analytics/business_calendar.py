"""Periods in words ("yesterday", "last Saturday", "this month", "Q3") → exact inclusive date ranges.

Resolved in code from a given ``today`` (today's date in the business's timezone), never by the model's
arithmetic. Weeks start on Monday unless ``week_start`` says otherwise (0 = Monday … 6 = Sunday).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

FORMS = (
    "today, yesterday, this week, last week, this month, last month, month to date, last month to date, "
    "this year, last year, this quarter, last quarter, last 7 days, last 4 weeks, last 3 months, "
    "last weekend, "
    "last Saturday, Saturday last week, Q3, Q3 2026, October, October 2026, 2026-10, 2026-10-03, "
    "2026-10-01..2026-10-31"
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = tuple(name.lower() for name in calendar.month_name[1:])
COMPARISONS = (
    "previous_period",
    "same_period_last_week",
    "same_period_last_month",
    "same_period_last_year",
    "same_weekdays_last_year",
)


EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)  # the business dates a period may cover
MAX_DAYS = 3660  # about ten years: the longest period in words is "last 3660 days"


class PeriodError(ValueError):
    """A period that cannot be read; the message lists the accepted forms."""


@dataclass(frozen=True)
class Period:
    """An inclusive range of business dates, with the words it came from."""

    start: date
    end: date
    label: str

    @property
    def days(self) -> int:
        """Number of days, inclusive."""
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The same number of days immediately before."""
        end = self.start - timedelta(days=1)
        return _span(end - timedelta(days=self.days - 1), end, f"previous {self.days} days")

    def shifted(self, *, weeks: int = 0, months: int = 0, years: int = 0) -> Period:
        """The period moved; months and years clamp to the month's length (31 Mar − 1 month = 28/29 Feb)."""
        delta = timedelta(weeks=weeks)
        start = _add_months(self.start, months + 12 * years) + delta
        end = _add_months(self.end, months + 12 * years) + delta
        return _span(start, end, "")

    def to_dict(self) -> dict:
        """What results state about the period."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": self.days,
            "label": self.label,
        }


def _describe(start: date, end: date) -> str:
    if start == end:
        return start.strftime("%a %d %b %Y")
    return f"{start.strftime('%a %d %b %Y')} – {end.strftime('%a %d %b %Y')}"


def _span(start: date, end: date, words: str) -> Period:
    if end < start:
        raise PeriodError(f"the period ends ({end}) before it starts ({start})")
    for day in (start, end):
        if not EARLIEST <= day <= LATEST:
            raise PeriodError(f"the period reaches {day} — periods lie between {EARLIEST} and {LATEST}")
    if (end - start).days + 1 > MAX_DAYS:
        raise PeriodError(
            f"the period {start}..{end} is {(end - start).days + 1:,} days long — "
            f"at most {MAX_DAYS:,} days (about ten years)"
        )
    label = f"{words} ({_describe(start, end)})" if words else _describe(start, end)
    return Period(start, end, label)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _quarter(year: int, number: int) -> tuple[date, date]:
    start = date(year, 3 * number - 2, 1)
    return start, _month_end(date(year, 3 * number, 1))


def period_between(start: date | str, end: date | str) -> Period:
    """A period from explicit dates (``date`` objects or ISO strings)."""
    try:
        first = start if isinstance(start, date) else date.fromisoformat(str(start).strip())
        last = end if isinstance(end, date) else date.fromisoformat(str(end).strip())
    except ValueError as exc:
        raise PeriodError(f"cannot read the dates {start!r}..{end!r} — use YYYY-MM-DD") from exc
    return _span(first, last, "")


def resolve_period(expression: str, today: date, *, week_start: int = 0) -> Period:
    """The period an expression means, seen from ``today``; PeriodError lists the accepted forms."""
    words = re.sub(r"[\s_]+", " ", expression.strip().lower()).strip()
    words = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", words)
    result = _resolve(words, today, week_start)
    if result is None:
        raise PeriodError(f"cannot read the period {expression!r} — use e.g. {FORMS}")
    return result


def _resolve(words: str, today: date, week_start: int) -> Period | None:
    this_week = today - timedelta(days=(today.weekday() - week_start) % 7)
    month_start = today.replace(day=1)
    quarter_now = (today.month - 1) // 3 + 1
    simple = {
        "today": (today, today),
        "yesterday": (today - timedelta(days=1),) * 2,
        "this week": (this_week, today),
        "week to date": (this_week, today),
        "wtd": (this_week, today),
        "last week": (this_week - timedelta(days=7), this_week - timedelta(days=1)),
        "previous week": (this_week - timedelta(days=7), this_week - timedelta(days=1)),
        "this month": (month_start, today),
        "month to date": (month_start, today),
        "mtd": (month_start, today),
        "last month": (_add_months(month_start, -1), month_start - timedelta(days=1)),
        "previous month": (_add_months(month_start, -1), month_start - timedelta(days=1)),
        "last month to date": (_add_months(month_start, -1), _add_months(today, -1)),
        "this year": (date(today.year, 1, 1), today),
        "year to date": (date(today.year, 1, 1), today),
        "ytd": (date(today.year, 1, 1), today),
        "last year": (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
        "this quarter": (_quarter(today.year, quarter_now)[0], today),
        "quarter to date": (_quarter(today.year, quarter_now)[0], today),
        "qtd": (_quarter(today.year, quarter_now)[0], today),
        "last quarter": _quarter(
            *(divmod(today.year * 4 + quarter_now - 2, 4)[0], (quarter_now - 2) % 4 + 1)
        ),
    }
    if words in simple:
        return _span(*simple[words], words)
    if match := re.fullmatch(r"(?:last|past|previous) (\d+) (day|week|month)s?", words):
        count, unit = int(match[1]), match[2]
        if not 0 < count <= {"day": 3660, "week": 520, "month": 120}[unit]:
            raise PeriodError(f"{words!r}: the number of {unit}s must be between 1 and a few years")
        if unit == "day":
            return _span(today - timedelta(days=count), today - timedelta(days=1), words)
        if unit == "week":
            return _span(this_week - timedelta(days=7 * count), this_week - timedelta(days=1), words)
        return _span(_add_months(month_start, -count), month_start - timedelta(days=1), words)
    if words == "last weekend":
        sunday = today - timedelta(days=(today.weekday() - 6) % 7 or 7)  # the last Sunday before today
        return _span(sunday - timedelta(days=1), sunday, words)
    if words == "this weekend":
        saturday = today + timedelta(days=5 - today.weekday())
        return _span(saturday, saturday + timedelta(days=1), words)
    if match := re.fullmatch(
        r"(last |this )?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)( last week)?", words
    ) or re.fullmatch(r"(last week )(monday|tuesday|wednesday|thursday|friday|saturday|sunday)()", words):
        prefix, name, suffix = match[1] or "", match[2], match[3] or ""
        weekday = WEEKDAYS.index(name)
        if "last week" in prefix + suffix:
            day = this_week - timedelta(days=7) + timedelta(days=(weekday - week_start) % 7)
        elif prefix == "this ":
            day = this_week + timedelta(days=(weekday - week_start) % 7)
        else:
            back = (today.weekday() - weekday) % 7
            day = today - timedelta(days=back or (7 if prefix == "last " else 0))
        return _span(day, day, words)
    if match := re.fullmatch(r"q([1-4])(?: (\d{4}))?|(\d{4}) q([1-4])", words):
        number = int(match[1] or match[4])
        year = int(match[2] or match[3] or today.year)
        if not (match[2] or match[3]) and _quarter(year, number)[0] > today:
            year -= 1
        return _span(*_quarter(year, number), words.upper())
    if match := re.fullmatch(r"([a-z]+)(?: (\d{4}))?", words):
        name = match[1]
        month = next((i for i, m in enumerate(MONTHS, 1) if name in (m, m[:3])), None)
        if month is not None:
            year = int(match[2]) if match[2] else today.year
            if not match[2] and date(year, month, 1) > today:
                year -= 1
            first = date(year, month, 1)
            return _span(first, _month_end(first), words)
    if match := re.fullmatch(r"(\d{4})-(\d{2})", words):
        try:
            first = date(int(match[1]), int(match[2]), 1)
        except ValueError:
            return None
        return _span(first, _month_end(first), words)
    if match := re.fullmatch(
        r"(?:from )?(\d{4}-\d{2}-\d{2})(?:\s*(?:\.\.|to|–|—)\s*(\d{4}-\d{2}-\d{2}))?", words
    ):
        return period_between(match[1], match[2] or match[1])
    return None


def comparison_period(period: Period, compare_to: str, today: date, *, week_start: int = 0) -> Period:
    """The earlier period to compare ``period`` with (see COMPARISONS)."""
    if compare_to == "previous_period":
        return period.previous()
    if compare_to == "same_period_last_week":
        moved = period.shifted(weeks=-1)
        return _span(moved.start, moved.end, "same days a week earlier")
    if compare_to == "same_period_last_month":
        moved = period.shifted(months=-1)
        return _span(moved.start, moved.end, "same days a month earlier")
    if compare_to == "same_period_last_year":
        moved = period.shifted(years=-1)
        return _span(moved.start, moved.end, "same calendar dates a year earlier")
    if compare_to == "same_weekdays_last_year":
        moved = period.shifted(weeks=-52)
        return _span(moved.start, moved.end, "same weekdays 52 weeks earlier")
    raise PeriodError(f"cannot compare with {compare_to!r} — use one of: {', '.join(COMPARISONS)}")
