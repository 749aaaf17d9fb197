"""The committed demo holds its four incidents, read from the raw payloads (not opsbot's parsers).

Days are local business days in each location's timezone; an order's day is its creation's, a refund's day
its own. Deliverect channel 12 is DoorDash; a cancellation is the same ``_id`` re-sent with status 100/110.
"""

from __future__ import annotations

import gzip
import json
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import DEMO_FIXTURES
from tools.demo import incidents as incidents_module
from tools.demo.generator import DemoGenerator, GeneratorParams
from tools.demo.incidents import INCIDENTS, IncidentSchedule

DOORDASH = 12
CANCELLED = (100, 110)


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class Payloads:
    """The raw payloads of one fixture folder, indexed for the checks below."""

    timezones: dict[str, ZoneInfo] = field(default_factory=dict)  # location name -> timezone
    square: dict[str, dict] = field(default_factory=dict)  # Square order id -> order
    square_location: dict[str, str] = field(default_factory=dict)  # Square order id -> location name
    deliverect: dict[str, list[dict]] = field(default_factory=dict)  # Deliverect _id -> its bodies in order
    deliverect_location: dict[str, str] = field(default_factory=dict)  # Deliverect _id -> location name

    def local_day(self, location: str, text: str) -> date:
        return _moment(text).astimezone(self.timezones[location]).date()

    def local_time(self, location: str, text: str) -> datetime:
        return _moment(text).astimezone(self.timezones[location])


def read_payloads(folder: Path) -> Payloads:
    result = Payloads()
    names = {}
    for loc in json.loads((folder / "square" / "locations.json").read_text())["locations"]:
        names[loc["id"]] = loc["name"]
        result.timezones[loc["name"]] = ZoneInfo(loc["timezone"])
    deliverect_to_square = json.loads((folder / "business.json").read_text())["deliverect"]["locations"]
    with gzip.open(folder / "square" / "orders.jsonl.gz", "rt") as pages:
        for page in pages:
            for order in json.loads(page)["orders"]:
                result.square[order["id"]] = order
                result.square_location[order["id"]] = names[order["location_id"]]
    with gzip.open(folder / "deliverect" / "orders.jsonl.gz", "rt") as lines:
        for line in lines:
            body = json.loads(line)
            result.deliverect.setdefault(body["_id"], []).append(body)
            result.deliverect_location[body["_id"]] = names[deliverect_to_square[body["location"]]]
    return result


@cache
def committed() -> Payloads:
    return read_payloads(DEMO_FIXTURES)


def orders_per_day(p: Payloads) -> Counter:
    """(location, day) -> orders placed: in-store and online Square orders plus Deliverect orders (the
    POS copies of Deliverect orders are not counted twice)."""
    counts: Counter = Counter()
    for order_id, order in p.square.items():
        if order.get("source", {}).get("name") != "Deliverect":
            location = p.square_location[order_id]
            counts[(location, p.local_day(location, order["created_at"]))] += 1
    for order_id, bodies in p.deliverect.items():
        location = p.deliverect_location[order_id]
        counts[(location, p.local_day(location, bodies[0]["_created"]))] += 1
    return counts


def receipts_per_day(p: Payloads) -> Counter:
    """(location, day) -> money taken in cents: Square total_money of completed in-store/online orders plus
    Deliverect payment amount of orders never cancelled."""
    amounts: Counter = Counter()
    for order_id, order in p.square.items():
        if order.get("source", {}).get("name") != "Deliverect" and order["state"] == "COMPLETED":
            location = p.square_location[order_id]
            amounts[(location, p.local_day(location, order["created_at"]))] += order["total_money"]["amount"]
    for order_id, bodies in p.deliverect.items():
        if not any(b["status"] in CANCELLED for b in bodies):
            location = p.deliverect_location[order_id]
            amounts[(location, p.local_day(location, bodies[0]["_created"]))] += bodies[0]["payment"][
                "amount"
            ]
    return amounts


def refunds_per_day(p: Payloads) -> Counter:
    """(location, refund's day) -> refunded amount in cents."""
    amounts: Counter = Counter()
    for order_id, order in p.square.items():
        location = p.square_location[order_id]
        for refund in order.get("refunds", ()):
            amounts[(location, p.local_day(location, refund["created_at"]))] += refund["amount_money"][
                "amount"
            ]
    return amounts


def same_weekdays_before(day: date, weeks: int = 8) -> list[date]:
    return [day - timedelta(weeks=n) for n in range(1, weeks + 1)]


def period() -> tuple[date, date]:
    business = json.loads((DEMO_FIXTURES / "business.json").read_text())
    return tuple(date.fromisoformat(business["period"][k]) for k in ("first_day", "last_day"))


def test_incidents_are_inside_the_committed_demo():
    first, last = period()
    p = committed()
    assert {i.kind for i in INCIDENTS} == {"slow_day", "platform_outage", "refund_spike", "item_stopped"}
    for incident in INCIDENTS:
        assert incident.location in p.timezones
        assert first <= incident.first_day <= (incident.last_day or last) <= last
        assert incident.description


