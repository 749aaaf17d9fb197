"""The ``anomalies`` tool: the measures of a day (or a few days) outside their usual range, ranked by size,
each with the value, the expected value and range, and a one-line cause where the data shows one.

How a value is judged (see ``tools/analytics/baselines.py`` for the series and the baseline):

- Baseline: the same weekday in the trailing ``weeks`` weeks at the same location, days without orders
  skipped; a measure with fewer than ``MIN_BASELINE_DAYS`` baseline values is not checked.
- Score: the robust z = (value − median) / scale, scale = 1.4826 × MAD (the MAD of a normal series scaled
  to its standard deviation) but never below a floor, so a near-constant series does not flag a tiny
  change and eight values' MAD, small by chance, does not flag ordinary noise. The floors:
  for every measure, the location's pooled relative spread (its typical relative distance from the weekday
  medians over the same weeks, every weekday together: ``relative_spread``) times the median;
  money (net sales, average ticket, discounts, refunds): 5 % of the median and one currency unit, and for
  net sales median ÷ √(usual orders) (no steadier than the order count behind them);
  counts (orders, a platform's orders, an item's units, refund and discount counts): √median — the
  Poisson noise of a count — and 1.
- Cancellation rates: the day's canceled platform orders against the rate pooled over the baseline days,
  z = (canceled − placed × rate) / max(√(placed × rate), 1); the expected range is in percent.
- Only rises count for refunds, discounts and cancellation rates, and only drops for items' units.
  Refunds and discounts are flagged only when their count is unusually high too (the smaller score), so
  one large refund is not a spike.
- Zeros — an item that sold nothing, hours without orders: scored by the Poisson chance of seeing none
  where E are usual (E from baseline means, a count's rate), as a normal quantile (``zero_score``: −3.5
  at about 8 expected, −5 at about 15). An item's zero is judged over the run of trading days it has sold
  nothing (E = the units usually sold on those weekdays), so an item that stopped selling is found for
  every item, not just the top ten.
- An item with zero sales on several of the days checked is listed once, on the last (``_one_per_run``).
- Hourly gaps (measure ``hourly_gap``, and per platform ``hourly_gap:doordash``): the stretch of
  consecutive local hours without orders where the most were usual (value 0, expected E); a busy hour
  usually has at least ``BUSY_HOUR_ORDERS`` orders.
- Severity: high when |score| ≥ 5 or a gap spans two or more busy hours, medium when |score| ≥ 3.5.
- On a day whose orders are flagged, the platform-orders and item-units anomalies that moved with the
  whole day (same direction, change within ``FOLD_WITHIN_POINTS`` percentage points) are not listed apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import NormalDist
from typing import Annotated

import pandas as pd
from sqlalchemy import Engine

from tools.analytics.arguments import EndArg, LocationsArg, PeriodArg, StartArg
from tools.analytics.baselines import (
    Baseline,
    baseline_for,
    load_day_frame,
    location_rows,
    refund_reasons,
    relative_spread,
    weekday_means,
    window_scope,
)
from tools.analytics.definitions import definitions_for
from tools.analytics.scope import Place, Scope, build_scope
from tools.currencies import format_money, minor_unit_digits
from tools.registry import Param, ToolContext, ToolError, activity
from tools.sources.platforms import platform_display_name

MAD_TO_SIGMA = 1.4826
Z_MEDIUM = 3.5
Z_HIGH = 5.0
MIN_BASELINE_DAYS = 3
MONEY_FLOOR_SHARE = 0.05
MIN_RATE = 1.0  # percent: the least usual cancellation rate the binomial floor assumes
BUSY_HOUR_ORDERS = 5
TOP_ITEMS = 10
FOLD_WITHIN_POINTS = 20.0
MAX_PERIOD_DAYS = 92
WEEKS_RANGE = (3, 26)
LIMIT_RANGE = (1, 50)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONEY_MEASURES = ("net_sales", "average_ticket", "discounts", "refunds")
RISES_ONLY = ("refunds", "discounts")  # and both with their count: see ``with_count``
DROPS_ONLY = ("units",)

METHOD_DEFINITIONS = {
    "score": "robust z: (value − median) ÷ (1.4826 × floored MAD); a zero: its Poisson chance as a z",
    "expected_range": "median ± 3.5 × that scale",
    "severity": "high: |score| ≥ 5 or a gap over 2+ busy hours; medium: |score| ≥ 3.5",
    "cancellation_rate": "canceled ÷ placed platform orders, %",
    "hourly_gap": "hours in a row usually with orders but none (:platform: its orders)",
}


@dataclass
class Finding:
    """One checked value outside its range: where, when, which measure, the value against its baseline
    (``expected`` = median, ``scale`` the floored 1.4826 × MAD), the robust ``score`` and a cause."""

    place: Place
    day: date
    measure: str
    value: float
    expected: float
    scale: float
    score: float
    busy_hours: int = 0
    cause: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def severity(self) -> str | None:
        """ "high", "medium", or None when the value is within its range."""
        if abs(self.score) >= Z_HIGH or self.busy_hours >= 2:
            return "high"
        if abs(self.score) >= Z_MEDIUM:
            return "medium"
        return None

    @property
    def change_percent(self) -> float | None:
        """The change against the expected value, in percent; None from zero."""
        if not self.expected:
            return None
        return round(100 * (self.value - self.expected) / self.expected, 1)


@dataclass
class Detection:
    """The outcome of a check: the findings (anomalies only, unranked), how many values were checked, and
    the location-days skipped for having no orders (closed, or outside the data) or not being over yet."""

    findings: list[Finding]
    checked: int
    days_without_orders: int
    days_not_over: int


def _kind(measure: str) -> str:
    if measure in MONEY_MEASURES:
        return "money"
    if measure.startswith("cancellation_rate:"):
        return "rate"
    return "count"


def _scale(measure: str, median: float, mad: float, *, currency: str, relative: float = 0.0) -> float:
    """1.4826 × MAD, floored as the module docstring says (``relative``: the location's pooled relative
    spread of the measure, see ``relative_spread``)."""
    spread = max(MAD_TO_SIGMA * (0.0 if math.isnan(mad) else mad), relative * abs(median))
    if _kind(measure) == "money":
        return max(spread, MONEY_FLOOR_SHARE * abs(median), float(10 ** minor_unit_digits(currency)))
    return max(spread, math.sqrt(max(median, 0.0)), 1.0)


def zero_score(expected: float) -> float:
    """The score of a count of zero where ``expected`` is usual: the normal quantile of its Poisson chance
    e^−expected (−3.5 at about 8 expected, −5 at about 15)."""
    chance = max(math.exp(-expected), 1e-300)
    return min(0.0, NormalDist().inv_cdf(min(chance, 0.5)))


def _hours_label(hours: list[int]) -> str:
    return f"{hours[0]:02d}:00–{(hours[-1] + 1) % 24:02d}:00"


def _count(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(float(value), 1)


def day_label(day: date) -> str:
    """A day as results show it: "2026-11-21 (Sat)"."""
    return f"{day.isoformat()} ({WEEKDAYS[day.weekday()]})"


def measure_label(measure: str) -> str:
    """How a measure reads in a result: "net sales", "DoorDash orders", "Falafel Bowl units sold"."""
    kind, _, rest = measure.partition(":")
    if kind == "orders" and rest:
        return f"{platform_display_name(rest)} orders"
    if kind == "cancellation_rate":
        return f"{platform_display_name(rest)} cancellation rate (%)"
    if kind == "units":
        return f"{rest} units sold"
    if kind == "hourly_gap" and rest:
        return f"{platform_display_name(rest)} orders in hours that usually have some"
    return {"hourly_gap": "orders in hours that usually have some"}.get(measure, measure.replace("_", " "))


class _LocationDay:
    """Checks one location's measures on one day against their baseline."""

    def __init__(
        self, place: Place, day: date, rows: pd.DataFrame, base: Baseline, weeks: int, spread: pd.Series
    ):
        self.place, self.day, self.rows, self.base, self.weeks = place, day, rows, base, weeks
        self.spread = spread
        self.usual_orders = float(base.median.get("orders", 0.0))
        self.gap: Finding | None = None  # the day's longest stretch of usually busy hours without orders
        self.row = rows.loc[pd.Timestamp(day)]
        self.checked = 0
        self.findings: list[Finding] = []

    def usable(self, measure: str) -> bool:
        return (
            measure in self.row.index
            and not pd.isna(self.row[measure])
            and self.base.count.get(measure, 0) >= MIN_BASELINE_DAYS
        )

    def score(self, measure: str) -> Finding | None:
        """The measure's value judged against its baseline (counted as checked); None when unusable."""
        if not self.usable(measure):
            return None
        self.checked += 1
        value, median = float(self.row[measure]), float(self.base.median[measure])
        relative = float(self.spread.get(measure, 0.0))
        if measure == "net_sales":  # net sales are no steadier than the order count behind them
            relative = max(
                0.0 if math.isnan(relative) else relative, 1 / math.sqrt(max(self.usual_orders, 1.0))
            )
        mad = float(self.base.mad[measure])
        scale = _scale(
            measure,
            median,
            mad,
            currency=self.place.currency,
            relative=0.0 if math.isnan(relative) else relative,
        )
        score = (value - median) / scale
        if measure in RISES_ONLY:
            score = max(score, 0.0)
        if measure.partition(":")[0] in DROPS_ONLY:
            score = min(score, 0.0)
        return Finding(self.place, self.day, measure, value, median, scale, score)

    def cancellations(self, platform: str) -> Finding | None:
        """The platform's cancellation rate: its canceled orders against the pooled usual rate of the
        baseline days, scored on the count (Poisson noise of the expected cancellations, at least 1)."""
        measure = f"cancellation_rate:{platform}"
        if not self.usable(measure):
            return None
        self.checked += 1
        placed, canceled = float(self.row[f"placed:{platform}"]), float(self.row[f"canceled:{platform}"])
        usual_placed = float(self.base.mean[f"placed:{platform}"])
        usual = float(self.base.mean[f"canceled:{platform}"]) / usual_placed if usual_placed else 0.0
        noise = max(math.sqrt(placed * usual), 1.0)
        score = max(0.0, (canceled - placed * usual) / noise)
        return Finding(
            self.place, self.day, measure, float(self.row[measure]), 100 * usual, 100 * noise / placed, score
        )

    def keep(self, finding: Finding | None) -> None:
        if finding is not None and finding.severity is not None:
            self.findings.append(finding)

    def run(self, top_items: list[str], platforms: list[str]) -> None:
        for measure in ("net_sales", "orders", "average_ticket"):
            self.keep(self.score(measure))
        self.keep(self.with_count("discounts", "discount_count"))
        self.keep(self.with_count("refunds", "refund_count"))
        for platform in platforms:
            self.keep(self.score(f"orders:{platform}"))
            self.keep(self.cancellations(platform))
        for column in [c for c in self.row.index if c.startswith("units:")]:
            self.keep(self.units(column, column in top_items))
        self.keep(self.hourly_gap())
        for platform in platforms:
            self.keep(self.hourly_gap(platform))
        self.explain()

    def with_count(self, measure: str, count: str) -> Finding | None:
        """Refunds or discounts: an amount flagged only when their count is unusually high too (the smaller
        of the two scores), so one large refund or discount is not a spike."""
        amount = self.score(measure)
        if amount is None or not self.usable(count):
            return amount
        usual = float(self.base.median[count])
        scale = _scale(count, usual, float(self.base.mad[count]), currency="")
        amount.score = max(0.0, min(amount.score, (float(self.row[count]) - usual) / scale))
        amount.extra = {"count": int(self.row[count]), "usual_count": usual}
        return amount

    def units(self, column: str, top: bool) -> Finding | None:
        value = self.row[column]
        if value == 0 and self.usable(column) and self.base.median[column] >= 1:
            return self.zero_run(column)
        return self.score(column) if top else None

    def zero_run(self, column: str) -> Finding:
        """An item selling nothing, judged over the run of trading days it has sold nothing."""
        self.checked += 1
        units = self.rows.loc[: pd.Timestamp(self.day), column].iloc[::-1]
        sold = units != 0
        run = [stamp.date() for stamp in units.index[: int(sold.argmax()) if sold.any() else len(units)]]
        usual = weekday_means(self.rows, column, run[-1], self.weeks)
        median = float(self.base.median[column])
        mean = float(self.base.mean[column])
        expected = sum(float(usual.get(d.weekday(), mean)) for d in run)
        finding = Finding(self.place, self.day, column, 0.0, median, math.sqrt(max(median, 1.0)), 0.0)
        finding.score = zero_score(expected)
        finding.extra = {"since": run[-1]} if len(run) > 1 else {}
        return finding

    def hour_values(
        self, platform: str | None = None, *, mean: bool = False
    ) -> list[tuple[int, float, float]]:
        """(hour, value, usual) of every hour with orders that day or usually (one platform's orders, or
        all orders); usual = the baseline median, or with ``mean`` the mean (a count's Poisson rate)."""
        prefix = f"platform_hour:{platform}:" if platform else "hour:"
        statistic = self.base.mean if mean else self.base.median
        hours = []
        for column in [c for c in self.row.index if c.startswith(prefix)]:
            median = float(statistic.get(column, 0.0))
            value = float(self.row[column])
            if (median > 0 or value > 0) and self.base.count.get(column, 0) >= MIN_BASELINE_DAYS:
                hours.append((int(column.removeprefix(prefix)), value, median))
        return sorted(hours)

    def hourly_gap(self, platform: str | None = None) -> Finding | None:
        """The day's longest stretch of consecutive hours without orders, by the orders usually in them
        (the baseline mean per hour), scored by the Poisson chance of none (``zero_score``); checked when
        some hour usually has at least one order."""
        hours = self.hour_values(platform, mean=True)
        if not any(m >= 1 for _, _, m in hours):
            return None
        self.checked += 1
        runs: list[list[tuple[int, float, float]]] = []
        previous = None  # the last hour seen, and whether it had no orders
        for hour, value, usual in hours:
            if value == 0:
                if previous == (hour - 1, True):
                    runs[-1].append((hour, value, usual))
                else:
                    runs.append([(hour, value, usual)])
            previous = (hour, value == 0)
        if not runs:
            return None
        worst = max(runs, key=lambda r: sum(m for _, _, m in r))
        expected = round(sum(m for _, _, m in worst), 1)
        busy = sum(1 for _, _, m in worst if m >= BUSY_HOUR_ORDERS)
        hours = _hours_label([h for h, _, _ in worst])
        measure = f"hourly_gap:{platform}" if platform else "hourly_gap"
        finding = Finding(self.place, self.day, measure, 0.0, expected, math.sqrt(expected), 0.0, busy)
        finding.score = zero_score(expected)
        if platform:
            name = platform_display_name(platform)
            finding.cause = f"no {name} orders {hours} (usually {_count(expected)})"
            canceled = int(self.row.get(f"canceled:{platform}", 0))
            if canceled:
                finding.cause += f"; {canceled} canceled"
        else:
            finding.cause = f"no orders {hours} (usually {_count(expected)})"
            self.gap = finding
        return finding

    # --- causes ------------------------------------------------------------------------------------------

    def explain(self) -> None:
        by_measure = {f.measure: f for f in self.findings}
        for finding in self.findings:
            kind, _, rest = finding.measure.partition(":")
            if finding.cause:
                continue
            if kind in ("net_sales", "orders") and not rest:
                finding.cause = self.volume_cause(finding)
            elif kind == "orders":
                rate = by_measure.get(f"cancellation_rate:{rest}")
                finding.cause = self.rate_cause(rate) if rate else None
            elif kind == "cancellation_rate":
                finding.cause = self.rate_cause(finding)
            elif kind == "units":
                finding.cause = self.units_cause(finding)
            elif kind == "discounts":
                usual = _count(finding.extra.get("usual_count", 0))
                finding.cause = f"{finding.extra.get('count', 0)} discounts used (usually {usual})"
        self.fold(by_measure.get("orders"))

    def rate_cause(self, finding: Finding) -> str:
        platform = finding.measure.partition(":")[2]
        canceled, placed = int(self.row[f"canceled:{platform}"]), int(self.row[f"placed:{platform}"])
        return (
            f"{platform_display_name(platform)} cancellations {finding.value:.0f} % vs usual "
            f"{finding.expected:.0f} % ({canceled} of {placed} orders)"
        )

    def units_cause(self, finding: Finding) -> str:
        item = finding.measure.partition(":")[2]
        if finding.value == 0 and "since" in finding.extra:
            since = finding.extra["since"]
            return f"{item}: 0 sold since {since:%a} {since} (usually {_count(finding.expected)} a day)"
        return f"{item}: {_count(finding.value)} sold (usually {_count(finding.expected)})"

    def volume_cause(self, finding: Finding) -> str | None:
        """Why the day's orders or net sales moved: a stretch of hours, a platform, or the average ticket."""
        sign = -1.0 if finding.score < 0 else 1.0
        if finding.measure == "net_sales":
            orders_change = self.relative_change("orders")
            sales_change = self.relative_change("net_sales")
            if abs(orders_change) < 0.5 * abs(sales_change):
                ticket = self.row["average_ticket"]
                usual = self.base.median["average_ticket"]
                currency = self.place.currency
                return (
                    f"average ticket {format_money(round(ticket), currency)} vs usual "
                    f"{format_money(round(usual), currency)}"
                )
        moved = sign * (self.row["orders"] - self.base.median["orders"])
        if moved <= 0:
            return None
        if sign < 0 and self.gap is not None and self.gap.expected >= 0.5 * moved:
            return self.gap.cause
        hours = self.hour_values()
        window, window_moved = _biggest_stretch([(h, sign * (v - m)) for h, v, m in hours])
        usual_total = sum(m for _, _, m in hours) or 1.0
        in_window = [(h, v, m) for h, v, m in hours if h in window]
        usual_in_window = sum(m for _, _, m in in_window)
        all_day = usual_in_window >= 0.75 * usual_total
        candidates: list[tuple[float, str]] = []
        if window:
            value_in_window = sum(v for _, v, _ in in_window)
            if value_in_window == 0:
                text = f"no orders {_hours_label(window)} (usually {_count(usual_in_window)})"
            elif all_day:
                text = (
                    f"{'fewer' if sign < 0 else 'more'} orders all day: {_count(self.row['orders'])} "
                    f"vs usual {_count(self.base.median['orders'])}"
                )
            else:
                text = (
                    f"{'few' if sign < 0 else 'more'} orders {_hours_label(window)}: "
                    f"{_count(value_in_window)} vs usual {_count(usual_in_window)}"
                )
            candidates.append((0.5 if all_day else window_moved / moved, text))
        for column in [c for c in self.row.index if c.startswith("orders:")]:
            if not self.usable(column):
                continue
            value, usual = self.row[column], self.base.median[column]
            share = sign * (value - usual) / moved
            name = platform_display_name(column.partition(":")[2])
            text = f"{name} orders {_count(value)} vs usual {_count(usual)}"
            candidates.append((share if share >= 0.5 else 0.0, text))
        best = max(candidates, default=(0.0, ""))
        return best[1] if best[0] > 0 else None

    def relative_change(self, measure: str) -> float:
        usual = float(self.base.median[measure])
        return (float(self.row[measure]) - usual) / usual if usual else 0.0

    def fold(self, orders: Finding | None) -> None:
        """Drop the platform and item anomalies that moved with the whole day's orders."""
        if orders is None or orders.change_percent is None:
            return

        def moved_with_day(f: Finding) -> bool:
            kind, _, rest = f.measure.partition(":")
            if kind not in ("orders", "units") or not rest or f.change_percent is None:
                return False
            same_way = (f.score < 0) == (orders.score < 0)
            return same_way and abs(f.change_percent - orders.change_percent) < FOLD_WITHIN_POINTS

        self.findings = [f for f in self.findings if not moved_with_day(f)]


