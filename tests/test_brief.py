"""The morning brief on the committed demo, for Saturday 2026-11-21: its figures against numbers computed
straight from the raw fixtures (tests/fixture_oracle.py), no figure in its text that no tool result explains,
its Block Kit validated by the SDK, the exact chat.postMessage payload and chart upload against the fake Slack
Web API, and ``opsbot brief`` through ``bot.cli.main``.

The ``anomalies`` and ``forecast_sales`` tools are stand-ins here (contract-shaped results, registered like
any tool), so the brief's use of them is tested whatever the real ones find; the real ones, when installed,
are left out of these registries."""

from __future__ import annotations

import logging
import re
import statistics
from datetime import date, timedelta
from fractions import Fraction
from typing import Annotated

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block

from bot.agent.provenance import check_answer
from bot.cli import main
from bot.insights.brief import BriefError, Figures, Measure, gather_brief
from bot.insights.brief_blocks import blocks_payload, fallback_text
from bot.insights.post import CHART_FILENAME, post_brief
from tests.conftest import DEMO_FIXTURES
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack
from tests.fixture_oracle import dollars, expected_from_fixtures, sums
from tools.analytics.arguments import EndArg, LocationsArg, PeriodArg, StartArg
from tools.analytics.builtin import TOOLS
from tools.analytics.readonly import open_readonly
from tools.registry import Param, ToolContext, ToolError, ToolRegistry

D = date(2026, 11, 21)  # a Saturday
LOCATIONS = ("Downtown", "Harbor", "Uptown", "Sunset")
LABELS = {name: f"Location {n} ({name})" for n, name in enumerate(LOCATIONS, 1)}
STAND_INS = ("anomalies", "forecast_sales")
sqlite_only = pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)


# --- the stand-in tools -------------------------------------------------------------------------------------

ANOMALIES = [
    {
        "location": "Location 3 (Uptown)",
        "day": "2026-11-21 (Sat)",
        "measure": "orders",
        "label": "orders",
        "value": 98,
        "expected": 180,
        "expected_range": [150, 210],
        "change_percent": -45.6,
        "score": -6.2,
        "severity": "high",
        "cause": "no orders 14:00–16:00 (usually 31)",
    },
    {
        "location": "Location 2 (Harbor)",
        "day": "2026-11-21 (Sat)",
        "measure": "refunds",
        "label": "refunds",
        "value": "$980.40",
        "expected": "$160.00",
        "expected_range": ["$90.00", "$230.00"],
        "change_percent": 512.8,
        "score": 5.4,
        "severity": "high",
        "cause": "refunds $980.40 vs usual $160.00",
    },
    {
        "location": "Location 4 (Sunset)",
        "day": "2026-11-21 (Sat)",
        "measure": "units:Falafel Bowl",
        "label": "units of Falafel Bowl",
        "value": 0,
        "expected": 14,
        "expected_range": [9, 19],
        "change_percent": -100.0,
        "score": -4.1,
        "severity": "medium",
        "cause": "Falafel Bowl: none sold (usually 14)",
    },
]
FORECAST_DAY = {
    "net_sales": "$15,870.00",
    "low": "$14,300.00",
    "high": "$17,450.00",
    "orders": 505,
    "orders_low": 460,
    "orders_high": 552,
}
FORECAST_BY_LOCATION = {
    "Downtown": ("$4,100.00", "$3,600.00", "$4,600.00", 140),
    "Harbor": ("$4,020.00", "$3,550.00", "$4,480.00", 131),
    "Uptown": ("$3,400.00", "$2,950.00", "$3,850.00", 104),
    "Sunset": ("$4,350.00", "$3,900.00", "$4,800.00", 130),
}
BACKTEST = {
    "days_tested": 28,
    "mape_net_sales_percent": 7.4,
    "mape_orders_percent": 6.1,
    "interval_coverage_percent": 82.1,
    "method": "rolling origin: each of the last 28 days forecast from the data before it",
}
MODEL = "weekday seasonality (median of the same weekday, trailing 8 weeks) × trend (capped ±15 %)"


