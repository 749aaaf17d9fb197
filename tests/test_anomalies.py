"""The ``anomalies`` tool: an injected change is found with the figures computed here from the raw payloads,
ordinary days stay quiet, results are compact, bad arguments are one-line errors — on SQLite and PostgreSQL.

The injected change: six generated weeks of a two-location business, then every order Harbor took on
Thursday 2026-11-12 between 11:00 and 16:00 local time removed from both payload files before syncing.
"""

from __future__ import annotations

import gzip
import json
import math
import statistics
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from statistics import NormalDist
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import BACKENDS, FIXED_NOW, _new_store_url
from tests.fixture_oracle import dollars, expected_from_fixtures, final_deliverect_bodies, gz_lines, utc
from tools.analytics.anomalies import anomalies, find_anomalies
from tools.analytics.readonly import open_readonly
from tools.analytics.scope import build_scope
from tools.registry import ToolContext, ToolRegistry
from tools.sources.fixtures.sync import sync_fixtures
from tools.store.database import open_store

DAY = date(2026, 11, 12)  # a Thursday in the sixth week
GAP_HOURS = range(11, 16)  # 11:00–16:00 local
BASELINE = [DAY - timedelta(weeks=n) for n in range(1, 6)]  # the five earlier Thursdays
CONTRACT_KEYS = {
    "location",
    "day",
    "measure",
    "label",
    "value",
    "expected",
    "expected_range",
    "change_percent",
    "score",
    "severity",
    "cause",
}


def _rewrite_gz(path: Path, lines: list[dict]) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for body in lines:
            handle.write(json.dumps(body, separators=(",", ":")) + "\n")


def _inject_gap(folder: Path) -> None:
    """Remove every Harbor order placed on DAY in GAP_HOURS (local), from Square and Deliverect alike."""
    locations = json.loads((folder / "square" / "locations.json").read_text())["locations"]
    harbor = next(loc for loc in locations if loc["name"] == "Harbor")
    zone = ZoneInfo(harbor["timezone"])
    mapping = json.loads((folder / "business.json").read_text())["deliverect"]["locations"]

    def in_gap(created: str) -> bool:
        local = utc(created).astimezone(zone)
        return local.date() == DAY and local.hour in GAP_HOURS

    dropped = {
        body["_id"]: body.get("posId")
        for body in final_deliverect_bodies(folder).values()
        if (body.get("posLocationId") or mapping[body["location"]]) == harbor["id"]
        and in_gap(body["_created"])
    }
    events = [e for e in gz_lines(folder / "deliverect" / "orders.jsonl.gz") if e["_id"] not in dropped]
    _rewrite_gz(folder / "deliverect" / "orders.jsonl.gz", events)
    copies = {pos_id for pos_id in dropped.values() if pos_id}
    pages = []
    for page in gz_lines(folder / "square" / "orders.jsonl.gz"):
        page["orders"] = [
            o
            for o in page["orders"]
            if o["id"] not in copies and not (o["location_id"] == harbor["id"] and in_gap(o["created_at"]))
        ]
        pages.append(page)
    _rewrite_gz(folder / "square" / "orders.jsonl.gz", pages)


def hourly_orders(folder: Path) -> Counter:
    """Counted orders per (location name, local day, local hour), straight from the payloads: completed
    Square orders that are not POS copies, and Deliverect orders whose last status is not a cancellation."""
    locations = json.loads((folder / "square" / "locations.json").read_text())["locations"]
    names = {loc["id"]: loc["name"] for loc in locations}
    zones = {loc["id"]: ZoneInfo(loc["timezone"]) for loc in locations}
    mapping = json.loads((folder / "business.json").read_text())["deliverect"]["locations"]
    counts: Counter = Counter()
    final = final_deliverect_bodies(folder)
    pos_ids = {body["posId"] for body in final.values() if body.get("posId")}
    for body in final.values():
        if body["status"] in (100, 110):
            continue
        location = body.get("posLocationId") or mapping[body["location"]]
        local = utc(body["_created"]).astimezone(zones[location])
        counts[(names[location], local.date(), local.hour)] += 1
    for page in gz_lines(folder / "square" / "orders.jsonl.gz"):
        for order in page["orders"]:
            if order["id"] in pos_ids or order["state"] != "COMPLETED":
                continue
            local = utc(order["created_at"]).astimezone(zones[order["location_id"]])
            counts[(names[order["location_id"]], local.date(), local.hour)] += 1
    return counts