def _biggest_stretch(moves: list[tuple[int, float]]) -> tuple[list[int], float]:
    """The consecutive hours with the largest summed move (Kadane), and that sum; ([], 0) when none."""
    best: tuple[list[int], float] = ([], 0.0)
    current: list[int] = []
    running = 0.0
    for hour, move in moves:
        if current and hour != current[-1] + 1:
            current, running = [], 0.0
        if running + move <= 0:
            current, running = [], 0.0
            continue
        current, running = [*current, hour], running + move
        if running > best[1]:
            best = (list(current), running)
    return best


def detect(engine: Engine, scope: Scope, *, weeks: int = 8, today: date | None = None) -> Detection:
    """Check every location and day of the scope; days on or after ``today`` are not over and not checked."""
    days = scope.days()
    first, last = min(days), max(days)
    window = window_scope(scope, first - timedelta(weeks=weeks), last)
    with engine.connect() as conn:
        frame = load_day_frame(conn, window)
        detection = Detection([], 0, 0, 0)
        for place in scope.places:
            rows = location_rows(frame, place.id)
            units = rows.loc[rows.index < pd.Timestamp(first)].filter(like="units:").sum()
            top_items = list(units[units > 0].nlargest(TOP_ITEMS).index)
            platforms = sorted(
                c.partition(":")[2] for c in rows.columns if c.startswith("orders:") and rows[c].sum() > 0
            )
            for day in days:
                if today is not None and day >= today:
                    detection.days_not_over += 1
                    continue
                if pd.Timestamp(day) not in rows.index:
                    detection.days_without_orders += 1
                    continue
                base = baseline_for(rows, day, weeks)
                if len(base.days) < MIN_BASELINE_DAYS:
                    continue
                spread = relative_spread(rows, day, weeks)
                check = _LocationDay(place, day, rows, base, weeks, spread)
                check.run(top_items, platforms)
                detection.checked += check.checked
                for finding in check.findings:
                    if finding.measure == "refunds":
                        finding.cause = _refund_cause(conn, finding)
                detection.findings.extend(check.findings)
    detection.findings = _one_per_run(detection.findings)
    return detection