def stand_ins(calls: list[tuple[str, dict]], *, failing: bool = False) -> list:
    """``anomalies`` and ``forecast_sales`` as plain typed tools returning the contracts' shapes; each call's
    arguments are appended to ``calls``. ``failing``: anomalies answers with a ToolError."""

    def anomalies(
        period: PeriodArg = None,
        locations: LocationsArg = None,
        start_date: StartArg = None,
        end_date: EndArg = None,
        limit: Annotated[int, Param("At most this many anomalies.")] = 10,
        weeks: Annotated[int, Param("Baseline weeks.")] = 8,
    ) -> dict:
        """Stand-in: the measures outside their usual range on a day."""
        calls.append(("anomalies", {"start_date": start_date, "end_date": end_date, "locations": locations}))
        if failing:
            raise ToolError("the baseline needs 3 weeks of data")
        found = [a for a in ANOMALIES if locations is None or a["location"] in locations]
        return {
            "period": {"start": str(start_date), "end": str(end_date), "days": 1, "label": "Sat 21 Nov 2026"},
            "locations": locations or "all",
            "currency": "USD",
            "definitions": {"score": "robust z-score"},
            "baseline": "median and MAD of the same weekday over the trailing 8 weeks (days without orders "
            "skipped)",
            "anomalies": found[:limit],
            "checked": 123,
            "anomalies_omitted": 0,
        }

    def forecast_sales(
        days: Annotated[int, Param("How many days.")] = 7,
        locations: LocationsArg = None,
        start_date: StartArg = None,
    ) -> dict:
        """Stand-in: the next days' net sales and orders."""
        calls.append(("forecast_sales", {"start_date": start_date, "days": days, "locations": locations}))
        assert start_date is not None
        chosen = [name for name in LOCATIONS if locations is None or LABELS[name] in locations]
        return {
            "locations": locations or "all",
            "timezone": "America/New_York",
            "currency": "USD",
            "definitions": {"net_sales": "forecast net sales"},
            "model": MODEL,
            "forecast": [
                {
                    "day": f"{start_date + timedelta(days=n)} ({(start_date + timedelta(days=n)):%a})",
                    **FORECAST_DAY,
                }
                for n in range(days)
            ],
            "by_location": [
                dict(
                    zip(
                        ("location", "net_sales", "low", "high", "orders"),
                        (LABELS[name], *FORECAST_BY_LOCATION[name]),
                        strict=True,
                    )
                )
                for name in chosen
            ],
            "backtest": BACKTEST,
        }

    return [anomalies, forecast_sales]


def registry_with(extra: list) -> ToolRegistry:
    """The built-in tools (without any real anomalies/forecast_sales) plus ``extra``."""
    registry = ToolRegistry()
    for function in TOOLS:
        if function.__name__ not in STAND_INS:
            registry.register(function)
    for function in extra:
        registry.register(function)
    return registry


@pytest.fixture(scope="module")
def days():
    """(location name, business date) → the fixtures' own counted orders and net sales."""
    return expected_from_fixtures(DEMO_FIXTURES).days


@pytest.fixture
def context(demo_store):
    engine, _ = demo_store
    readonly = open_readonly(engine.url.render_as_string(hide_password=False))
    yield ToolContext(engine=readonly, today=D + timedelta(days=1))
    readonly.dispose()


@pytest.fixture
def brief_with_stand_ins(context):
    calls: list[tuple[str, dict]] = []
    brief = gather_brief(registry_with(stand_ins(calls)), context, D)
    return brief, calls


# --- the oracle's side --------------------------------------------------------------------------------------


def half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def change_percent(now: int, then: int) -> float:
    """(now − then) / then in percent, one decimal, halves away from zero."""
    exact = Fraction(100 * (now - then), then)
    tenths = (abs(exact) * 10 + Fraction(1, 2)).__floor__()
    return float(Fraction(tenths if exact >= 0 else -tenths, 10))


def direction(now: int, usual: int) -> str:
    return "above" if now > usual else "below" if now < usual else "level with"


def day_totals(days, names, day) -> tuple[int, int]:
    """(net sales, orders) of ``names`` on ``day``."""
    orders, net = sums(days, names, day, day)
    return net, orders


