"""What a question is about: the business's locations, the period, and the channel/platform filters.

Every analytics tool builds a Scope first, so they all resolve names the same way, fail the same way
(``unknown location 'Downtwn' — did you mean Downtown? known: …``) and state the same facts in their results.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Select, and_, func, select
from sqlalchemy.sql.elements import ColumnElement

from tools.analytics.business_calendar import (
    EARLIEST,
    LATEST,
    MAX_DAYS,
    Period,
    PeriodError,
    period_between,
    resolve_period,
)
from tools.analytics.calendar_filters import (
    WEEKDAY_NAMES,
    FilterError,
    HourFilter,
    parse_hours,
    parse_weekdays,
)
from tools.analytics.names import unknown_name_error
from tools.registry import ToolContext, ToolError
from tools.sources.platforms import PLATFORM_DISPLAY_NAMES, platform_display_name
from tools.sources.records import CHANNELS
from tools.store.models import Location, MenuItem, Order
from tools.store.rollups import counted

ORDERS = Order.__table__


@dataclass(frozen=True)
class Place:
    """A location as tools show it."""

    id: int
    position: int
    name: str
    timezone: str
    currency: str

    @property
    def label(self) -> str:
        """How results name it: "Location 3 (Uptown)"."""
        return f"Location {self.position} ({self.name})"


def load_places(engine: Engine) -> list[Place]:
    """All locations, in their numbered order."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Location.id, Location.position, Location.name, Location.timezone, Location.currency
            ).order_by(Location.position)
        ).all()
    return [Place(*row) for row in rows]


def resolve_location(places: list[Place], text: str) -> Place:
    """A location by name, by number ("3", "Location 3", "#3") or by "Location 3 (Uptown)"."""
    wanted = text.strip().lower()
    number = wanted.removeprefix("location").strip().lstrip("#").split(" ")[0]
    for place in places:
        if wanted in (place.name.lower(), place.label.lower()) or (
            number.isdigit() and int(number) == place.position
        ):
            return place
    listing = ", ".join(f"{p.position} {p.name}" for p in places) or "none (the store is empty)"
    raise unknown_name_error("location", text, [p.name for p in places], listing=listing)