@pytest.fixture(scope="module")
def gap_fixtures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tools.demo.generator import DemoGenerator, GeneratorParams

    folder = tmp_path_factory.mktemp("anomaly-fixtures")
    params = GeneratorParams(locations=2, first_day=date(2026, 10, 5), days=42, orders_per_day=150, seed=19)
    DemoGenerator(params).write(folder)
    _inject_gap(folder)
    return folder


@pytest.fixture(scope="module", params=BACKENDS)
def gap_call(request: pytest.FixtureRequest, gap_fixtures: Path, tmp_path_factory: pytest.TempPathFactory):
    """``gap_call(**arguments)``: the anomalies tool on the store synced from ``gap_fixtures``."""
    url = _new_store_url(request.param, tmp_path_factory.mktemp("anomaly-store"), request)
    engine = open_store(url)
    sync_fixtures(engine, gap_fixtures, anchor=False, now=FIXED_NOW)
    readonly = open_readonly(engine.url.render_as_string(hide_password=False))
    registry = ToolRegistry()
    registry.register(anomalies)
    context = ToolContext(engine=readonly, today=FIXED_NOW.date())

    def run(**arguments):
        result = registry.call("anomalies", arguments, context)
        assert result.ok, result.error
        return result.content

    run.context = context
    yield run
    readonly.dispose()
    engine.dispose()


def test_an_injected_gap_is_found_with_its_exact_figures(gap_call, gap_fixtures):
    hours = hourly_orders(gap_fixtures)
    totals = expected_from_fixtures(gap_fixtures).days
    assert all(hours[("Harbor", DAY, h)] == 0 for h in GAP_HOURS)
    # a gap's expected orders: the mean of each hour over the baseline days (a count's Poisson rate)
    usual_gap = round(sum(statistics.mean(hours[("Harbor", d, h)] for d in BASELINE) for h in GAP_HOURS), 1)
    usual_orders = statistics.median(totals[("Harbor", d)].orders for d in BASELINE)
    usual_net = statistics.median(totals[("Harbor", d)].net for d in BASELINE)

    result = gap_call(period="2026-11-12", locations=["Harbor"])
    found = {a["measure"]: a for a in result["anomalies"]}
    assert result["locations"] == ["Location 2 (Harbor)"]
    gap = found["hourly_gap"]
    assert (gap["location"], gap["day"], gap["value"], gap["severity"]) == (
        "Location 2 (Harbor)",
        "2026-11-12 (Thu)",
        0,
        "high",
    )
    assert gap["expected"] == usual_gap
    assert gap["cause"] == f"no orders 11:00–16:00 (usually {usual_gap:g})"
    assert gap["score"] == round(NormalDist().inv_cdf(math.exp(-usual_gap)), 1)  # the chance of no orders

    orders = found["orders"]
    assert orders["value"] == totals[("Harbor", DAY)].orders
    assert orders["expected"] == usual_orders
    assert orders["change_percent"] == round(100 * (orders["value"] - usual_orders) / usual_orders, 1)
    assert orders["score"] <= -3.5 and "11:00–" in orders["cause"]
    net = found["net_sales"]
    assert (net["value"], net["expected"]) == (
        dollars(totals[("Harbor", DAY)].net),
        dollars(round(usual_net)),
    )
    assert result["anomalies"][0]["score"] == max((a["score"] for a in result["anomalies"]), key=abs)
    assert result["baseline"] == (
        "median and MAD of the same weekday over the trailing 8 weeks (days without orders skipped)"
    )