def expected_figures(
    days, label: str, names: tuple[str, ...], *, usual_orders: tuple | None = None
) -> Figures:
    """The brief's figures of ``names`` on D from the fixtures: usual = the lower median of the previous 4
    Saturdays (days with orders), unless the anomalies stand-in gives the usual orders."""
    net, orders = day_totals(days, names, D)
    ticket = half_up(net, orders)
    earlier = [day_totals(days, names, D - timedelta(weeks=k)) for k in range(1, 5)]
    earlier = [(n, o) for n, o in earlier if o]
    usual_net = statistics.median_low(n for n, _ in earlier)
    usual_count = statistics.median_low(o for _, o in earlier)
    usual_ticket = statistics.median_low(half_up(n, o) for n, o in earlier)
    week_net, week_orders = day_totals(days, names, D - timedelta(weeks=1))
    week_ticket = half_up(week_net, week_orders)
    if usual_orders is None:
        orders_measure = Measure(
            orders,
            usual_count,
            False,
            None,
            direction(orders, usual_count),
            week_orders,
            change_percent(orders, week_orders),
        )
    else:
        value, percent = usual_orders
        orders_measure = Measure(
            orders,
            value,
            True,
            percent,
            direction(orders, value),
            week_orders,
            change_percent(orders, week_orders),
        )
    return Figures(
        label,
        Measure(
            dollars(net),
            dollars(usual_net),
            False,
            None,
            direction(net, usual_net),
            dollars(week_net),
            change_percent(net, week_net),
        ),
        orders_measure,
        Measure(
            dollars(ticket),
            dollars(usual_ticket),
            False,
            None,
            direction(ticket, usual_ticket),
            dollars(week_ticket),
            change_percent(ticket, week_ticket),
        ),
    )


# --- the figures --------------------------------------------------------------------------------------------


def test_the_brief_of_a_saturday_has_the_fixtures_figures(brief_with_stand_ins, days):
    brief, calls = brief_with_stand_ins
    assert (brief.day, brief.day_label, brief.business, brief.scope) == (
        D,
        "Sat 21 Nov 2026",
        "Copperline Kitchen",
        "all locations",
    )
    assert brief.total == expected_figures(days, "All locations", LOCATIONS)
    assert brief.locations == [
        expected_figures(days, LABELS[name], (name,), usual_orders=(180, -45.6) if name == "Uptown" else None)
        for name in LOCATIONS
    ]
    assert brief.last_week_label == "Sat 14 Nov 2026"
    assert brief.anomalies is not None
    assert (brief.anomalies.items, brief.anomalies.checked, brief.anomalies.omitted) == (ANOMALIES, 123, 0)

    monday, week_before = date(2026, 11, 16), date(2026, 11, 9)
    orders, net = sums(days, LOCATIONS, monday, D)
    _, net_before = sums(days, LOCATIONS, week_before, D - timedelta(weeks=1))
    week = brief.week
    assert week is not None
    assert (week.period_label, week.net_sales, week.orders, week.average_ticket) == (
        "Mon 16 Nov 2026 – Sat 21 Nov 2026",
        dollars(net),
        orders,
        dollars(half_up(net, orders)),
    )
    assert (week.change_percent, week.last_week_net_sales) == (
        change_percent(net, net_before),
        dollars(net_before),
    )
    assert week.locations == [
        (LABELS[name], dollars(sums(days, (name,), monday, D)[1]), sums(days, (name,), monday, D)[0])
        for name in LOCATIONS
    ]

    assert ("forecast_sales", {"start_date": D + timedelta(days=1), "days": 1, "locations": None}) in calls
    assert ("anomalies", {"start_date": D, "end_date": D, "locations": None}) in calls
    forecast = brief.forecast
    assert forecast is not None
    assert (forecast.day, forecast.net_sales, forecast.low, forecast.high) == (
        "2026-11-22 (Sun)",
        "$15,870.00",
        "$14,300.00",
        "$17,450.00",
    )
    assert (forecast.orders, forecast.orders_low, forecast.orders_high, forecast.backtest) == (
        505,
        460,
        552,
        BACKTEST,
    )

    chart = brief.chart
    assert chart is not None
    fortnight = [D - timedelta(days=n) for n in range(13, -1, -1)]
    assert chart.labels == [f"{day.isoformat()} ({day:%a})" for day in fortnight]
    assert chart.shown == [dollars(day_totals(days, LOCATIONS, day)[0]) for day in fortnight]
    assert chart.values == [day_totals(days, LOCATIONS, day)[0] / 100 for day in fortnight]
    assert brief.notes == []


