"""The demo's labor and item-cost fixtures: generated deterministically from the orders, shaped like the
business (staffing follows the order curve, overtime weeks, a cost increase), and loaded exactly as the
independent oracle (tests/labor_oracle.py) reads the raw files — on SQLite and PostgreSQL, anchored or not."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from opsbot_labor.demo_fixtures import generate_demo, load_fixtures
from opsbot_labor.tables import item_costs, shift_hours, shifts
from sqlalchemy import Engine, func, select

from tests.conftest import DEMO_FIXTURES, FIXED_NOW
from tests.fixture_oracle import expected_from_fixtures, gz_lines
from tests.labor_oracle import labor_by_location_day, overtime_by_shift, read_item_costs, read_shifts
from tools.data_sources import FixtureLoad, SourceError
from tools.sources.fixtures.folder import FixtureSource
from tools.store.models import Location
from tools.sync.reference_writer import upsert_locations, upsert_menu

LABOR_FILES = ("team_members.json", "timecards.jsonl.gz", "item_costs.csv")


def _inputs(folder: Path) -> Path:
    """A copy of the demo's order-side files (what ``opsbot demo generate`` has written before the plugin)."""
    folder.mkdir()
    shutil.copytree(DEMO_FIXTURES / "square", folder / "square")
    shutil.copytree(DEMO_FIXTURES / "deliverect", folder / "deliverect")
    shutil.copy(DEMO_FIXTURES / "business.json", folder / "business.json")
    return folder


def _timecards(folder: Path = DEMO_FIXTURES) -> list[dict]:
    return [card for page in gz_lines(folder / "labor" / "timecards.jsonl.gz") for card in page["timecards"]]


def _locations(folder: Path = DEMO_FIXTURES) -> dict[str, dict]:
    return {
        loc["id"]: loc for loc in json.loads((folder / "square" / "locations.json").read_text())["locations"]
    }


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- the generator ------------------------------------------------------------------------------------------


def test_generator_is_deterministic_and_the_committed_files_are_its_output(tmp_path):
    first, second = _inputs(tmp_path / "a"), _inputs(tmp_path / "b")
    notes = generate_demo(first)
    assert notes == [
        f"labor: wrote {len(_timecards()):,} timecards of "
        f"{len(json.loads((DEMO_FIXTURES / 'labor' / 'team_members.json').read_text())['team_members']):,} "
        f"team members and {len(read_item_costs(DEMO_FIXTURES)):,} item costs into {first / 'labor'}"
    ]
    generate_demo(second)
    for name in LABOR_FILES:
        produced = (first / "labor" / name).read_bytes()
        assert produced == (second / "labor" / name).read_bytes(), name
        assert produced == (DEMO_FIXTURES / "labor" / name).read_bytes(), f"{name}: regenerate the demo"


def test_timecard_pages_are_square_search_timecards_pages():
    pages = list(gz_lines(DEMO_FIXTURES / "labor" / "timecards.jsonl.gz"))
    assert [len(page["timecards"]) for page in pages[:-1]] == [200] * (len(pages) - 1)
    assert 0 < len(pages[-1]["timecards"]) <= 200
    assert [page.get("cursor") for page in pages] == [f"page-{n:06d}" for n in range(2, len(pages) + 1)] + [
        None
    ]
    members = json.loads((DEMO_FIXTURES / "labor" / "team_members.json").read_text())["team_members"]
    member_ids = {member["id"] for member in members}
    locations = _locations()
    for card in _timecards():
        assert card["status"] == "CLOSED" and card["team_member_id"] in member_ids
        assert card["timezone"] == locations[card["location_id"]]["timezone"]
        start, end = _time(card["start_at"]), _time(card["end_at"])
        assert start.second == 0 and end.second == 0 and start < end  # Square keeps whole minutes
        assert start.utcoffset() == start.astimezone(ZoneInfo(card["timezone"])).utcoffset()
        for item in card["breaks"]:
            assert item["is_paid"] is False and item["expected_duration"] == "PT30M"
            assert start < _time(item["start_at"]) < _time(item["end_at"]) < end
        assert (
            card["wage"]["hourly_rate"]["currency"] == "USD" and card["wage"]["hourly_rate"]["amount"] >= 1800
        )


