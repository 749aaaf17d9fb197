"""Cell values the CSV importers read: amounts of money, dates, local wall-clock times, minutes.

Each reader returns the value or raises ValueError with what is wrong in a few words ("'abc' is not an
amount"); the importer adds the line and field. Dates with slashes are US month-first (11/23/2026), the
way 7shifts and Homebase write them in the US.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from tools.plugin_api import minor_unit_digits

_SYMBOLS = "$€£¥"
_NUMBER = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$")
_MERIDIEM = re.compile(r"\s*([ap])\.?\s*m\.?$", re.IGNORECASE)

DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%y", "%m/%d/%Y")  # two-digit years first: %Y would read "26" as 0026
DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %I:%M %p",
    "%Y-%m-%d %I:%M:%S %p",
    "%m/%d/%y %I:%M %p",
    "%m/%d/%y %I:%M:%S %p",
    "%m/%d/%y %H:%M",
    "%m/%d/%y %H:%M:%S",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
)
TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M:%S %p", "%I %p")
FIRST_YEAR, LAST_YEAR = 2000, 2099  # outside these a date is a typo, not a shift


def _decimal(text: str) -> Decimal | None:
    body = text.strip()
    negative = body.startswith("-")
    body = body.lstrip("-").strip()
    if body[:1] in _SYMBOLS:
        body = body[1:].strip()
    if body.startswith("-"):  # "$-3.85"
        negative, body = True, body[1:].strip()
    if not body or not _NUMBER.match(body):
        return None
    try:
        value = Decimal(body.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return None
    return -value if negative else value


def money(text: str, currency: str, *, most: int) -> int:
    """A non-negative amount in major units ("18.50", "$18.50", "1,204.00") as minor units of
    ``currency``; ``most`` is the largest plausible amount in major units."""
    value = _decimal(text)
    if value is None:
        raise ValueError(f"{text!r} is not an amount (write 18.50 or $18.50)")
    if value < 0:
        raise ValueError(f"{text} is negative")
    if value > most:
        raise ValueError(f"{text} is more than {most:,} {currency} — is it a typo?")
    digits = minor_unit_digits(currency)
    minor = value.scaleb(digits)
    if minor != minor.to_integral_value():
        places = f"{digits} decimal place{'' if digits == 1 else 's'}" if digits else "no decimals"
        raise ValueError(f"{text} has more decimals than {currency} has ({places})")
    return int(minor)


def minutes(text: str) -> int:
    """A length of time in seconds from minutes ("30", "30.5") or hours and minutes ("0:30", "1:05")."""
    body = text.strip()
    clock = re.fullmatch(r"(\d{1,2}):([0-5]\d)", body)
    if clock:
        return (int(clock.group(1)) * 60 + int(clock.group(2))) * 60
    value = None if body[:1] and body[:1] in _SYMBOLS else _decimal(body)
    if value is None:
        raise ValueError(f"{text!r} is not a number of minutes (write 30 or 0:30)")
    if value < 0:
        raise ValueError(f"{text} minutes is negative")
    if value > 24 * 60:
        raise ValueError(f"{text} minutes is more than a day")
    return int((value * 60).to_integral_value())


def _plausible(moment: date) -> None:
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(f"year {moment.year} is not plausible")


def calendar_date(text: str) -> date:
    """A date as YYYY-MM-DD (or 11/23/2026, 11/23/26)."""
    for pattern in DATE_FORMATS:
        try:
            day = datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
        _plausible(day)
        return day
    raise ValueError(f"{text!r} is not a date (write 2026-11-23)")


def _meridiem(text: str) -> str:
    """ "9:02am", "9:02 a.m." → "9:02 AM"."""
    return _MERIDIEM.sub(lambda m: f" {m.group(1).upper()}M", " ".join(text.split()))


def _naive_or_aware(text: str) -> datetime | None:
    body = _meridiem(text)
    if re.match(r"^\d{4}-\d{2}-\d{2}T", body) or re.match(
        r"^\d{4}-\d{2}-\d{2} \d{1,2}:\d{2}.*([+-]\d{2}|Z)", body
    ):
        try:
            return datetime.fromisoformat(body)
        except ValueError:
            return None
    for pattern in DATETIME_FORMATS:
        try:
            return datetime.strptime(body, pattern)
        except ValueError:
            continue
    return None


def _time_of_day(text: str) -> time | None:
    body = _meridiem(text)
    for pattern in TIME_FORMATS:
        try:
            return datetime.strptime(body, pattern).time()
        except ValueError:
            continue
    return None


def localize(naive: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time at ``zone`` as an aware time; a time the clocks skip (the spring-forward hour)
    raises ValueError. A time the clocks show twice (fall back) is the first of the two."""
    aware = naive.replace(tzinfo=zone, fold=0)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise ValueError(f"{naive:%Y-%m-%d %H:%M} does not exist in {zone.key} (the clocks skip that hour)")
    return aware


HINT = "write 2026-11-23 09:02, 11/23/2026 9:02 AM or 2026-11-23T09:02:00-05:00"


def wall_clock(
    text: str, zone: ZoneInfo, *, day: date | None = None, after: datetime | None = None
) -> datetime:
    """A clock time read at ``zone``: a date and time ("2026-11-23 09:02", "11/23/2026 9:02 AM"), ISO 8601
    with an offset (kept as the instant it names), or a time alone ("9:02 AM") on ``day`` — on the day after
    when that would come before ``after`` (a shift past midnight)."""
    moment = _naive_or_aware(text)
    if moment is None:
        clock = _time_of_day(text)
        if clock is None:
            raise ValueError(f"{text!r} is not a date and time ({HINT})")
        if day is None:
            raise ValueError(f"{text!r} has no date (add a Date column, or {HINT})")
        moment = datetime.combine(day, clock)
        if after is not None and localize(moment, zone) < after:
            moment = datetime.combine(date.fromordinal(day.toordinal() + 1), clock)
    _plausible(moment)
    if moment.tzinfo is not None:
        return moment.astimezone(zone)
    return localize(moment, zone)
