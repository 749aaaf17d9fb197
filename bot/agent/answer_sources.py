"""What an answer rests on, as one line under it: the tools used, the periods, the locations and timezones
their results state, and how fresh the data is (the newest order stored, per source).

    Sources: sales_report ×2, top_items · 2026-11-16 – 2026-11-22 (last week) · Harbor, Uptown ·
    America/New_York · data to Nov 23 00:41 (Square), Nov 23 00:55 (Deliverect)

Pure: built from the tool results a turn already holds and a freshness the caller read; no I/O here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

from bot.agent.context_budget import tool_result_text
from tools.result_tables import parse_result
from tools.store.freshness import SourceFreshness

MAX_LINE = 300
MAX_ITEM = 80  # one tool name, period, location or zone as shown, at most
PERIOD_KEYS = ("period", "compared_with")  # a result's period, and a comparison's earlier one
_WORDS_AND_DATES = re.compile(r"(?P<words>.*?) \((?P<dates>[^()]*)\)")
_DAY_WORDS = r"[A-Z][a-z]{2} \d{2} [A-Z][a-z]{2} \d{4}"  # "Mon 16 Nov 2026", as period labels write a day
_DATES_ONLY = re.compile(f"{_DAY_WORDS}( – {_DAY_WORDS})?")
_LOCATION_LABEL = re.compile(r"Location \d+ \((?P<name>.+)\)")


class SourcePeriod(NamedTuple):
    """A period a result covers: inclusive business dates and the words it was asked in ("last week"; ""
    for explicit dates)."""

    start: date
    end: date
    label: str

    def text(self) -> str:
        """``2026-11-16 – 2026-11-22 (last week)``; one date for a single day."""
        dates = self.start.isoformat() if self.start == self.end else f"{self.start} – {self.end}"
        return f"{dates} ({self.label})" if self.label else dates


def no_freshness() -> tuple[SourceFreshness, ...]:
    """The freshness provider of an agent given none: nothing is said about how fresh the data is."""
    return ()


@dataclass(frozen=True)
class AnswerSources:
    """What one answer rests on. ``tools``: name → successful calls, in first-use order; ``periods``: the
    distinct periods the results cover (comparisons' earlier periods too), in order; ``locations``: "all",
    or the location labels the results name ("Location 2 (Harbor)"), in order; ``timezones``: the zones the
    results state; ``freshness``: each source's newest stored order; ``shown_in``: the zone the freshness
    times are shown in (the business's first location's)."""

    tools: dict[str, int] = field(default_factory=dict)
    periods: tuple[SourcePeriod, ...] = ()
    locations: Literal["all"] | tuple[str, ...] = ()
    timezones: tuple[str, ...] = ()
    freshness: tuple[SourceFreshness, ...] = ()
    shown_in: str = "UTC"

    def line(self) -> str:
        """The one line (at most 300 characters; long lists end in "+N more")."""
        if not self.tools:
            return "Sources: no tool used"
        lists = [
            [f"{name} ×{count}" if count > 1 else name for name, count in self.tools.items()],
            [period.text() for period in self.periods],
            ["all locations"] if self.locations == "all" else [_short_location(x) for x in self.locations],
            list(self.timezones),
            [f"{_short_time(f.newest, self.shown_in)} ({f.label})" for f in self.freshness],
        ]
        lists = [[_cut(item, MAX_ITEM) for item in items] for items in lists]
        shown = [len(items) for items in lists]
        text = _render(lists, shown)
        while len(text) > MAX_LINE and max(shown) > 1:
            longest = max(range(len(lists)), key=lambda n: (shown[n], len(", ".join(lists[n][: shown[n]]))))
            shown[longest] -= 1
            text = _render(lists, shown)
        return _cut(text, MAX_LINE)

    def to_json(self) -> dict:
        """The facts and the line, for ``opsbot ask --json``."""
        return {
            "line": self.line(),
            "tools": dict(self.tools),
            "periods": [{"start": str(p.start), "end": str(p.end), "label": p.label} for p in self.periods],
            "locations": self.locations if self.locations == "all" else list(self.locations),
            "timezones": list(self.timezones),
            "freshness": [{"source": f.source, "newest": f.newest.isoformat()} for f in self.freshness],
        }


def _render(lists: list[list[str]], shown: list[int]) -> str:
    parts = []
    for index, (items, count) in enumerate(zip(lists, shown, strict=True)):
        if not items:
            continue
        kept = items[:count] + ([f"+{len(items) - count} more"] if count < len(items) else [])
        parts.append(("data to " if index == len(lists) - 1 else "") + ", ".join(kept))
    return "Sources: " + " · ".join(parts)


def _cut(text: str, limit: int) -> str:
    """``text`` on one line (whitespace runs as one space), ending in "…" when it is over ``limit``."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short_location(label: str) -> str:
    """ "Harbor" for "Location 2 (Harbor)"; any other label as it is."""
    match = _LOCATION_LABEL.fullmatch(label)
    return match["name"] if match else label


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError; a malformed name a ValueError
        return UTC


def _short_time(moment: datetime, zone: str) -> str:
    """``Nov 23 00:41`` in ``zone``."""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(_zone(zone))
    return f"{local:%b} {local.day} {local:%H:%M}"


def sources_of(
    calls: Iterable[tuple[str, object]],
    freshness: Iterable[SourceFreshness] = (),
    *,
    shown_in: str = "UTC",
) -> AnswerSources:
    """The sources of an answer from its successful tool calls — ``(tool name, parsed JSON result)`` — and
    the data's freshness. A result that states no period, locations or timezone adds only its tool's name."""
    tools: dict[str, int] = {}
    periods: dict[tuple[date, date], str] = {}
    everywhere = False
    locations: dict[str, None] = {}
    zones: dict[str, None] = {}
    for name, result in calls:
        tools[name] = tools.get(name, 0) + 1
        if not isinstance(result, dict):
            continue
        for period in _periods(result):
            if not periods.get((period.start, period.end)):
                periods[(period.start, period.end)] = period.label
        stated = result.get("locations")
        if stated == "all":
            everywhere = True
        for label in [*_strings(stated), *_strings(result.get("location"))]:
            locations[label] = None
        for zone in _strings(result.get("timezone")):
            zones[zone] = None
    return AnswerSources(
        tools=tools,
        periods=tuple(SourcePeriod(start, end, label) for (start, end), label in periods.items()),
        locations="all" if everywhere else tuple(locations),
        timezones=tuple(zones),
        freshness=tuple(freshness),
        shown_in=shown_in,
    )


def _strings(value: object) -> list[str]:
    """A string or a list's strings (other values, e.g. business_info's location records, name nothing)."""
    if isinstance(value, str):
        return [value] if value and value != "all" else []
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str) and item and item != "all"]
    return []