def _staff_and_orders_by_hour() -> dict[str, tuple[Counter, Counter]]:
    """Location name → (people on the clock and not on a break in each local hour, counted minute by minute,
    in person-hours; completed Square orders in that hour), summed over the period, from the raw files."""
    locations = _locations()
    zones = {loc_id: ZoneInfo(loc["timezone"]) for loc_id, loc in locations.items()}
    result: dict[str, tuple[Counter, Counter]] = defaultdict(lambda: (Counter(), Counter()))
    for card in _timecards():
        zone, name = zones[card["location_id"]], locations[card["location_id"]]["name"]
        breaks = [(_time(b["start_at"]), _time(b["end_at"])) for b in card["breaks"]]
        moment, end = _time(card["start_at"]), _time(card["end_at"])
        while moment < end:
            if not any(begin <= moment < finish for begin, finish in breaks):
                result[name][0][moment.astimezone(zone).hour] += 1 / 60
            moment += timedelta(minutes=1)
    for page in gz_lines(DEMO_FIXTURES / "square" / "orders.jsonl.gz"):
        for order in page["orders"]:
            if order["state"] == "COMPLETED":
                local = _time(order["created_at"]).astimezone(zones[order["location_id"]])
                result[locations[order["location_id"]]["name"]][1][local.hour] += 1
    return result


def test_staffing_follows_the_hourly_order_curve():
    days = len({_time(card["start_at"]).date() for card in _timecards()})
    for name, (staff, orders) in _staff_and_orders_by_hour().items():
        open_hours = [hour for hour, count in orders.items() if count >= 2 * days]  # two orders a day or more
        peak = max(open_hours, key=lambda hour: orders[hour])
        slowest = min(open_hours, key=lambda hour: orders[hour])
        # on average at least one more person on at the busiest hour than at the slowest
        assert staff[peak] / days >= staff[slowest] / days + 1, (name, peak, slowest, staff)
        # and over every open hour: more orders, more people (Pearson correlation)
        xs, ys = [orders[h] for h in open_hours], [staff[h] for h in open_hours]
        mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
        covariance = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
        spread = (sum((x - mean_x) ** 2 for x in xs) * sum((y - mean_y) ** 2 for y in ys)) ** 0.5
        assert covariance / spread > 0.5, name


def test_overtime_weeks_and_labor_share_of_net_sales():
    shifts_by_id = {shift.id: shift for shift in read_shifts(DEMO_FIXTURES)}
    overtime = overtime_by_shift(DEMO_FIXTURES)
    weeks = {
        (shifts_by_id[i].team_member_id, shifts_by_id[i].day - timedelta(days=shifts_by_id[i].day.weekday()))
        for i in overtime
    }
    assert len(weeks) >= 3
    assert all(seconds > 0 and premium > 0 for seconds, premium in overtime.values())
    labor: dict[tuple[str, date], int] = defaultdict(int)
    sales: dict[tuple[str, date], int] = defaultdict(int)
    for (name, day), totals in labor_by_location_day(DEMO_FIXTURES).items():
        labor[(name, day - timedelta(days=day.weekday()))] += totals.labor_cost
    for (name, day), totals in expected_from_fixtures(DEMO_FIXTURES).days.items():
        sales[(name, day - timedelta(days=day.weekday()))] += totals.net
    assert set(labor) == set(sales)
    shares = {key: 100 * labor[key] / sales[key] for key in labor}
    assert all(25 <= share <= 32 for share in shares.values()), sorted(shares.items(), key=lambda kv: kv[1])


def test_item_costs_rise_mid_period_and_one_location_has_its_own():
    catalog = json.loads((DEMO_FIXTURES / "square" / "catalog.json").read_text())["objects"]
    prices = {
        obj["item_data"]["name"]: [
            v["item_variation_data"]["price_money"]["amount"] for v in obj["item_data"]["variations"]
        ]
        for obj in catalog
        if obj["type"] == "ITEM"
    }
    rows = read_item_costs(DEMO_FIXTURES)
    first = min(row.effective for row in rows)
    everywhere = [row for row in rows if row.location is None]
    assert {row.item for row in everywhere if row.effective == first} == set(prices)
    for row in everywhere:
        if row.effective == first:
            mean_price = sum(prices[row.item]) / len(prices[row.item])
            assert 0.25 * mean_price - 1 <= row.unit_cost <= 0.35 * mean_price + 1, row  # to the cent
    later = [row for row in everywhere if row.effective > first]
    assert len(later) >= 3
    for row in later:
        earlier = next(r for r in everywhere if r.item == row.item and r.effective == first)
        assert row.unit_cost > earlier.unit_cost
    assert [row.location for row in rows if row.location] == ["Sunset"]


