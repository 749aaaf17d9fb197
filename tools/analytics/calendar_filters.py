"""Calendar filters inside a period: which weekdays, which local hours ("lunch", "11-14", "after 21").

Both are read in each location's own timezone: an order's weekday is that of its business day, its hour the
local hour it was placed. Day parts are named hour ranges; the defaults cover the whole day once, and a
deployment can set its own with ``OPSBOT_DAY_PARTS`` (see ``parse_day_parts``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY_GROUPS = {
    "weekdays": (0, 1, 2, 3, 4),
    "weekday": (0, 1, 2, 3, 4),
    "workdays": (0, 1, 2, 3, 4),
    "weekends": (5, 6),
    "weekend": (5, 6),
}


class FilterError(ValueError):
    """A weekday, hour or day-part filter that cannot be read; the message says what is accepted."""


@dataclass(frozen=True)
class DayPart:
    """A named range of local hours, ``start`` inclusive to ``end`` exclusive; it wraps past midnight when
    ``end`` <= ``start`` (late night 21–6 is 21:00 to 05:59)."""

    name: str
    start: int
    end: int

    @property
    def hours(self) -> tuple[int, ...]:
        """The local hours (0–23) the part covers."""
        if self.end > self.start:
            return tuple(range(self.start, self.end))
        return tuple(range(self.start, 24)) + tuple(range(0, self.end))

    @property
    def span(self) -> str:
        """Its hours as results show them: "11:00–13:59"."""
        return _hours_text(self.hours)

    @property
    def label(self) -> str:
        """How results name it: "lunch (11:00–13:59)"."""
        return f"{self.name} ({self.span})"


DEFAULT_DAY_PARTS = (
    DayPart("breakfast", 6, 11),
    DayPart("lunch", 11, 14),
    DayPart("afternoon", 14, 17),
    DayPart("dinner", 17, 21),
    DayPart("late_night", 21, 6),
)
DEFAULT_DAY_PARTS_TEXT = ",".join(f"{p.name}={p.start}-{p.end}" for p in DEFAULT_DAY_PARTS)


def _hours_text(hours: tuple[int, ...]) -> str:
    """ "11:00–13:59" for consecutive hours (wrapping past midnight), else the ranges joined by commas."""
    runs: list[list[int]] = []
    for hour in hours:
        if runs and hour == (runs[-1][-1] + 1) % 24:
            runs[-1].append(hour)
        else:
            runs.append([hour])
    return ", ".join(f"{run[0]:02d}:00–{run[-1]:02d}:59" for run in runs)


def parse_day_parts(text: str) -> tuple[DayPart, ...]:
    """``"breakfast=6-11,lunch=11-14,…"`` → day parts; FilterError for an unreadable part or an overlap."""
    parts: list[DayPart] = []
    taken: dict[int, str] = {}
    for chunk in filter(None, (c.strip() for c in text.split(","))):
        match = re.fullmatch(r"([a-z][a-z0-9_]*)\s*=\s*(\d{1,2})\s*-\s*(\d{1,2})", chunk.lower())
        if not match:
            raise FilterError(f"day part {chunk!r} — write name=START-END in local hours, e.g. lunch=11-14")
        name, start, end = match[1], int(match[2]), int(match[3])
        if not (0 <= start <= 23 and 0 <= end <= 24) or start == end % 24:
            raise FilterError(f"day part {chunk!r} — hours run 0–24 and a part must not be empty")
        part = DayPart(name, start, end % 24 if end == 24 else end)
        if any(p.name == name for p in parts):
            raise FilterError(f"day part {name!r} is named twice")
        for hour in part.hours:
            if hour in taken:
                raise FilterError(f"day parts {taken[hour]!r} and {name!r} both cover {hour:02d}:00")
            taken[hour] = name
        parts.append(part)
    if not parts:
        raise FilterError("no day parts given — e.g. " + DEFAULT_DAY_PARTS_TEXT)
    return tuple(parts)


def parse_weekdays(values: list[str] | None) -> tuple[int, ...]:
    """Weekday names, 3-letter abbreviations, "weekdays" (Mon–Fri) or "weekends" → sorted weekday numbers
    (0 = Monday); () for no filter."""
    chosen: set[int] = set()
    for value in values or ():
        word = str(value).strip().lower()
        if word in _WEEKDAY_GROUPS:
            chosen.update(_WEEKDAY_GROUPS[word])
            continue
        found = [i for i, name in enumerate(WEEKDAY_NAMES) if word in (name.lower(), name.lower()[:3])]
        if not found:
            raise FilterError(
                f"weekdays: {value!r} is not a weekday — use Monday … Sunday, Mon … Sun, weekdays or weekends"
            )
        chosen.add(found[0])
    if len(chosen) == 7:
        return ()
    return tuple(sorted(chosen))


@dataclass(frozen=True)
class HourFilter:
    """The local hours a question is about, and how results say so."""

    hours: tuple[int, ...]
    label: str


def _twenty_four_hour(match: re.Match) -> str:
    hour = int(match[1]) % 12
    return str(hour + 12 if match[2] == "pm" else hour)


def parse_hours(text: str | None, day_parts: tuple[DayPart, ...] = DEFAULT_DAY_PARTS) -> HourFilter | None:
    """A day part name, or local hours "11-14" (11:00–13:59), "21-" or "after 9 pm" (21:00 to midnight),
    "-11" or "before 11" (midnight to 10:59), "22-2" (past midnight), "14" (14:00–14:59); None for none."""
    if text is None or not str(text).strip():
        return None
    words = re.sub(r"\s+", " ", str(text).strip().lower())
    for part in day_parts:
        if words in (part.name, part.name.replace("_", " ")):
            return HourFilter(part.hours, part.label)
    words = re.sub(r"(\d{1,2})\s*(am|pm)", _twenty_four_hour, words)
    words = re.sub(
        r"^(?:after|from) (\d{1,2})(?::00)?$", r"\1-", words.replace("–", "-").replace(" to ", "-")
    )
    if match := re.fullmatch(r"before (\d{1,2})(?::00)?", words):
        words = f"-{match[1]}"
    match = re.fullmatch(r"(\d{1,2})?(?::00)?\s*(-)?\s*(\d{1,2})?(?::00)?", words)
    if not match or not (match[1] or match[3]) or (match[2] is None and match[3]):
        names = ", ".join(p.name for p in day_parts)
        raise FilterError(
            f"hours: cannot read {text!r} — use a day part ({names}) or local hours like '11-14' "
            "(11:00–13:59), '21-' (from 21:00), '-11' (before 11:00)"
        )
    if match[2] is None:  # a single hour
        start = end = int(match[1])
        end += 1
    else:
        start = int(match[1]) if match[1] else 0
        end = int(match[3]) if match[3] else 24
    if not (0 <= start <= 23 and 1 <= end <= 24) or start == end:
        raise FilterError(f"hours: {text!r} — give local hours from 0 to 24, e.g. '11-14' or '21-2'")
    hours = DayPart("", start, end % 24).hours  # "22-2" wraps past midnight
    return HourFilter(hours, _hours_text(hours))