def row_pattern(label: str, *cells: str) -> str:
    return rf"^{re.escape(label)} +" + " +".join(re.escape(cell) for cell in cells) + "$"


@sqlite_only
def test_the_text_shows_each_figure_and_none_that_no_tool_result_explains(brief_with_stand_ins, days):
    brief, _ = brief_with_stand_ins
    text = brief.text()
    verdict = check_answer(text, brief.tool_results())
    assert verdict.clean, verdict.summary()
    assert verdict.checked > 80
    invented = check_answer(text + "\nAnd $12,345.67 more.", brief.tool_results())
    assert invented.unmatched_texts() == ["$12,345.67"]  # the check does catch a figure no tool gave

    lines = text.splitlines()
    assert lines[0] == "Copperline Kitchen · morning brief for Sat 21 Nov 2026 · all locations"
    net, orders = day_totals(days, ("Harbor",), D)
    assert re.search(
        row_pattern("Location 2 (Harbor)", dollars(net), str(orders), dollars(half_up(net, orders))),
        text,
        re.M,
    )
    week_net, week_orders = day_totals(days, ("Harbor",), D - timedelta(weeks=1))
    ticket, ticket_then = half_up(net, orders), half_up(week_net, week_orders)
    assert re.search(
        row_pattern(
            "  Sat 14 Nov 2026",
            f"{dollars(week_net)} ({change_percent(net, week_net):+.1f}%)",
            f"{week_orders} ({change_percent(orders, week_orders):+.1f}%)",
            f"{dollars(ticket_then)} ({change_percent(ticket, ticket_then):+.1f}%)",
        ),
        text,
        re.M,
    )
    assert re.search(r"^  usual Saturday .* 180 \(-45\.6%\)† ", text, re.M)  # Uptown's from the anomalies
    assert "† the anomalies tool's expected value" in text
    assert "\n".join(
        lines[lines.index("Anomalies on Sat 21 Nov 2026 — 123 values checked:") :][:7]
    ) == "\n".join(
        [
            "Anomalies on Sat 21 Nov 2026 — 123 values checked:",
            "  1. high · Location 3 (Uptown) · orders 98, expected 180 (150–210), -45.6%",
            "     no orders 14:00–16:00 (usually 31)",
            "  2. high · Location 2 (Harbor) · refunds $980.40, expected $160.00 ($90.00–$230.00), +512.8%",
            "     refunds $980.40 vs usual $160.00",
            "  3. medium · Location 4 (Sunset) · units of Falafel Bowl 0, expected 14 (9–19), -100.0%",
            "     Falafel Bowl: none sold (usually 14)",
        ]
    )
    assert (
        "Tomorrow, 2026-11-22 (Sun) — forecast: $15,870.00 net sales (likely $14,300.00–$17,450.00), "
        "505 orders (460–552)"
    ) in lines
    assert (
        "  backtest over 28 days: 7.4% mean absolute error on net sales, 6.1% on orders; the range held "
        "82.1% "
        "of days"
    ) in lines
    orders_week, net_week = sums(days, LOCATIONS, date(2026, 11, 16), D)
    assert any(
        line.startswith(
            f"Week to date (Mon 16 Nov 2026 – Sat 21 Nov 2026): {dollars(net_week)} net sales, "
            f"{orders_week:,} orders"
        )
        for line in lines
    )


@sqlite_only
def test_without_the_anomalies_and_forecast_tools_those_sections_are_left_out_with_a_note(context, days):
    brief = gather_brief(registry_with([]), context, D)
    assert (brief.anomalies, brief.forecast) == (None, None)
    assert brief.notes == [
        "Anomalies left out: the anomalies tool is not installed",
        "Tomorrow's forecast left out: the forecast_sales tool is not installed",
    ]
    assert brief.locations == [expected_figures(days, LABELS[name], (name,)) for name in LOCATIONS]
    text = brief.text()
    assert "Anomalies on" not in text and "Tomorrow," not in text and "†" not in text
    assert "  - Anomalies left out: the anomalies tool is not installed" in text.splitlines()
    assert check_answer(text, brief.tool_results()).clean