# -- loading ------------------------------------------------------------------------------------------------


def _reference_store(engine: Engine) -> dict[str, int]:
    """The demo's locations and menu in ``engine`` (what the core stores before the plugin loads)."""
    source = FixtureSource(DEMO_FIXTURES)
    upsert_locations(engine, source.locations())
    upsert_menu(engine, source.menu())
    with engine.connect() as conn:
        return dict(conn.execute(select(Location.square_location_id, Location.id)).all())


def _load(engine: Engine, folder: Path = DEMO_FIXTURES, shift_days: int = 0, now: datetime = FIXED_NOW):
    location_ids = _reference_store(engine)
    return load_fixtures(FixtureLoad(engine, folder, shift_days, now, location_ids))


def _stored_by_location_day(engine: Engine) -> dict[tuple[str, date], tuple[int, int, int]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Location.name,
                shifts.c.business_date,
                func.count(),
                func.sum(shifts.c.paid_seconds),
                func.sum(shifts.c.base_cost),
            )
            .join(Location, Location.id == shifts.c.location_id)
            .group_by(Location.name, shifts.c.business_date)
        ).all()
    return {(name, day): (count, int(paid), int(cost)) for name, day, count, paid, cost in rows}


def test_loading_the_demo_stores_exactly_what_the_oracle_reads(engine):
    notes = _load(engine)
    expected = labor_by_location_day(DEMO_FIXTURES)
    count = sum(day.shifts for day in expected.values())
    assert count == len(_timecards())
    assert notes == [
        f"labor: {count:,} shifts and 35 item costs loaded ({count:,} new shifts, 0 changed; "
        "35 new costs, 0 changed)"
    ]
    assert _stored_by_location_day(engine) == {
        key: (day.shifts, day.paid_seconds, day.base_cost) for key, day in expected.items()
    }
    with engine.connect() as conn:
        hours = dict(
            conn.execute(
                select(Location.name, func.sum(shift_hours.c.paid_seconds))
                .join(Location, Location.id == shift_hours.c.location_id)
                .group_by(Location.name)
            ).all()
        )
        costs = conn.execute(
            select(item_costs.c.item, Location.name, item_costs.c.effective_date, item_costs.c.unit_cost)
            .outerjoin(Location, Location.id == item_costs.c.location_id)
            .where(item_costs.c.source == "csv")
        ).all()
        names = dict(conn.execute(select(shifts.c.source_shift_id, shifts.c.employee_name)).all())
    paid: Counter = Counter()
    for (name, _), day in expected.items():
        paid[name] += day.paid_seconds
    assert {name: int(seconds) for name, seconds in hours.items()} == dict(paid)
    assert sorted(costs, key=repr) == sorted(
        ((r.item, r.location, r.effective, r.unit_cost) for r in read_item_costs(DEMO_FIXTURES)), key=repr
    )
    members = json.loads((DEMO_FIXTURES / "labor" / "team_members.json").read_text())["team_members"]
    full = {m["id"]: f"{m['given_name']} {m['family_name']}" for m in members}
    assert names == {card["id"]: full[card["team_member_id"]] for card in _timecards()}
    # loading again changes nothing
    assert _load(engine) == [
        f"labor: {count:,} shifts and 35 item costs loaded (0 new shifts, 0 changed; 0 new costs, 0 changed)"
    ]
    assert _stored_by_location_day(engine) == {
        key: (day.shifts, day.paid_seconds, day.base_cost) for key, day in expected.items()
    }


def test_opsbot_sync_loads_the_labor_part_of_the_demo(demo_store):
    engine, report = demo_store
    count = len(_timecards())
    assert any(note.startswith(f"labor: {count:,} shifts and 35 item costs loaded") for note in report.notes)
    expected = labor_by_location_day(DEMO_FIXTURES)
    assert _stored_by_location_day(engine) == {
        key: (day.shifts, day.paid_seconds, day.base_cost) for key, day in expected.items()
    }


