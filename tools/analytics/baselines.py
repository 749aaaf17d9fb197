"""Per-location, per-day measure series read from the rollups, and their robust same-weekday baselines.

``load_day_frame`` reads, in six grouped queries, every measure the anomaly check looks at for each
(location, business day) of a window, and returns one wide pandas frame: a row per location and trading day
(a day with at least one counted order; days without orders — closures, days before a location opened or
after the data ends — have no row, so they never enter a baseline), a column per measure:

- ``orders``, ``net_sales``, ``discounts`` (minor units), ``discount_count`` (discounts applied),
  ``average_ticket`` (net sales ÷ orders);
- per delivery platform P: ``orders:P``, ``placed:P`` (completed + canceled), ``canceled:P`` and
  ``cancellation_rate:P`` (percent of placed; missing when nothing was placed);
- per local hour H: ``hour:H`` (orders in that hour), and per platform ``platform_hour:P:H``;
- per menu item I: ``units:I``;
- ``refunds`` (amount, on the refund's own day) and ``refund_count``.

``baseline_for`` gives, for one location and day, the median, MAD, mean and number of values of each
measure over the same weekday in the trailing weeks.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Connection, func, select

from tools.analytics.business_calendar import Period
from tools.analytics.scope import ORDERS, Scope
from tools.store.models import (
    DailyDiscounts,
    DailyItemsAllChannels,
    DailySales,
    HourlySales,
    HourlySalesAllChannels,
    Refund,
)
from tools.store.rollups_refunds import COUNTED_REFUNDS

DAILY = DailySales.__table__
REFUNDS = Refund.__table__
HOURLY_ALL = HourlySalesAllChannels.__table__
HOURLY = HourlySales.__table__
ITEMS_ALL = DailyItemsAllChannels.__table__
DAILY_DISCOUNTS = DailyDiscounts.__table__

# Columns filled with 0 where a trading day has no row for them (a platform or item not sold that day); the
# others (rates, average ticket) stay missing when undefined.
_ZERO_PREFIXES = (
    "orders",
    "net_sales",
    "discount",
    "placed:",
    "canceled:",
    "hour:",
    "platform_hour:",
    "units:",
    "refund",
)


def window_scope(scope: Scope, start: date, end: date) -> Scope:
    """The scope's locations over ``start``..``end``, without weekday, hour, channel or platform filters."""
    return replace(
        scope,
        period=Period(start, end, f"{start}..{end}"),
        weekdays=(),
        hours=None,
        channels=(),
        platforms=(),
        items=(),
    )