def _one_per_run(findings: list[Finding]) -> list[Finding]:
    """An item that has sold nothing for several of the days checked is listed once: on the last of them,
    whose cause says since when."""
    last_of_run: dict[tuple, date] = {}
    for f in findings:
        if "since" in f.extra:
            key = (f.place.id, f.measure, f.extra["since"])
            last_of_run[key] = max(last_of_run.get(key, f.day), f.day)
    return [
        f
        for f in findings
        if "since" not in f.extra or last_of_run[(f.place.id, f.measure, f.extra["since"])] == f.day
    ]


def _refund_cause(conn, finding: Finding) -> str:
    currency = finding.place.currency
    reasons = refund_reasons(conn, finding.place.id, finding.day)
    listed = ", ".join(f"{reason} {format_money(amount, currency)}" for reason, amount in reasons)
    usual = _count(finding.extra.get("usual_count", 0))
    return f"{finding.extra.get('count', 0)} refunds (usually {usual}); largest: {listed}"


def _shown(measure: str, value: float, currency: str):
    if _kind(measure) == "money":
        return format_money(round(value), currency)
    if _kind(measure) == "rate":
        return round(value, 1)
    return _count(round(value, 1))


def as_dict(finding: Finding) -> dict:
    """A finding as results show it (the contract's anomaly dict)."""
    currency = finding.place.currency
    low = max(0.0, finding.expected - Z_MEDIUM * finding.scale)
    high = finding.expected + Z_MEDIUM * finding.scale
    return {
        "location": finding.place.label,
        "day": day_label(finding.day),
        "measure": finding.measure,
        "label": measure_label(finding.measure),
        "value": _shown(finding.measure, finding.value, currency),
        "expected": _shown(finding.measure, finding.expected, currency),
        "expected_range": [_shown(finding.measure, low, currency), _shown(finding.measure, high, currency)],
        "change_percent": finding.change_percent,
        "score": round(finding.score, 1),
        "severity": finding.severity,
        "cause": finding.cause,
    }


