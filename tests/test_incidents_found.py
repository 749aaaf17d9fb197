"""The demo's injected incidents (tools/demo/incidents.py) are what the anomalies tool and the morning brief
find on their days, and an ordinary day before them raises nothing — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.cli import main
from tools.demo.incidents import INCIDENTS, ITEM_STOPPED, PLATFORM_OUTAGE, REFUND_SPIKE, SLOW_DAY

BY_KIND = {incident.kind: incident for incident in INCIDENTS}


def _label(call, name: str) -> str:
    places = call("business_info")["locations"]
    place = next(p for p in places if p["name"] == name)
    return f"Location {place['number']} ({name})"


def _on(call, day: date, **arguments) -> list[dict]:
    result = call("anomalies", start_date=day.isoformat(), end_date=day.isoformat(), limit=50, **arguments)
    return result["anomalies"]


def test_the_slow_day_is_a_high_net_sales_drop(call):
    incident = BY_KIND[SLOW_DAY]
    found = _on(call, incident.first_day, locations=[incident.location])
    top = found[0]
    assert (top["location"], top["measure"], top["severity"]) == (
        _label(call, incident.location), "net_sales", "high"
    )  # fmt: skip
    assert top["change_percent"] < -40
    assert top["cause"].startswith("fewer orders all day")


def test_the_platform_outage_is_a_gap_in_that_platforms_orders_in_the_evening(call):
    incident = BY_KIND[PLATFORM_OUTAGE]
    found = _on(call, incident.first_day, locations=[incident.location])
    gap = next(a for a in found if a["measure"] == f"hourly_gap:{incident.platform}")
    assert gap["value"] == 0 and gap["severity"] in ("medium", "high")
    assert gap["cause"].startswith("no DoorDash orders") and "canceled" in gap["cause"]


def test_the_refund_spike_is_flagged_with_its_reasons(call):
    incident = BY_KIND[REFUND_SPIKE]
    found = _on(call, incident.first_day, locations=[incident.location])
    refunds = next(a for a in found if a["measure"] == "refunds")
    assert refunds["change_percent"] > 200
    assert incident.refund_reason in refunds["cause"]


def test_the_item_that_stopped_selling_is_named_from_its_first_days(call):
    incident = BY_KIND[ITEM_STOPPED]
    later = incident.first_day + timedelta(days=2)
    found = _on(call, later, locations=[incident.location])
    item = next(a for a in found if a["measure"] == f"units:{incident.item}")
    assert (item["value"], item["severity"]) == (0, "high")
    assert item["cause"].startswith(f"{incident.item}: 0 sold since")


@pytest.mark.parametrize("day", [date(2026, 11, 9), date(2026, 11, 10), date(2026, 11, 11)])
def test_an_ordinary_day_before_the_incidents_raises_nothing(call, day):
    assert _on(call, day) == []


@pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)
def test_the_brief_of_the_slow_day_flags_it(demo_store, capsys, monkeypatch, tmp_path):
    engine, _ = demo_store
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    incident = BY_KIND[SLOW_DAY]
    assert main(["brief", "--date", incident.first_day.isoformat()]) == 0
    text = capsys.readouterr().out
    anomalies = text[text.index("Anomalies on") :]
    assert f"high · {_label_from_text(text, incident.location)} · net sales" in anomalies


def _label_from_text(text: str, name: str) -> str:
    start = text.index(f"({name})")
    return text[text.rindex("Location", 0, start) : start + len(name) + 2]