def percent(part: float, whole: float) -> float | None:
    """``part`` as a percentage of ``whole``, one decimal; None when ``whole`` is zero."""
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class Scope:
    """A resolved question scope: period, locations, channel and platform filters."""

    period: Period
    places: list[Place]
    all_places: bool
    channels: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()  # ("any",) = every delivery platform's orders, none of the others
    weekdays: tuple[int, ...] = ()  # 0 = Monday; () = every day
    hours: HourFilter | None = None  # local hours of the order; None = every hour
    data_range: tuple[date | None, date | None] = (None, None)  # first/last day with orders, these places
    items: tuple[str, ...] = ()  # only these menu items (item breakdowns and totals); () = every item

    def with_period(self, period: Period) -> Scope:
        """The same question about another period (a comparison's earlier one)."""
        return replace(self, period=period)

    def at(self, place: Place) -> Scope:
        """The same question about one of its locations."""
        return replace(self, places=[place], all_places=False)

    @property
    def filters_hours(self) -> bool:
        """True when the scope keeps only some local hours (hour-level data must answer it)."""
        return self.hours is not None

    def days(self) -> list[date]:
        """The business days of the period that pass the weekday filter."""
        return [
            self.period.start + timedelta(days=n)
            for n in range(self.period.days)
            if not self.weekdays or (self.period.start + timedelta(days=n)).weekday() in self.weekdays
        ]

    @property
    def outside_data(self) -> bool:
        """True when no day of the period has data for these locations: a result would be all zeros."""
        first, last = self.data_range
        return first is None or last is None or self.period.end < first or self.period.start > last

    def coverage_note(self) -> str | None:
        """A sentence when the period lies wholly or partly outside the data these locations have."""
        first, last = self.data_range
        if first is None or last is None:
            return "there is no order data for these locations yet"
        start, end = self.period.start, self.period.end
        covered = f"the data covers {first} to {last}"
        if end < first or start > last:
            return f"{self.period.label} is outside the data: {covered}"
        missing = []
        if start < first:
            missing.append(f"before {first}")
        if end > last:
            missing.append(f"after {last}")
        if missing:
            return f"only part of {self.period.label} has data (none {' or '.join(missing)}): {covered}"
        return None

    @property
    def currency(self) -> str:
        """The currency of the scope's locations; ToolError when they use more than one."""
        currencies = {p.currency for p in self.places}
        if len(currencies) > 1:
            raise ToolError(
                "the selected locations use different currencies ("
                + ", ".join(sorted(currencies))
                + ") — ask about one currency's locations at a time"
            )
        return next(iter(currencies), "USD")

    def coverage(self) -> dict:
        """What a result covers: the period, the locations, their timezone(s) and their currency."""
        zones = sorted({p.timezone for p in self.places})
        return {
            "period": self.period.to_dict(),
            "locations": "all" if self.all_places else [p.label for p in self.places],
            "timezone": zones[0] if len(zones) == 1 else zones,
            "currency": self.currency,
        }

    def describe(self) -> dict:
        """The facts every sales result states: its coverage, what counts as a sale, the filters."""
        facts: dict = {
            **self.coverage(),
            "counted": "completed orders; canceled/failed orders and POS copies of delivery orders excluded",
        }
        if self.channels:
            facts["channels"] = list(self.channels)
        if self.platforms == ("any",):
            facts["platforms"] = "every delivery platform (platform orders only)"
        elif self.platforms:
            facts["platforms"] = [platform_display_name(p) for p in self.platforms]
        if self.weekdays:
            facts["weekdays"] = [WEEKDAY_NAMES[day] for day in self.weekdays]
        if self.hours:
            facts["hours"] = f"{self.hours.label}, local time"
        if self.items:
            facts["items"] = list(self.items)
        if note := self.coverage_note():
            facts["data_note"] = note
        return facts

    def rollup_conditions(self, table) -> list[ColumnElement]:
        """WHERE conditions on the period and filters for a table with ``business_date``, ``location_id``,
        ``channel`` and ``platform`` columns: a rollup (already limited to counted sales) or orders. An hour
        filter needs a table with ``local_hour`` (hourly_sales, orders)."""
        conditions = [table.c.business_date.between(self.period.start, self.period.end)]
        if self.weekdays:
            conditions.append(table.c.business_date.in_(self.days()))
        if self.hours is not None:
            if "local_hour" not in table.c:
                raise ValueError(f"{table.name} has no local hour: an hour filter must read hourly data")
            conditions.append(table.c.local_hour.in_(self.hours.hours))
        if not self.all_places:
            conditions.append(table.c.location_id.in_([p.id for p in self.places]))
        if self.channels:
            conditions.append(table.c.channel.in_(self.channels))
        if self.platforms == ("any",):
            no_platform = table.c.platform.is_(None) if table is ORDERS else table.c.platform == ""
            conditions.append(~no_platform)
        elif self.platforms:
            conditions.append(table.c.platform.in_(self.platforms))
        return conditions

    def where(self) -> ColumnElement:
        """The WHERE clause on orders for counted sales in this scope."""
        return and_(*counted(ORDERS), *self.rollup_conditions(ORDERS))


def _check_dates(start_date: date, end_date: date) -> None:
    """ToolError naming start_date or end_date when it lies outside the dates a period may cover."""
    for name, day in (("start_date", start_date), ("end_date", end_date)):
        if not EARLIEST <= day <= LATEST:
            raise ToolError(f"{name} {day} is out of range — use a date between {EARLIEST} and {LATEST}")
    if end_date < start_date:
        raise ToolError(f"end_date {end_date} is before start_date {start_date}")
    if (end_date - start_date).days >= MAX_DAYS:
        raise ToolError(
            f"start_date {start_date} to end_date {end_date} is {(end_date - start_date).days + 1:,} days — "
            f"at most {MAX_DAYS:,} (about ten years)"
        )


