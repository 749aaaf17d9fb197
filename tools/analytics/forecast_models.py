"""The simple forecasting models ``forecast_sales`` chooses from (tools/analytics/forecast_backtest.py
chooses).

A history is one location's daily values of one measure (net sales in minor units, or orders), oldest
first, one value per calendar day with no gaps (a day without orders is 0), its last value being the last
day with data. A model turns a history, the weekday of each of its days and the weekdays of the days to
forecast into expected values; none looks further ahead than the weekday (no extrapolated growth).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

WINDOW_DAYS = 56  # the trailing 8 weeks the models read
TREND_DAYS = 28  # trend: the last 4 weeks against the 4 before
TREND_CAP = 0.15  # the trend moves the level by at most ±15 %
SMOOTHING = 0.5  # weight of the newest week in the smoothed weekly level
MIN_HISTORY_DAYS = 21  # fewer days of history: a naive forecast, no model choice

Model = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def weekdays_of(last_day: date, length: int) -> np.ndarray:
    """The weekday (0 = Monday) of each day of a history of ``length`` days ending on ``last_day``."""
    first = (last_day - timedelta(days=length - 1)).weekday()
    return (first + np.arange(length)) % 7


def _weekday_medians(values: np.ndarray, weekdays: np.ndarray) -> np.ndarray:
    """The median of each weekday's values (index 0 = Monday); the median of all values for a weekday the
    history does not hold yet."""
    if len(values) < 7:
        overall = float(np.median(values))
        return np.array(
            [float(np.median(values[weekdays == w])) if (weekdays == w).any() else overall for w in range(7)]
        )
    before, after = int(weekdays[0]), (-len(values) - int(weekdays[0])) % 7
    grid = np.concatenate([np.full(before, np.nan), values, np.full(after, np.nan)]).reshape(-1, 7)
    return np.nanmedian(grid, axis=0)  # column w holds weekday w's values


def trend_factor(history: np.ndarray) -> float:
    """Net change over the last 4 weeks against the 4 before, as a factor capped to 1 ± 15 %; 1 when the
    history is shorter than 8 weeks or the earlier 4 weeks sold nothing."""
    if len(history) < 2 * TREND_DAYS:
        return 1.0
    earlier = float(history[-2 * TREND_DAYS : -TREND_DAYS].sum())
    if earlier <= 0:
        return 1.0
    ratio = float(history[-TREND_DAYS:].sum()) / earlier
    return min(max(ratio, 1 - TREND_CAP), 1 + TREND_CAP)


def weekday_trend(history: np.ndarray, weekdays: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Weekday seasonality × trend: the median of the same weekday over the trailing 8 weeks, times the
    trend factor (the median sits about 4 weeks back; the trend brings it to now)."""
    window, days = history[-WINDOW_DAYS:], weekdays[-WINDOW_DAYS:]
    return _weekday_medians(window, days)[targets] * trend_factor(history)


def seasonal_naive(history: np.ndarray, weekdays: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The same weekday last week (its latest value); the mean of the last 7 days for a weekday not in
    the history."""
    latest = np.full(7, float(history[-7:].mean()))
    for value, weekday in zip(history[-7:], weekdays[-7:], strict=True):
        latest[weekday] = value
    return latest[targets]


def weekly_smoothing(history: np.ndarray, weekdays: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Exponential smoothing of the weekly level (7-day totals ending on the last day, the newest weighted
    0.5, the one before 0.25…) spread over the week by each weekday's share of the weekday medians of the
    trailing 8 weeks."""
    weeks = min(len(history) // 7, WINDOW_DAYS // 7)
    if weeks == 0:
        return seasonal_naive(history, weekdays, targets)
    totals = history[len(history) - 7 * weeks :].reshape(weeks, 7).sum(axis=1)
    level = float(totals[0])
    for week_total in totals[1:]:
        level = SMOOTHING * float(week_total) + (1 - SMOOTHING) * level
    medians = _weekday_medians(history[-WINDOW_DAYS:], weekdays[-WINDOW_DAYS:])
    whole = medians.sum()
    shares = medians / whole if whole > 0 else np.full(7, 1 / 7)
    return level * shares[targets]


@dataclass(frozen=True)
class Candidate:
    """A model and how results describe it."""

    key: str
    function: Model
    description: str


MODELS: tuple[Candidate, ...] = (
    Candidate(
        "weekday_trend",
        weekday_trend,
        "weekday seasonality (median of the same weekday, trailing 8 weeks) × trend (last 4 weeks vs the "
        "4 before, capped ±15 %)",
    ),
    Candidate("seasonal_naive", seasonal_naive, "seasonal naive (the same weekday last week)"),
    Candidate(
        "weekly_smoothing",
        weekly_smoothing,
        "exponentially smoothed weekly level (newest week weighted 0.5) × each weekday's share (medians "
        "of the trailing 8 weeks)",
    ),
)
NAIVE = Candidate(
    "naive",
    seasonal_naive,
    "naive (the same weekday last week; the mean of the days so far for a weekday not seen yet)",
)


@dataclass(frozen=True)
class Series:
    """One location's history: daily net sales and orders, oldest first, ending on ``last_day``."""

    location_id: int
    last_day: date
    net_sales: np.ndarray
    orders: np.ndarray

    def __len__(self) -> int:
        return len(self.net_sales)

    def before(self, day: date) -> Series:
        """The history up to the day before ``day`` (a day within it, or the day after it)."""
        keep = min(max(len(self) - (self.last_day - day).days - 1, 0), len(self))
        last = min(day - timedelta(days=1), self.last_day)
        return Series(self.location_id, last, self.net_sales[:keep], self.orders[:keep])


def predict(model: Candidate, series: Series, days: Sequence[date]) -> tuple[np.ndarray, np.ndarray]:
    """Expected net sales and orders on ``days`` (after the history's last day) from ``model``."""
    weekdays = weekdays_of(series.last_day, len(series))
    targets = np.array([day.weekday() for day in days])
    return (
        model.function(series.net_sales.astype(float), weekdays, targets),
        model.function(series.orders.astype(float), weekdays, targets),
    )