@pytest.mark.parametrize("weeks", [3, 10])
def test_anchoring_moves_business_dates_by_whole_weeks_and_leaves_out_later_shifts(engine, weeks):
    shift_days = 7 * weeks
    locations = _locations()
    cards = _timecards()
    last_start = max(_time(card["start_at"]) for card in cards)
    now = (last_start + timedelta(days=shift_days - 4)).replace(hour=19, minute=10, tzinfo=UTC)
    notes = _load(engine, shift_days=shift_days, now=now)

    expected, still_open = {}, set()
    for card in cards:
        zone = ZoneInfo(locations[card["location_id"]]["timezone"])
        local = _time(card["start_at"]).astimezone(zone).replace(tzinfo=None) + timedelta(days=shift_days)
        if local.replace(tzinfo=zone) > now:
            continue
        end = (
            _time(card["end_at"]).astimezone(zone).replace(tzinfo=None) + timedelta(days=shift_days)
        ).replace(tzinfo=zone)
        expected[card["id"]] = (local, local.date())
        if end > now:
            still_open.add(card["id"])
    left_out = len(cards) - len(expected)
    assert left_out > 0 and still_open
    assert notes[0].startswith(f"labor: {len(expected):,} shifts and 35 item costs loaded")
    assert f"{len(still_open):,} still clocked in" in notes[0]
    assert f"{left_out:,} starting after now left out" in notes[0]

    with engine.connect() as conn:
        rows = conn.execute(
            select(
                shifts.c.source_shift_id,
                shifts.c.start_at,
                shifts.c.business_date,
                shifts.c.status,
                shifts.c.paid_seconds,
                Location.timezone,
            ).join(Location, Location.id == shifts.c.location_id)
        ).all()
        cost_days = sorted(conn.scalars(select(item_costs.c.effective_date)))
    stored = {row.source_shift_id: row for row in rows}
    assert set(stored) == set(expected)
    original = {shift.id: shift for shift in read_shifts(DEMO_FIXTURES)}
    for ident, (local_start, day) in expected.items():
        row = stored[ident]
        assert (
            row.start_at.astimezone(ZoneInfo(row.timezone)).replace(tzinfo=None) == local_start
        )  # wall clock
        assert row.business_date == day == original[ident].day + timedelta(days=shift_days)
        if ident in still_open:
            assert (row.status, row.paid_seconds) == ("open", 0)
        else:
            assert (row.status, row.paid_seconds) == ("closed", original[ident].paid_seconds)
    assert cost_days == sorted(
        row.effective + timedelta(days=shift_days) for row in read_item_costs(DEMO_FIXTURES)
    )


def test_a_folder_without_labor_loads_nothing(engine, tmp_path):
    folder = _inputs(tmp_path / "demo")
    assert _load(engine, folder) == []


def _broken_copy(tmp_path: Path, edit) -> Path:
    folder = tmp_path / "broken"
    shutil.copytree(DEMO_FIXTURES / "labor", folder / "labor")
    edit(folder / "labor")
    return folder


def _count(engine: Engine, table) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table))


def test_a_bad_timecard_stores_nothing(engine, tmp_path):
    def backwards(labor: Path) -> None:
        pages = list(gz_lines(labor / "timecards.jsonl.gz"))
        card = pages[-1]["timecards"][-1]
        card["end_at"] = (_time(card["start_at"]) - timedelta(hours=1)).isoformat()
        with gzip.open(labor / "timecards.jsonl.gz", "wt", encoding="utf-8") as out:
            out.writelines(json.dumps(page) + "\n" for page in pages)

    folder = _broken_copy(tmp_path, backwards)
    with pytest.raises(SourceError, match=r"timecards\.jsonl\.gz line \d+: .*end_at"):
        _load(engine, folder)
    assert _count(engine, shifts) == 0 and _count(engine, item_costs) == 0


def test_a_bad_item_cost_stores_no_shifts_either(engine, tmp_path):
    def unknown_item(labor: Path) -> None:
        with open(labor / "item_costs.csv", "a", newline="") as out:
            csv.writer(out, lineterminator="\n").writerow(["Lobster Roll", "9.10", "2026-09-01", "", "USD"])

    folder = _broken_copy(tmp_path, unknown_item)
    with pytest.raises(SourceError, match=r"item_costs\.csv: line 37: item"):
        _load(engine, folder)
    assert _count(engine, shifts) == 0 and _count(engine, item_costs) == 0