def test_uptown_slow_day_has_about_45_percent_of_a_usual_thursday():
    counts = orders_per_day(committed())
    day = date(2026, 11, 19)
    assert day.weekday() == 3
    usual = statistics.median(counts[("Uptown", d)] for d in same_weekdays_before(day))
    assert usual >= 60
    assert 0.38 <= counts[("Uptown", day)] / usual <= 0.52
    # the other locations had a normal Thursday
    for location in ("Downtown", "Harbor", "Sunset"):
        usual_there = statistics.median(counts[(location, d)] for d in same_weekdays_before(day))
        assert 0.8 <= counts[(location, day)] / usual_there <= 1.2


def doordash_orders(p: Payloads, location: str, day: date) -> list[list[dict]]:
    return [
        bodies
        for order_id, bodies in p.deliverect.items()
        if p.deliverect_location[order_id] == location
        and bodies[0]["channel"] == DOORDASH
        and p.local_day(location, bodies[0]["_created"]) == day
    ]


def in_hours(p: Payloads, location: str, bodies: list[dict], start: int, end: int) -> bool:
    return start <= p.local_time(location, bodies[0]["_created"]).hour < end


def is_cancelled(bodies: list[dict]) -> bool:
    return any(b["status"] in CANCELLED for b in bodies[1:])


def test_downtown_doordash_outage_evening():
    p = committed()
    day = date(2026, 11, 20)
    evening = [b for b in doordash_orders(p, "Downtown", day) if in_hours(p, "Downtown", b, 17, 21)]
    # every DoorDash order placed 17:00-21:00 was cancelled; none at all from 19:00
    assert evening
    assert all(is_cancelled(bodies) for bodies in evening)
    assert all(in_hours(p, "Downtown", b, 17, 19) for b in evening)
    assert sum(1 for bodies in evening if bodies[-1]["status"] == 110) >= 2
    for bodies in evening:  # Downtown's POS copies of those orders were cancelled too, without a tender
        pos_copy = p.square[bodies[0]["posId"]]
        assert pos_copy["state"] == "CANCELED"
        assert pos_copy["fulfillments"][0]["state"] == "CANCELED"
        assert "tenders" not in pos_copy
    # a usual Friday evening has DoorDash orders that go through; earlier that day nothing was wrong
    fulfilled = [
        sum(
            1
            for bodies in doordash_orders(p, "Downtown", d)
            if in_hours(p, "Downtown", bodies, 17, 21) and not is_cancelled(bodies)
        )
        for d in same_weekdays_before(day)
    ]
    assert min(fulfilled) >= 3
    assert statistics.median(fulfilled) >= 5
    earlier = [b for b in doordash_orders(p, "Downtown", day) if in_hours(p, "Downtown", b, 0, 17)]
    assert len(earlier) >= 5 and not any(is_cancelled(b) for b in earlier)
    # Uber Eats at Downtown that evening was not affected
    uber_eats = [
        bodies
        for order_id, bodies in p.deliverect.items()
        if p.deliverect_location[order_id] == "Downtown"
        and bodies[0]["channel"] != DOORDASH
        and p.local_day("Downtown", bodies[0]["_created"]) == day
        and in_hours(p, "Downtown", bodies, 17, 21)
    ]
    assert len(uber_eats) >= 5 and sum(1 for b in uber_eats if is_cancelled(b)) <= 1


def test_harbor_refund_spike_is_about_six_times_the_usual():
    p = committed()
    first, last = period()
    refunds = refunds_per_day(p)
    day = date(2026, 11, 21)
    other_days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    usual = statistics.mean(refunds[("Harbor", d)] for d in other_days if d != day)
    assert 1000 <= usual <= 3000  # $10-$30 a day
    assert 4.5 <= refunds[("Harbor", day)] / usual <= 8
    assert refunds[("Harbor", day)] > max(refunds[("Harbor", d)] for d in same_weekdays_before(day))
    reasons = Counter(
        refund["reason"]
        for order_id, order in p.square.items()
        if p.square_location[order_id] == "Harbor"
        for refund in order.get("refunds", ())
        if p.local_day("Harbor", refund["created_at"]) == day
    )
    assert reasons["Food quality"] >= 3


def falafel_units(p: Payloads) -> Counter:
    """(location, day) -> Falafel Bowl units sold, in Square line items (POS copies left out: they repeat
    the Deliverect order) and Deliverect items."""
    units: Counter = Counter()
    for order_id, order in p.square.items():
        if order.get("source", {}).get("name") == "Deliverect":
            continue
        location = p.square_location[order_id]
        for line in order["line_items"]:
            if line["name"] == "Falafel Bowl":
                units[(location, p.local_day(location, order["created_at"]))] += int(line["quantity"])
    for order_id, bodies in p.deliverect.items():
        location = p.deliverect_location[order_id]
        for item in bodies[0]["items"]:
            if item["name"].startswith("Falafel Bowl"):
                units[(location, p.local_day(location, bodies[0]["_created"]))] += item["quantity"]
    return units