@sqlite_only
def test_a_failing_tool_leaves_its_section_out_and_says_why(context):
    calls: list = []
    brief = gather_brief(registry_with(stand_ins(calls, failing=True)), context, D)
    assert brief.anomalies is None and brief.forecast is not None
    assert brief.notes == ["Anomalies left out: anomalies failed: the baseline needs 3 weeks of data"]


@sqlite_only
def test_a_brief_of_one_location_asks_every_tool_about_that_location_only(context, days):
    calls: list[tuple[str, dict]] = []
    brief = gather_brief(registry_with(stand_ins(calls)), context, D, location="harbor")
    assert (brief.scope, brief.total) == ("Location 2 (Harbor)", None)
    assert brief.locations == [expected_figures(days, LABELS["Harbor"], ("Harbor",))]
    assert {tuple(arguments["locations"]) for _tool, arguments in calls} == {("Location 2 (Harbor)",)}
    assert all(
        call.arguments.get("locations") == ["Location 2 (Harbor)"]
        for call in brief.calls
        if call.tool != "business_info"
    )
    assert [a["location"] for a in brief.anomalies.items] == ["Location 2 (Harbor)"]
    assert brief.chart.shown == [
        dollars(day_totals(days, ("Harbor",), D - timedelta(days=n))[0]) for n in range(13, -1, -1)
    ]
    assert check_answer(brief.text(), brief.tool_results()).clean


@sqlite_only
def test_a_day_without_data_and_an_unknown_location_are_errors(context):
    registry = registry_with([])
    with pytest.raises(BriefError, match="the data covers 2026-08-31 to 2026-11-22"):
        gather_brief(registry, context, date(2027, 1, 9))
    with pytest.raises(ToolError, match="unknown location 'Atlantis'"):
        gather_brief(registry, context, D, location="Atlantis")


# --- Block Kit and posting ----------------------------------------------------------------------------------


def block_texts(payload: list[dict]) -> list[str]:
    """Every text of a blocks payload."""
    found = []
    for block in payload:
        for part in [block.get("text"), *block.get("fields", []), *block.get("elements", [])]:
            if part:
                found.append(part["text"])
    return found


@sqlite_only
def test_the_blocks_validate_and_carry_only_figures_from_the_tools(brief_with_stand_ins):
    brief, _ = brief_with_stand_ins
    payload = blocks_payload(brief)  # to_dict() runs the SDK's validation of every block
    assert [Block.parse(block).to_dict() for block in payload] == payload
    assert [block["type"] for block in payload] == [
        "header",
        *["section"] * 5,
        "context",
        *["divider", "section"] * 3,
        "context",
    ]
    assert payload[0]["text"] == {
        "type": "plain_text",
        "text": "Copperline Kitchen · morning brief for Sat 21 Nov 2026 · all locations",
        "emoji": False,
    }
    shown = "\n".join([*block_texts(payload), fallback_text(brief)])
    verdict = check_answer(shown, brief.tool_results())
    assert verdict.clean, verdict.summary()
    net, orders = day_totals(expected_from_fixtures(DEMO_FIXTURES).days, LOCATIONS, D)
    assert fallback_text(brief) == (
        "Copperline Kitchen · morning brief for Sat 21 Nov 2026 · all locations: "
        f"net sales {dollars(net)}, {orders} orders; top anomaly: Location 3 (Uptown) orders"
    )


