"""The simple forecasting models ``forecast_sales`` chooses from, and the backtest that chooses.

A history is one location's daily values of one measure (net sales in minor units, or orders), oldest
first, one value per calendar day with no gaps (a day without orders is 0), its last value being the last
day with data. A model turns a history and the weekdays of the days to forecast into expected values.
The backtest forecasts each of the last weeks of the history from the days before it (rolling origin) with
every model; the model with the lowest error on net sales is used, and the ratios actual ÷ forecast it
made give the forecast's interval.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

WINDOW_DAYS = 56  # the trailing 8 weeks the models read
TREND_DAYS = 28  # trend: the last 4 weeks against the 4 before
TREND_CAP = 0.15  # the trend moves the level by at most ±15 %
SMOOTHING = 0.5  # weight of the newest week in the smoothed weekly level
BACKTEST_WEEKS = 4  # origins a week apart: the last 28 days are tested
MIN_ORIGIN_DAYS = 14  # a location is tested from an origin with at least two weeks of history before it
MIN_HISTORY_DAYS = 21  # fewer days of history: a naive forecast, no model choice
INTERVAL = (0.10, 0.90)  # the interval: these quantiles of actual ÷ forecast in the backtest

Model = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def weekdays_of(last_day: date, length: int) -> np.ndarray:
    """The weekday (0 = Monday) of each day of a history of ``length`` days ending on ``last_day``."""
    first = (last_day - timedelta(days=length - 1)).weekday()
    return (first + np.arange(length)) % 7


def _weekday_medians(values: np.ndarray, weekdays: np.ndarray) -> np.ndarray:
    """The median of each weekday's values (index 0 = Monday); the median of all values for a weekday the
    history does not hold yet."""
    overall = float(np.median(values))
    return np.array(
        [float(np.median(values[weekdays == w])) if (weekdays == w).any() else overall for w in range(7)]
    )


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
    """The same weekday last week (its latest value); the mean of the history for a weekday not in it."""
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
        """The history up to the day before ``day``."""
        keep = len(self) - (self.last_day - day).days - 1
        return Series(self.location_id, day - timedelta(days=1), self.net_sales[:keep], self.orders[:keep])


def predict(model: Candidate, series: Series, days: Sequence[date]) -> tuple[np.ndarray, np.ndarray]:
    """Expected net sales and orders on ``days`` (after the history's last day) from ``model``."""
    weekdays = weekdays_of(series.last_day, len(series))
    targets = np.array([day.weekday() for day in days])
    return (
        model.function(series.net_sales.astype(float), weekdays, targets),
        model.function(series.orders.astype(float), weekdays, targets),
    )


def bounds(ratios: pd.Series) -> tuple[float, float] | None:
    """The interval factors: the 10th and 90th percentile of actual ÷ forecast, widened to hold 1 (the
    point forecast); None without ratios."""
    if ratios.empty:
        return None
    low, high = ratios.quantile(list(INTERVAL))
    return min(float(low), 1.0), max(float(high), 1.0)


def _mape(actual: pd.Series, expected: pd.Series) -> float | None:
    """Mean absolute percentage error over the days with an actual value above zero, one decimal."""
    kept = actual > 0
    if not kept.any():
        return None
    return round(float(((actual[kept] - expected[kept]).abs() / actual[kept]).mean() * 100), 1)


def _ratio(actual: pd.Series, expected: pd.Series) -> pd.Series:
    """actual ÷ expected where something was expected."""
    kept = expected > 0
    return actual[kept] / expected[kept]


def correlation(table: pd.DataFrame, measure: str) -> float:
    """How much the locations' backtest errors move together: the mean pairwise correlation of their
    relative errors (actual ÷ forecast − 1) over the days tested, clipped to 0–1; 0 for one location."""
    tested = table[table[f"expected_{measure}"] > 0]
    errors = (tested[f"actual_{measure}"] / tested[f"expected_{measure}"] - 1).rename("error")
    grid = pd.concat([tested[["day", "location"]], errors], axis=1).pivot(
        index="day", columns="location", values="error"
    )
    if grid.shape[1] < 2:
        return 0.0
    matrix = grid.corr().to_numpy()
    pairs = matrix[~np.eye(len(matrix), dtype=bool)]
    pairs = pairs[np.isfinite(pairs)]
    return float(np.clip(pairs.mean(), 0.0, 1.0)) if len(pairs) else 0.0


def combine(spans: Sequence[float], rho: float) -> float:
    """The half-width of a sum's interval from its parts' half-widths ``spans``, their errors correlated
    by ``rho``: √((1 − ρ)·Σ s² + ρ·(Σ s)²) — the spans added up when ρ = 1, √Σ s² when independent."""
    parts = np.asarray(spans, dtype=float)
    return float(np.sqrt((1 - rho) * (parts**2).sum() + rho * parts.sum() ** 2))


def total_interval(
    expected: Sequence[float], factors: tuple[float, float], rho: float
) -> tuple[float, float]:
    """Low and high of the sum of several locations' forecasts ``expected`` (each's own interval being
    ``factors`` times it), combined with ``combine``."""
    whole = float(sum(expected))
    below = combine([(1 - factors[0]) * value for value in expected], rho)
    above = combine([(factors[1] - 1) * value for value in expected], rho)
    return max(whole - below, 0.0), whole + above


def _coverage(table: pd.DataFrame, measure: str) -> tuple[float | None, float | None]:
    """In percent, the share of tested location-days and of tested all-locations days inside their
    intervals, each week's intervals made from the other backtest weeks' errors (each week held out)."""
    inside = tested = inside_total = tested_total = 0
    for week in table["week"].unique():
        known = table[table["week"] != week]
        factors = bounds(_ratio(*_pair(known, measure)))
        if factors is None:
            continue
        rho = correlation(known, measure)
        held = table[table["week"] == week]
        actual, expected = _pair(held, measure)
        inside += int(((actual >= expected * factors[0]) & (actual <= expected * factors[1])).sum())
        tested += len(held)
        for _, day in held.groupby("day"):
            low, high = total_interval(list(day[f"expected_{measure}"]), factors, rho)
            inside_total += int(low <= day[f"actual_{measure}"].sum() <= high)
            tested_total += 1
    return (
        round(100 * inside / tested, 1) if tested else None,
        round(100 * inside_total / tested_total, 1) if tested_total else None,
    )


def _pair(table: pd.DataFrame, measure: str) -> tuple[pd.Series, pd.Series]:
    return table[f"actual_{measure}"], table[f"expected_{measure}"]


@dataclass
class Backtest:
    """What the rolling-origin backtest found: per model its net-sales error, the chosen model, and for
    it: the errors, the interval factors per location-day, how correlated the locations' errors are (for
    the all-locations interval) and the intervals' coverage."""

    days_tested: int = 0
    errors: dict[str, float | None] = field(default_factory=dict)  # model key → net sales MAPE
    chosen: Candidate = MODELS[0]
    mape: dict[str, float | None] = field(default_factory=dict)  # net_sales / orders / total_net_sales
    factors: dict[str, tuple[float, float] | None] = field(default_factory=dict)  # per measure
    rho: dict[str, float] = field(default_factory=dict)  # per measure
    coverage: dict[str, float | None] = field(default_factory=dict)  # location / total, net sales
    tested_locations: frozenset[int] = frozenset()


def backtest(histories: Sequence[Series], last_day: date) -> Backtest:
    """Forecast each of the 4 weeks before ``last_day`` (inclusive) from the days before it, with every
    model, at every location with at least two weeks of history before that week."""
    rows = []
    for week in range(1, BACKTEST_WEEKS + 1):
        origin = last_day - timedelta(days=7 * week - 1)  # the tested week's first day
        days = [origin + timedelta(days=n) for n in range(7)]
        for series in histories:
            past = series.before(origin)
            if len(past) < MIN_ORIGIN_DAYS or series.last_day < days[-1]:
                continue
            offset = len(past)
            actual_net = series.net_sales[offset : offset + 7]
            actual_orders = series.orders[offset : offset + 7]
            for model in MODELS:
                net, orders = predict(model, past, days)
                rows.extend(
                    {
                        "model": model.key,
                        "week": week,
                        "location": series.location_id,
                        "day": day,
                        "actual_net_sales": float(actual_net[n]),
                        "expected_net_sales": net[n],
                        "actual_orders": float(actual_orders[n]),
                        "expected_orders": orders[n],
                    }
                    for n, day in enumerate(days)
                )
    if not rows:
        return Backtest()
    table = pd.DataFrame(rows)
    errors = {model.key: _mape(*_pair(table[table["model"] == model.key], "net_sales")) for model in MODELS}
    scored = [model for model in MODELS if errors[model.key] is not None]
    chosen = min(scored, key=lambda m: errors[m.key]) if scored else MODELS[0]  # type: ignore[arg-type,return-value]
    mine = table[table["model"] == chosen.key]
    totals = mine.groupby(["week", "day"], as_index=False)[["actual_net_sales", "expected_net_sales"]].sum()
    location_coverage, total_coverage = _coverage(mine, "net_sales")
    return Backtest(
        days_tested=int(mine["day"].nunique()),
        errors=errors,
        chosen=chosen,
        mape={
            "net_sales": errors[chosen.key],
            "orders": _mape(*_pair(mine, "orders")),
            "total_net_sales": _mape(*_pair(totals, "net_sales")),
        },
        factors={m: bounds(_ratio(*_pair(mine, m))) for m in ("net_sales", "orders")},
        rho={m: correlation(mine, m) for m in ("net_sales", "orders")},
        coverage={"location": location_coverage, "total": total_coverage},
        tested_locations=frozenset(int(v) for v in mine["location"].unique()),
    )