def test_falafel_bowl_stopped_selling_at_sunset():
    p = committed()
    units = falafel_units(p)
    last = period()[1]
    stop = date(2026, 11, 12)
    after = [stop + timedelta(days=n) for n in range((last - stop).days + 1)]
    before = [stop - timedelta(days=n) for n in range(1, 29)]
    assert sum(units[("Sunset", d)] for d in after) == 0
    assert sum(units[("Sunset", d)] for d in before) >= 60  # it sold every week before
    for location in ("Downtown", "Harbor", "Uptown"):
        assert sum(units[(location, d)] for d in after) >= 10
    # nothing else at Sunset's POS mentions it either (POS copies included)
    assert not any(
        line["name"] == "Falafel Bowl"
        for order_id, order in p.square.items()
        if p.square_location[order_id] == "Sunset" and p.local_day("Sunset", order["created_at"]) >= stop
        for line in order["line_items"]
    )


def test_an_ordinary_day_is_within_the_usual_range_everywhere():
    p = committed()
    day = date(2026, 11, 18)  # a Wednesday no incident touches
    assert not any(i.covers(day) and i.kind != "item_stopped" for i in INCIDENTS)
    orders, receipts, refunds = orders_per_day(p), receipts_per_day(p), refunds_per_day(p)
    for location in p.timezones:
        before = same_weekdays_before(day)
        for measure in (orders, receipts):
            usual = [measure[(location, d)] for d in before]
            assert 0.9 * min(usual) <= measure[(location, day)] <= 1.1 * max(usual), (location, measure)
        eight_weeks = [day - timedelta(days=n) for n in range(1, 57)]
        assert refunds[(location, day)] <= max(refunds[(location, d)] for d in eight_weeks), location
        dd = doordash_orders(p, location, day)
        assert sum(1 for b in dd if is_cancelled(b)) <= 2, location


def test_a_business_of_another_size_or_period_has_only_the_incidents_it_covers(tmp_path):
    elsewhere = GeneratorParams(locations=6, first_day=date(2026, 1, 5), days=3, orders_per_day=20, seed=3)
    assert DemoGenerator(elsewhere).incidents.active == []
    two = GeneratorParams(locations=2, first_day=date(2026, 11, 19), days=3, orders_per_day=15, seed=5)
    generator = DemoGenerator(two)
    assert [i.kind for i in generator.incidents.active] == ["platform_outage", "refund_spike"]
    counts = generator.write(tmp_path)
    assert counts.square_orders > 0
    p = read_payloads(tmp_path)
    evening = [
        b for b in doordash_orders(p, "Downtown", date(2026, 11, 20)) if in_hours(p, "Downtown", b, 17, 21)
    ]
    assert all(is_cancelled(b) for b in evening)
    assert IncidentSchedule(1, date(2026, 11, 1), 30, ["Midtown"]).active == []


@pytest.mark.slow
def test_everything_the_incidents_do_not_touch_is_as_without_them(tmp_path, monkeypatch):
    monkeypatch.setattr(incidents_module, "INCIDENTS", ())
    DemoGenerator().write(tmp_path)
    plain, with_incidents = read_payloads(tmp_path), committed()
    touched_cells = {
        ("Uptown", date(2026, 11, 19)),
        ("Downtown", date(2026, 11, 20)),
        ("Harbor", date(2026, 11, 21)),
    }

    def touched(location: str, day: date) -> bool:
        return (location, day) in touched_cells or (location == "Sunset" and day >= date(2026, 11, 12))

    changed: dict[str, int] = defaultdict(int)
    for order_id, order in plain.square.items():
        location = plain.square_location[order_id]
        if not touched(location, plain.local_day(location, order["created_at"])):
            assert with_incidents.square.get(order_id) == order
        elif with_incidents.square.get(order_id) != order:
            changed[location] += 1
    for order_id, bodies in plain.deliverect.items():
        location = plain.deliverect_location[order_id]
        if not touched(location, plain.local_day(location, bodies[0]["_created"])):
            assert with_incidents.deliverect.get(order_id) == bodies
    assert set(with_incidents.square) - set(plain.square) == set()
    assert set(with_incidents.deliverect) - set(plain.deliverect) == set()
    # Harbor's changed orders are exactly those that gained a food-quality refund
    harbor = [
        order
        for order_id, order in with_incidents.square.items()
        if with_incidents.square_location[order_id] == "Harbor" and plain.square.get(order_id) != order
    ]
    assert harbor and all(order["refunds"][0]["reason"] == "Food quality" for order in harbor)
    assert all("refunds" not in plain.square[order["id"]] for order in harbor)
    assert changed["Sunset"] > 0 and changed["Uptown"] > 0