def _periods(result: dict) -> list[SourcePeriod]:
    """The periods a result states: ``period`` and a comparison's ``compared_with``, or the days a
    forecast covers (its ``forecast`` rows' ``day``)."""
    found = [p for key in PERIOD_KEYS if (p := _period(result.get(key))) is not None]
    rows = result.get("forecast")
    if not found and isinstance(rows, list):
        days = [d for row in rows if isinstance(row, dict) and (d := _day(row.get("day"))) is not None]
        if days:
            found.append(SourcePeriod(min(days), max(days), "forecast"))
    return found


def _day(value: object) -> date | None:
    """The date at the start of ``"2026-11-25"`` or ``"2026-11-25 (Wed)"``; None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _period(value: object) -> SourcePeriod | None:
    if not isinstance(value, dict):
        return None
    start, end = _day(value.get("start")), _day(value.get("end"))
    if start is None or end is None:
        return None
    label = value.get("label")
    return SourcePeriod(start, end, _words(label) if isinstance(label, str) else "")


def _words(label: str) -> str:
    """The words of a period's label without its dates: "last week" of "last week (Mon 16 Nov 2026 – Sun 22
    Nov 2026)", "" of the dates alone."""
    label = label.strip()
    match = _WORDS_AND_DATES.fullmatch(label)
    if match and _DATES_ONLY.fullmatch(match["dates"]):
        return match["words"].strip()
    return "" if _DATES_ONLY.fullmatch(label) else label


def successful_calls(messages: Iterable[dict]) -> list[tuple[str, object]]:
    """``(tool name, parsed result)`` of each tool call in ``messages`` that succeeded, in call order (a
    tool_use block names the call, the tool_result block with its id holds the result)."""
    names: dict[object, str] = {}
    calls: list[tuple[str, object]] = []
    for message in messages:
        content = message.get("content")
        for block in content if isinstance(content, list) else []:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "tool_use":
                names[block.get("id")] = str(block.get("name"))
            elif block.get("type") == "tool_result" and not block.get("is_error"):
                name = names.get(block.get("tool_use_id"))
                if name is not None:
                    calls.append((name, parse_result(tool_result_text(block))))
    return calls