def ranked(findings: list[Finding]) -> list[Finding]:
    """Largest |score| first; high severity before medium at equal size; then location, day, measure."""
    return sorted(
        findings,
        key=lambda f: (-abs(f.score), f.severity != "high", f.place.position, f.day, f.measure),
    )


def find_anomalies(
    engine: Engine, scope: Scope, *, weeks: int = 8, limit: int = 10, today: date | None = None
) -> list[dict]:
    """The scope's anomalies as the tool lists them, largest first, at most ``limit`` (for the brief)."""
    return [as_dict(f) for f in ranked(detect(engine, scope, weeks=weeks, today=today).findings)[:limit]]


def _definitions(findings: list[Finding]) -> dict[str, str]:
    """The definitions of the terms the listed anomalies use: their measures and how they are scored."""
    kinds = {f.measure.partition(":")[0] for f in findings}
    shared = [t for t in ("net_sales", "orders", "average_ticket", "discounts", "refunds") if t in kinds]
    method = [
        "score",
        "expected_range",
        "severity",
        *(t for t in ("cancellation_rate", "hourly_gap") if t in kinds),
    ]
    return {
        **definitions_for(*shared, "business_day"),
        **{term: METHOD_DEFINITIONS[term] for term in method},
        **({"units": "units of the item sold on counted orders"} if "units" in kinds else {}),
    }