def _frame(rows, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([tuple(row) for row in rows], columns=columns)


def _per_day(conn: Connection, scope: Scope, table, by: list[str], sums: dict, *conditions) -> pd.DataFrame:
    """A rollup's ``sums`` (name → column) per location, business day and the ``by`` columns, in the
    scope, as a frame with those names as columns."""
    keys = [table.c.location_id, table.c.business_date, *(table.c[name] for name in by)]
    query = (
        select(*keys, *(func.sum(column) for column in sums.values()))
        .where(*scope.rollup_conditions(table), *conditions)
        .group_by(*keys)
    )
    return _frame(conn.execute(query), ["location_id", "business_date", *by, *sums])


def load_day_frame(conn: Connection, scope: Scope) -> pd.DataFrame:
    """The wide frame described in the module docstring for the scope's locations and period, indexed by
    (location_id, business_date), trading days only, columns sorted by name."""
    daily = _per_day(
        conn,
        scope,
        DAILY,
        ["platform"],
        {
            "orders": DAILY.c.orders,
            "net_sales": DAILY.c.net_sales,
            "discounts": DAILY.c.discounts,
            "canceled": DAILY.c.canceled_orders,
        },
    )
    keys = ["location_id", "business_date"]
    if daily.empty:
        return pd.DataFrame(index=pd.MultiIndex.from_tuples([], names=keys))
    for column in ("orders", "net_sales", "discounts", "canceled"):
        daily[column] = daily[column].astype("int64")
    wide = daily.groupby(keys)[["orders", "net_sales", "discounts"]].sum()
    on_platform = daily[daily["platform"] != ""].assign(placed=lambda f: f["orders"] + f["canceled"])
    parts = [wide]
    for measure in ("orders", "placed", "canceled"):
        part = on_platform.pivot_table(index=keys, columns="platform", values=measure, aggfunc="sum")
        parts.append(part.rename(columns=lambda p, m=measure: f"{m}:{p}"))
    hourly = _per_day(conn, scope, HOURLY_ALL, ["local_hour"], {"orders": HOURLY_ALL.c.orders})
    if not hourly.empty:
        part = hourly.pivot_table(index=keys, columns="local_hour", values="orders", aggfunc="sum")
        parts.append(part.rename(columns=lambda h: f"hour:{int(h)}"))
    on_platforms = _per_day(
        conn, scope, HOURLY, ["platform", "local_hour"], {"orders": HOURLY.c.orders}, HOURLY.c.platform != ""
    )
    if not on_platforms.empty:
        part = on_platforms.pivot_table(
            index=keys, columns=["platform", "local_hour"], values="orders", aggfunc="sum"
        )
        part.columns = [f"platform_hour:{platform}:{int(hour)}" for platform, hour in part.columns]
        parts.append(part)
    items = _per_day(conn, scope, ITEMS_ALL, ["item"], {"units": ITEMS_ALL.c.quantity})
    if not items.empty:
        part = items.pivot_table(index=keys, columns="item", values="units", aggfunc="sum")
        parts.append(part.rename(columns=lambda i: f"units:{i}"))
    discounts = _per_day(conn, scope, DAILY_DISCOUNTS, [], {"discount_count": DAILY_DISCOUNTS.c.times_used})
    if not discounts.empty:
        parts.append(discounts.set_index(keys).astype("int64"))
    refunds = _frame(conn.execute(_refunds_per_day(scope)), [*keys, "refund_count", "refunds"])
    if not refunds.empty:
        parts.append(refunds.set_index(keys).astype("int64"))
    frame = pd.concat(parts, axis=1)
    frame = frame[frame["orders"].fillna(0) > 0]
    zero = [c for c in frame.columns if c.startswith(_ZERO_PREFIXES)]
    frame[zero] = frame[zero].fillna(0)
    frame["average_ticket"] = frame["net_sales"] / frame["orders"]
    for column in [c for c in frame.columns if c.startswith("placed:")]:
        platform = column.removeprefix("placed:")
        placed = frame[column].where(frame[column] > 0)
        frame[f"cancellation_rate:{platform}"] = 100 * frame[f"canceled:{platform}"] / placed
    for column in ("refunds", "refund_count", "discount_count"):
        if column not in frame.columns:
            frame[column] = 0
    frame = frame.sort_index(axis=1).sort_index()
    # one float block (not one per column): the per-day medians then run as single numpy reductions
    return pd.DataFrame(
        frame.to_numpy(dtype="float64"), index=frame.index.set_names(keys), columns=frame.columns
    )


def _refunds_per_day(scope: Scope):
    """Counted refunds (count, amount) per location and the refund's own business day."""
    location = ORDERS.c.location_id
    return (
        select(location, REFUNDS.c.business_date, func.count(), func.sum(REFUNDS.c.amount))
        .select_from(REFUNDS.join(ORDERS, ORDERS.c.id == REFUNDS.c.order_id))
        .where(
            REFUNDS.c.business_date.between(scope.period.start, scope.period.end),
            REFUNDS.c.status.in_(COUNTED_REFUNDS),
            ORDERS.c.duplicate_of_id.is_(None),
            location.in_([p.id for p in scope.places]),
        )
        .group_by(location, REFUNDS.c.business_date)
    )


def refund_reasons(conn: Connection, location_id: int, day: date, limit: int = 2) -> list[tuple[str, int]]:
    """The largest refund reasons (reason, amount) of one location and day, largest first."""
    reason = func.coalesce(REFUNDS.c.reason, "no reason given")
    rows = conn.execute(
        select(reason, func.sum(REFUNDS.c.amount))
        .select_from(REFUNDS.join(ORDERS, ORDERS.c.id == REFUNDS.c.order_id))
        .where(
            REFUNDS.c.business_date == day,
            REFUNDS.c.status.in_(COUNTED_REFUNDS),
            ORDERS.c.duplicate_of_id.is_(None),
            ORDERS.c.location_id == location_id,
        )
        .group_by(reason)
        .order_by(func.sum(REFUNDS.c.amount).desc(), reason)
        .limit(limit)
    ).all()
    return [(str(name), int(amount)) for name, amount in rows]


@dataclass(frozen=True)
class Baseline:
    """One location's baseline for one day: the trading days of the same weekday in the trailing weeks
    (``days``), and per measure (the frame's columns) the ``median``, the median absolute deviation
    ``mad``, the ``mean`` and ``count`` (how many of those days have a value)."""

    days: list[date]
    median: pd.Series
    mad: pd.Series
    mean: pd.Series
    count: pd.Series


def baseline_days(day: date, weeks: int) -> list[date]:
    """The same weekday in each of the ``weeks`` weeks before ``day``, latest first."""
    return [day - timedelta(weeks=n) for n in range(1, weeks + 1)]


def location_rows(frame: pd.DataFrame, location_id: int) -> pd.DataFrame:
    """One location's rows of the day frame, indexed by day (a sorted DatetimeIndex); empty when none."""
    if location_id not in frame.index.get_level_values(0):
        return pd.DataFrame(columns=frame.columns, index=pd.DatetimeIndex([]))
    rows = frame.loc[location_id]
    return rows.set_axis(pd.DatetimeIndex(rows.index)).sort_index()


def _before(rows: pd.DataFrame, before: date, weeks: int) -> pd.DataFrame:
    """The rows of the ``weeks`` weeks before ``before``."""
    end = pd.Timestamp(before) - pd.Timedelta(days=1)
    return rows.loc[pd.Timestamp(before - timedelta(weeks=weeks)) : end]


def baseline_for(rows: pd.DataFrame, day: date, weeks: int) -> Baseline:
    """The robust baseline of every measure of one location (``rows``, see ``location_rows``) on ``day``:
    the same weekday over the trailing ``weeks`` weeks, days without orders skipped (they have no row)."""
    chosen = rows.loc[rows.index.isin([pd.Timestamp(d) for d in baseline_days(day, weeks)])]
    median = chosen.median(skipna=True)
    mad = (chosen - median).abs().median(skipna=True)
    return Baseline(
        days=[stamp.date() for stamp in chosen.index],
        median=median,
        mad=mad,
        mean=chosen.mean(skipna=True),
        count=chosen.count(),
    )


def weekday_means(rows: pd.DataFrame, column: str, before: date, weeks: int) -> pd.Series:
    """The mean of ``column`` per weekday (0 = Monday) over one location's trading days in the ``weeks``
    weeks before ``before`` (a count's Poisson rate: what the chance of a zero is worked out from)."""
    kept = _before(rows, before, weeks)[column]
    return kept.groupby(kept.index.day_of_week).mean()


def relative_spread(rows: pd.DataFrame, before: date, weeks: int) -> pd.Series:
    """Per measure, how far a day usually strays from its weekday's median, as a fraction of that median:
    1.4826 × the median of |value − weekday median| ÷ weekday median, pooled over one location's trading
    days in the ``weeks`` weeks before ``before`` (every weekday together: seven times the days of one
    weekday's baseline, so a steadier estimate of the noise)."""
    kept = _before(rows, before, weeks)
    if kept.empty:
        return pd.Series(dtype="float64")
    medians = kept.groupby(kept.index.day_of_week).median()
    usual = medians.loc[kept.index.day_of_week].set_axis(kept.index)
    relative = (kept - usual).abs() / usual.where(usual > 0)
    return 1.4826 * relative.median(skipna=True)