def test_the_other_location_and_the_days_around_stay_quiet(gap_call):
    result = gap_call(start_date="2026-11-09", end_date="2026-11-15")
    assert not [
        a for a in result["anomalies"] if a["location"] != "Location 2 (Harbor)" and a["severity"] == "high"
    ]
    assert {a["day"] for a in result["anomalies"] if a["severity"] == "high"} <= {"2026-11-12 (Thu)"}


def test_find_anomalies_gives_the_tools_list(gap_call):
    context = gap_call.context
    scope = build_scope(context, period="2026-11-12")
    assert (
        find_anomalies(context.engine, scope, limit=3) == gap_call(period="2026-11-12", limit=3)["anomalies"]
    )


def test_ordinary_demo_days_raise_nothing_high(call):
    """The four committed weeks before the first incident (2026-11-12; 112 location-days): no high anomaly,
    at most two medium."""
    result = call("anomalies", start_date="2026-10-15", end_date="2026-11-11", limit=50)
    assert result["checked"] > 2000
    assert [a for a in result["anomalies"] if a["severity"] == "high"] == []
    assert len(result["anomalies"]) <= 2


def test_a_result_is_compact_and_every_anomaly_says_what_where_when(call):
    """Short baselines (3 weeks) over seven weeks flag enough to see the limit and the size at work."""
    wide = call("anomalies", start_date="2026-09-21", end_date="2026-11-15", weeks=3, limit=50)
    listed = call("anomalies", start_date="2026-09-21", end_date="2026-11-15", weeks=3, limit=2)
    assert listed["anomalies"] == wide["anomalies"][:2]
    assert listed["anomalies_omitted"] == len(wide["anomalies"]) - 2 > 0

    def size(value) -> int:
        return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())

    default = call("anomalies", start_date="2026-09-21", end_date="2026-11-15", weeks=3)
    assert len(default["anomalies"]) == min(10, len(wide["anomalies"])) and size(default) < 4096
    for anomaly in wide["anomalies"]:
        assert set(anomaly) == CONTRACT_KEYS
        assert anomaly["location"].startswith("Location ") and anomaly["day"].startswith("2026-")
        assert anomaly["severity"] in ("high", "medium")
        assert abs(anomaly["score"]) >= 3.5 or anomaly["measure"] == "hourly_gap"
        assert all(bound is not None for bound in anomaly["expected_range"])
    scores = [abs(a["score"]) for a in wide["anomalies"]]
    assert scores == sorted(scores, reverse=True)


def test_a_day_without_data_is_not_checked(call):
    result = call("anomalies")  # yesterday, 2026-11-23: after the demo's last day
    assert (result["anomalies"], result["checked"]) == ([], 0)
    assert result["data_note"].startswith("yesterday (Mon 23 Nov 2026) is outside the data")
    assert result["not_checked"] == "4 location-day(s) without orders (closed or no data)"


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"weeks": 1}, "weeks must be between 3 and 26, got 1"),
        ({"limit": 0}, "limit must be between 1 and 50, got 0"),
        ({"locations": ["Nowhere"]}, "unknown location 'Nowhere'"),
        ({"period": "2026-01-01..2026-12-31"}, "anomalies covers at most 92"),
    ],
)
def test_bad_arguments_are_one_line_errors(call, arguments, error):
    result = call.registry.call("anomalies", arguments, call.context)
    assert not result.ok and error in result.error and "\n" not in result.error


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(["weeks", "limit"]),
    value=st.one_of(st.integers(max_value=0), st.integers(min_value=51)),
)
def test_out_of_range_numbers_are_refused_by_name(call, name, value):
    result = call.registry.call("anomalies", {name: value}, call.context)
    assert not result.ok and result.error.startswith(f"{name} must be between") and "\n" not in result.error