def _check_range(name: str, value: int, bounds: tuple[int, int]) -> None:
    if not bounds[0] <= value <= bounds[1]:
        raise ToolError(f"{name} must be between {bounds[0]} and {bounds[1]}, got {value}")


@activity("looking for anomalies")
def anomalies(
    ctx: ToolContext,
    period: PeriodArg = None,
    locations: LocationsArg = None,
    start_date: StartArg = None,
    end_date: EndArg = None,
    limit: Annotated[int, Param("At most this many, largest first (1–50).")] = 10,
    weeks: Annotated[int, Param("Weeks of baseline (3–26).")] = 8,
) -> dict:
    """What was unusual on a day per location (sales, orders, ticket, discounts, refunds, platform orders,
    cancellations, items, hours without orders) against the same weekday's median: ranked, with the
    expected range, severity and likely cause."""
    _check_range("limit", limit, LIMIT_RANGE)
    _check_range("weeks", weeks, WEEKS_RANGE)
    scope = build_scope(ctx, period=period, start_date=start_date, end_date=end_date, locations=locations)
    if scope.period.days > MAX_PERIOD_DAYS:
        raise ToolError(
            f"{scope.period.label} is {scope.period.days} days — anomalies covers at most {MAX_PERIOD_DAYS}; "
            "ask about a day, a week or a month"
        )
    detection = detect(ctx.engine, scope, weeks=weeks, today=ctx.today)
    findings = ranked(detection.findings)
    result: dict = {
        **scope.coverage(),
        "definitions": _definitions(findings[:limit]),
        "baseline": (
            f"median and MAD of the same weekday over the trailing {weeks} weeks "
            "(days without orders skipped)"
        ),
        "anomalies": [as_dict(f) for f in findings[:limit]],
        "checked": detection.checked,
        "anomalies_omitted": max(0, len(findings) - limit),
    }
    if note := scope.coverage_note():
        result["data_note"] = note
    skipped = []
    if detection.days_without_orders:
        skipped.append(f"{detection.days_without_orders} location-day(s) without orders (closed or no data)")
    if detection.days_not_over:
        skipped.append(f"{detection.days_not_over} location-day(s) not over yet")
    if skipped:
        result["not_checked"] = "; ".join(skipped)
    return result
