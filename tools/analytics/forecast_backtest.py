"""The rolling-origin backtest that picks ``forecast_sales``'s model and sizes its interval.

Each of the last 4 weeks of the history is forecast, with every model, from the days before that week, at
every location with at least two weeks of history before it. The model with the lowest error on net sales
(MAPE over location-days) is used. Its ratios actual ÷ forecast give a location's interval (their 10th and
90th percentile); the locations' intervals combine into the all-locations one through how correlated their
errors were. Coverage is measured honestly: each week's intervals are made from the other weeks' errors.
Arrays are (weeks, locations, 7 days), NaN where a location was not tested.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from tools.analytics.forecast_models import MODELS, Candidate, Series, predict

BACKTEST_WEEKS = 4  # origins a week apart: the last 28 days are tested
MIN_ORIGIN_DAYS = 14  # a location is tested from an origin with at least two weeks of history before it
INTERVAL = (0.10, 0.90)  # the interval: these quantiles of actual ÷ forecast in the backtest
MEASURES = ("net_sales", "orders")
TOLERANCE = 0.5  # values are shown rounded to whole units: inside the interval within half a unit


def _mape(actual: np.ndarray, expected: np.ndarray) -> float | None:
    """Mean absolute percentage error over the tested values above zero, one decimal."""
    kept = np.isfinite(actual) & (actual > 0)
    if not kept.any():
        return None
    return round(float((np.abs(actual[kept] - expected[kept]) / actual[kept]).mean() * 100), 1)


def _ratios(actual: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """actual ÷ expected of the tested values where something was expected."""
    kept = np.isfinite(actual) & (expected > 0)
    return actual[kept] / expected[kept]


def bounds(ratios: np.ndarray) -> tuple[float, float] | None:
    """The interval factors: the 10th and 90th percentile of actual ÷ forecast, widened to hold 1 (the
    point forecast); None without ratios."""
    if not len(ratios):
        return None
    low, high = np.quantile(ratios, INTERVAL)
    return min(float(low), 1.0), max(float(high), 1.0)


def correlation(actual: np.ndarray, expected: np.ndarray) -> float:
    """How much the locations' errors move together: the mean pairwise correlation of their relative
    errors (actual ÷ forecast − 1) over the days tested, clipped to 0–1; 0 for a single location."""
    with np.errstate(divide="ignore", invalid="ignore"):
        errors = np.where(expected > 0, actual / expected - 1, np.nan)
    by_day = errors.transpose(0, 2, 1).reshape(-1, errors.shape[1])  # (days, locations)
    found = []
    for i in range(by_day.shape[1]):
        for j in range(i + 1, by_day.shape[1]):
            both = np.isfinite(by_day[:, i]) & np.isfinite(by_day[:, j])
            x, y = by_day[both, i], by_day[both, j]
            if len(x) >= 3 and x.std() > 0 and y.std() > 0:
                found.append(float(((x - x.mean()) * (y - y.mean())).mean() / (x.std() * y.std())))
    return float(np.clip(np.mean(found), 0.0, 1.0)) if found else 0.0


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


def _coverage(actual: np.ndarray, expected: np.ndarray) -> tuple[float | None, float | None]:
    """In percent: the tested location-days, and the tested all-locations days, inside their intervals,
    each week's intervals made from the other weeks' errors."""
    inside = tested = inside_total = tested_total = 0
    for week in range(actual.shape[0]):
        others = np.delete(np.arange(actual.shape[0]), week)
        factors = bounds(_ratios(actual[others], expected[others]))
        held, forecast = actual[week], expected[week]
        if factors is None or not np.isfinite(held).any():
            continue
        rho = correlation(actual[others], expected[others])
        kept = np.isfinite(held)
        low, high = forecast * factors[0] - TOLERANCE, forecast * factors[1] + TOLERANCE
        inside += int(((held >= low) & (held <= high))[kept].sum())
        tested += int(kept.sum())
        for day in range(held.shape[1]):
            here = kept[:, day]
            if here.any():
                total_low, total_high = total_interval(forecast[here, day], factors, rho)
                inside_total += int(total_low - TOLERANCE <= held[here, day].sum() <= total_high + TOLERANCE)
                tested_total += 1
    return (
        round(100 * inside / tested, 1) if tested else None,
        round(100 * inside_total / tested_total, 1) if tested_total else None,
    )


@dataclass
class Backtest:
    """What the backtest found: per model its net-sales MAPE, the chosen model, and for it: its errors
    (net sales and orders per location-day, net sales of the all-locations total per day), its interval
    factors, how correlated the locations' errors were, and the intervals' coverage."""

    days_tested: int = 0
    errors: dict[str, float | None] = field(default_factory=dict)  # model key → net sales MAPE
    chosen: Candidate = MODELS[0]
    mape: dict[str, float | None] = field(default_factory=dict)  # net_sales / orders / total_net_sales
    factors: dict[str, tuple[float, float] | None] = field(default_factory=dict)  # per measure
    rho: dict[str, float] = field(default_factory=dict)  # per measure
    coverage: dict[str, float | None] = field(default_factory=dict)  # location / total, net sales
    tested_locations: frozenset[int] = frozenset()


def backtest(histories: Sequence[Series], last_day: date) -> Backtest:
    """Forecast each of the 4 weeks up to ``last_day`` from the days before it, with every model."""
    shape = (BACKTEST_WEEKS, len(histories), 7)
    actual = {m: np.full(shape, np.nan) for m in MEASURES}
    expected = {model.key: {m: np.full(shape, np.nan) for m in MEASURES} for model in MODELS}
    for week in range(BACKTEST_WEEKS):
        first = last_day - timedelta(days=7 * week + 6)  # the tested week's first day
        days = [first + timedelta(days=n) for n in range(7)]
        for place, series in enumerate(histories):
            past = series.before(first)
            if len(past) < MIN_ORIGIN_DAYS or series.last_day < days[-1]:
                continue
            actual["net_sales"][week, place] = series.net_sales[len(past) : len(past) + 7]
            actual["orders"][week, place] = series.orders[len(past) : len(past) + 7]
            for model in MODELS:
                net, orders = predict(model, past, days)
                expected[model.key]["net_sales"][week, place] = net
                expected[model.key]["orders"][week, place] = orders
    tested = np.isfinite(actual["net_sales"])
    if not tested.any():
        return Backtest()
    errors = {model.key: _mape(actual["net_sales"], expected[model.key]["net_sales"]) for model in MODELS}
    scored = [model for model in MODELS if errors[model.key] is not None]
    chosen = min(scored, key=lambda model: errors[model.key] or 0.0) if scored else MODELS[0]
    mine = expected[chosen.key]
    days_tested = tested.any(axis=1)  # (weeks, 7)
    total_actual = np.where(days_tested, np.nansum(actual["net_sales"], axis=1), np.nan)
    total_expected = np.nansum(np.where(tested, mine["net_sales"], 0.0), axis=1)
    location_coverage, total_coverage = _coverage(actual["net_sales"], mine["net_sales"])
    return Backtest(
        days_tested=int(days_tested.sum()),
        errors=errors,
        chosen=chosen,
        mape={
            "net_sales": errors[chosen.key],
            "orders": _mape(actual["orders"], mine["orders"]),
            "total_net_sales": _mape(total_actual, total_expected),
        },
        factors={m: bounds(_ratios(actual[m], mine[m])) for m in MEASURES},
        rho={m: correlation(actual[m], mine[m]) for m in MEASURES},
        coverage={"location": location_coverage, "total": total_coverage},
        tested_locations=frozenset(
            series.location_id for place, series in enumerate(histories) if tested[:, place].any()
        ),
    )