def build_scope(
    ctx: ToolContext,
    *,
    period: str | None,
    start_date: date | None = None,
    end_date: date | None = None,
    locations: list[str] | None = None,
    channels: list[str] | None = None,
    platforms: list[str] | None = None,
    weekdays: list[str] | None = None,
    hours: str | None = None,
    items: list[str] | None = None,
) -> Scope:
    """Resolve a tool's common arguments into a Scope, or raise ToolError saying what to fix."""
    places = load_places(ctx.engine)
    if not places:
        raise ToolError("the store holds no locations yet — run `opsbot sync` first")
    try:
        if start_date or end_date:
            if not (start_date and end_date):
                raise ToolError("give both start_date and end_date, or a period expression instead")
            _check_dates(start_date, end_date)
            resolved = period_between(start_date, end_date)
        else:
            resolved = resolve_period(period or "yesterday", ctx.today, week_start=ctx.week_start)
        chosen_weekdays = parse_weekdays(weekdays)
        hour_filter = parse_hours(hours, ctx.day_parts)
    except (PeriodError, FilterError) as exc:
        raise ToolError(str(exc)) from exc
    chosen = places
    if locations and not any(name.strip().lower() == "all" for name in locations):
        chosen = []
        for name in locations:
            place = resolve_location(places, name)
            if place not in chosen:
                chosen.append(place)
    for channel in channels or ():
        if channel not in CHANNELS:
            raise ToolError(f"unknown channel {channel!r} — known: {', '.join(CHANNELS)}")
    wanted_platforms: list[str] = []
    for platform in platforms or ():
        key = platform.strip().lower().replace(" ", "_")
        if key in ("any", "all"):
            wanted_platforms = ["any"]
            break
        if key not in PLATFORM_DISPLAY_NAMES and not key.startswith("channel_"):
            raise ToolError(
                f"unknown platform {platform!r} — known: {', '.join(PLATFORM_DISPLAY_NAMES)}, or any"
            )
        wanted_platforms.append(key)
    ranges = list(location_date_ranges(ctx.engine, chosen).values())
    chosen_items = resolve_items(ctx.engine, items) if items else ()
    return Scope(
        period=resolved,
        places=chosen,
        all_places=len(chosen) == len(places),
        channels=tuple(channels or ()),
        platforms=tuple(wanted_platforms),
        weekdays=chosen_weekdays,
        hours=hour_filter,
        data_range=(min(r[0] for r in ranges), max(r[1] for r in ranges)) if ranges else (None, None),
        items=chosen_items,
    )


def resolve_items(engine: Engine, wanted: list[str]) -> tuple[str, ...]:
    """Menu item names as the store spells them (any case); ToolError with the closest ones for a name
    the menu does not have."""
    with engine.connect() as conn:
        known = sorted(set(conn.scalars(select(MenuItem.item_name).distinct())))
    by_lower = {name.lower(): name for name in known}
    chosen: list[str] = []
    for text in wanted:
        name = by_lower.get(str(text).strip().lower())
        if name is None:
            raise unknown_name_error("item", str(text), known)
        if name not in chosen:
            chosen.append(name)
    return tuple(chosen)


def location_date_ranges(engine: Engine, places: list[Place]) -> dict[int, tuple[date, date]]:
    """First and last business date with orders, per location: one statement of index lookups (a min and a
    max per location), not a scan."""
    if not places:
        return {}
    with engine.connect() as conn:
        row = conn.execute(_date_ranges_statement(tuple(p.id for p in places))).one()
    return {
        place.id: (row[2 * index], row[2 * index + 1])
        for index, place in enumerate(places)
        if row[2 * index] is not None
    }


@lru_cache(maxsize=64)
def _date_ranges_statement(location_ids: tuple[int, ...]) -> Select:
    """SELECT (min date of location 1), (max date of location 1), (min date of location 2), …: built once
    per set of locations."""
    bounds = []
    for location_id in location_ids:
        here = ORDERS.c.location_id == location_id
        bounds += [
            select(func.min(ORDERS.c.business_date)).where(here).scalar_subquery(),
            select(func.max(ORDERS.c.business_date)).where(here).scalar_subquery(),
        ]
    return select(*bounds)


def no_data_note(scope: Scope) -> str:
    """A plain sentence for an empty result: no data for the range, and the range the data covers."""
    first, last = scope.data_range
    covered = f"the data covers {first} to {last}" if first else "there is no order data at all yet"
    return f"no orders in {scope.period.label}; {covered}"


def business_today(engine: Engine) -> date:
    """Today's date in the business's timezone: that of Location 1 (where most owners start counting)."""
    places = load_places(engine)
    zone = ZoneInfo(places[0].timezone) if places else UTC
    return datetime.now(UTC).astimezone(zone).date()