def harbor_payload(days) -> list[dict]:
    """The exact blocks of the Harbor brief of D with the stand-ins, written out from the fixtures."""
    net, orders = day_totals(days, ("Harbor",), D)
    ticket = half_up(net, orders)
    earlier = [day_totals(days, ("Harbor",), D - timedelta(weeks=k)) for k in range(1, 5)]
    usual = {
        "net": statistics.median_low(n for n, _ in earlier),
        "orders": statistics.median_low(o for _, o in earlier),
        "ticket": statistics.median_low(half_up(n, o) for n, o in earlier),
    }
    week_net, week_orders = earlier[0]
    week_ticket = half_up(week_net, week_orders)
    monday = date(2026, 11, 16)
    wtd_orders, wtd_net = sums(days, ("Harbor",), monday, D)
    _, before_net = sums(days, ("Harbor",), monday - timedelta(weeks=1), D - timedelta(weeks=1))

    def field(name, value, usual_value, usual_number, now_number, last_week, now, then):
        return {
            "type": "mrkdwn",
            "text": f"*{name}* {value}\n"
            f"usual Saturday: {usual_value} ({direction(now_number, usual_number)})\n"
            f"Sat 14 Nov 2026: {last_week} ({change_percent(now, then):+.1f}%)",
        }

    return [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": "Copperline Kitchen · morning brief for Sat 21 Nov 2026 · Location 2 (Harbor)",
                "emoji": False,
            },
        },
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "*Location 2 (Harbor)*"},
            "fields": [
                field(
                    "Net sales",
                    dollars(net),
                    dollars(usual["net"]),
                    usual["net"],
                    net,
                    dollars(week_net),
                    net,
                    week_net,
                ),
                field(
                    "Orders",
                    str(orders),
                    str(usual["orders"]),
                    usual["orders"],
                    orders,
                    str(week_orders),
                    orders,
                    week_orders,
                ),
                field(
                    "Avg ticket",
                    dollars(ticket),
                    dollars(usual["ticket"]),
                    usual["ticket"],
                    ticket,
                    dollars(week_ticket),
                    ticket,
                    week_ticket,
                ),
            ],
        },
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": "usual Saturday: the median of the previous 4 Saturdays (the lower middle one)",
                }
            ],
        },
        {"type": "divider"},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*Anomalies* — 123 values checked\n"
                ":red_circle: high · Location 2 (Harbor) · refunds $980.40, "
                "expected $160.00 ($90.00–$230.00), +512.8%\n      _refunds $980.40 vs usual $160.00_",
            },
        },
        {"type": "divider"},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f"*Week to date* (Mon 16 Nov 2026 – Sat 21 Nov 2026): {dollars(wtd_net)} net sales, "
                f"{wtd_orders} orders, average ticket {dollars(half_up(wtd_net, wtd_orders))}; "
                f"{change_percent(wtd_net, before_net):+.1f}% against the same days last week "
                f"({dollars(before_net)})",
            },
        },
        {"type": "divider"},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*Tomorrow* (2026-11-22 (Sun)), forecast: $15,870.00 net sales "
                "(likely $14,300.00–$17,450.00), 505 orders\n"
                "_backtest over 28 days: 7.4% mean absolute error on net sales, 6.1% on orders; the range "
                "held 82.1% of days_",
            },
        },
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": "Completed orders only; every figure is from opsbot's tools: anomalies, "
                    "business_info, "
                    "compare_periods, forecast_sales, sales_report",
                }
            ],
        },
    ]


@sqlite_only
def test_posting_sends_the_exact_message_then_uploads_the_chart_into_its_thread(context, days):
    brief = gather_brief(registry_with(stand_ins([])), context, D, location="Harbor")
    net, orders = day_totals(days, ("Harbor",), D)
    with FakeSlack() as slack:
        client = WebClient(token=BOT_TOKEN, base_url=slack.api_url)
        ts = post_brief(client, "C0BRIEF", brief)
        (message,) = slack.of("chat.postMessage")
        assert message.args == {
            "channel": "C0BRIEF",
            "text": "Copperline Kitchen · morning brief for Sat 21 Nov 2026 · Location 2 (Harbor): "
            f"net sales {dollars(net)}, {orders} orders; top anomaly: Location 2 (Harbor) refunds",
            "blocks": harbor_payload(days),
            "unfurl_links": False,
            "_ts": ts,  # the fake's own note of the ts it answered with
        }
        methods = [call.method for call in slack.calls]
        assert methods == ["chat.postMessage", "files.getUploadURLExternal", "files.completeUploadExternal"]
        (upload,) = slack.of("files.getUploadURLExternal")
        fortnight = [D - timedelta(days=n) for n in range(13, -1, -1)]
        assert upload.args["filename"] == CHART_FILENAME
        assert upload.args["alt_txt"] == "Net sales by day, Location 2 (Harbor): " + ", ".join(
            f"{day.isoformat()} ({day:%a}) {dollars(day_totals(days, ('Harbor',), day)[0])}"
            for day in fortnight
        )
        (complete,) = slack.of("files.completeUploadExternal")
        (shared,) = complete.args["files"]
        assert (complete.args["channel_id"], complete.args["thread_ts"], shared["title"]) == (
            "C0BRIEF",
            ts,
            "Net sales by day, Location 2 (Harbor)",
        )
        png = slack.uploads[shared["id"]]
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and int(upload.args["length"]) == len(png)


@sqlite_only
def test_a_failed_chart_upload_leaves_the_posted_brief_with_one_log_line(context, caplog):
    brief = gather_brief(registry_with([]), context, D, location="Uptown")
    with FakeSlack() as slack:
        client = WebClient(token=BOT_TOKEN, base_url=slack.api_url)

        def refuse(**_kwargs):
            raise SlackApiError("not allowed", {"ok": False, "error": "not_allowed_token_type"})

        client.files_upload_v2 = refuse  # type: ignore[method-assign]
        with caplog.at_level(logging.WARNING, logger="opsbot.insights"):
            ts = post_brief(client, "C0BRIEF", brief)
        assert [call.method for call in slack.calls] == ["chat.postMessage"]
        assert slack.of("chat.postMessage")[0].args["_ts"] == ts
    (record,) = [r for r in caplog.records if r.name == "opsbot.insights"]
    assert record.getMessage().startswith("the brief was posted without its chart: the upload failed (")
    assert "\n" not in record.getMessage()


# --- opsbot brief -------------------------------------------------------------------------------------------


@pytest.fixture
def cli_env(demo_store, tmp_path, monkeypatch):
    """``bot.cli.main`` on the demo store, in a folder without a .env, with no Slack settings."""
    engine, _ = demo_store
    for name in ("SLACK_BOT_TOKEN", "SLACK_API_URL", "OPSBOT_WEEK_START"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("OPSBOT_DATA_DIR", str(tmp_path / "data"))
    return monkeypatch


@sqlite_only
def test_opsbot_brief_prints_the_text(cli_env, capsys, days):
    assert main(["brief", "--date", "2026-11-21"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Copperline Kitchen · morning brief for Sat 21 Nov 2026 · all locations"
    net, orders = day_totals(days, ("Downtown",), D)
    assert re.search(
        row_pattern("Location 1 (Downtown)", dollars(net), str(orders), dollars(half_up(net, orders))),
        out,
        re.M,
    )
    net, orders = day_totals(days, LOCATIONS, D)
    assert re.search(
        row_pattern("All locations", dollars(net), str(orders), dollars(half_up(net, orders))), out, re.M
    )


@sqlite_only
@pytest.mark.parametrize(
    ("arguments", "line"),
    [
        (["--date", "21/11/2026"], "opsbot: --date must be a date YYYY-MM-DD, got '21/11/2026'"),
        (["--date", "2026-02-30"], "opsbot: --date must be a date YYYY-MM-DD, got '2026-02-30'"),
        (
            ["--date", "2026-11-21", "--location", "Atlantis"],
            "opsbot: unknown location 'Atlantis' — known: 1 Downtown, 2 Harbor, 3 Uptown, 4 Sunset",
        ),
    ],
)
def test_a_bad_date_or_an_unknown_location_is_one_line_and_exit_2(cli_env, capsys, arguments, line):
    assert main(["brief", *arguments]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", line + "\n")


@sqlite_only
def test_opsbot_brief_post_posts_it_and_prints_the_ts(cli_env, capsys):
    with FakeSlack() as slack:
        cli_env.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
        cli_env.setenv("SLACK_API_URL", slack.api_url)
        assert main(["brief", "--date", "2026-11-21", "--location", "Sunset", "--post", "C0BRIEF"]) == 0
        (message,) = slack.of("chat.postMessage")
        assert capsys.readouterr().out == message.args["_ts"] + "\n"
        assert message.args["channel"] == "C0BRIEF"
        assert message.args["blocks"][1]["text"]["text"] == "*Location 4 (Sunset)*"
        (complete,) = slack.of("files.completeUploadExternal")
        assert complete.args["thread_ts"] == message.args["_ts"]


@sqlite_only
def test_opsbot_brief_post_without_a_bot_token_is_one_line_and_exit_2(cli_env, capsys):
    assert main(["brief", "--date", "2026-11-21", "--post", "C0BRIEF"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
