"""Square Labor API payloads → records: a ``Timecard`` (the object that replaced ``Shift`` in Square API
version 2025-05-21) into a :class:`ShiftRecord`, and a SearchTeamMembers response into display names.

Field names follow the ``squareup`` SDK's own types (``square.types.timecard.Timecard``,
``square.types.break_.Break``, ``square.types.timecard_wage.TimecardWage``, ``square.types.money.Money``).
Every field the record is built from is checked: a missing or ill-typed one is a :class:`TimecardError`
naming it, as are an end before a start, a negative hourly rate and a location the store does not know.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from opsbot_labor.records import ShiftRecord

SOURCE = "square"
STATUSES = ("OPEN", "CLOSED")

# RFC 3339 date-times with a UTC offset (Square sends "2026-03-08T09:00:00-05:00" or "...Z").
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})")
# ISO 8601 durations as Square writes a break's expected length ("PT30M", "PT1H15M", "P0D"); years and
# months have no fixed length and are refused.
_DURATION = re.compile(
    r"P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?"
)
_CURRENCY = re.compile(r"[A-Z]{3}")
# Past these a payload is corrupt, not a shift (and its seconds and cost would overflow the store's columns).
MAX_SHIFT = timedelta(days=7)
MAX_BREAK = timedelta(hours=24)
MAX_HOURLY_RATE = 10**12


class TimecardError(ValueError):
    """A timecard (or team member) payload that cannot be read; one line naming the field."""


def _problem(timecard_id: str, message: str) -> TimecardError:
    return TimecardError(f"timecard {timecard_id}: {message}")


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


class _Reader:
    """Reads typed fields out of one timecard's payload, each failure naming the field's path."""

    def __init__(self, timecard_id: str) -> None:
        self.timecard_id = timecard_id

    def fail(self, message: str) -> TimecardError:
        return _problem(self.timecard_id, message)

    def object(self, parent: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any]:
        value = parent.get(key)
        if value is None:
            raise self.fail(f"{path} is missing")
        if not isinstance(value, Mapping):
            raise self.fail(f"{path} is not an object (got {_kind(value)})")
        return value

    def text(self, parent: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> str | None:
        value = parent.get(key)
        if value is None:
            if required:
                raise self.fail(f"{path} is missing")
            return None
        if not isinstance(value, str):
            raise self.fail(f"{path} is not a string (got {_kind(value)})")
        if required and not value.strip():
            raise self.fail(f"{path} is empty")
        return value

    def moment(
        self, parent: Mapping[str, Any], key: str, path: str, *, required: bool = True
    ) -> datetime | None:
        raw = self.text(parent, key, path, required=required)
        if raw is None:
            return None
        return parse_moment(raw, lambda: self.fail(f"{path} is not an RFC 3339 time with an offset: {raw!r}"))

    def integer(self, parent: Mapping[str, Any], key: str, path: str) -> int:
        value = parent.get(key)
        if value is None:
            raise self.fail(f"{path} is missing")
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{path} is not an integer (got {_kind(value)})")
        return value

    def flag(self, parent: Mapping[str, Any], key: str, path: str) -> bool:
        value = parent.get(key)
        if value is None:
            raise self.fail(f"{path} is missing")
        if not isinstance(value, bool):
            raise self.fail(f"{path} is not true or false (got {_kind(value)})")
        return value


def parse_moment(raw: str, error: Any = None) -> datetime:
    """An RFC 3339 time with an offset as an aware datetime; ``error()`` builds what is raised otherwise
    (default: a TimecardError quoting it)."""
    moment = None
    if _RFC3339.fullmatch(raw):
        try:
            moment = datetime.fromisoformat(raw.replace("z", "Z").replace("t", "T"))
            moment.astimezone(UTC)  # a time whose UTC is outside the calendar cannot be stored
        except (ValueError, OverflowError):
            moment = None
    if moment is None or moment.tzinfo is None:
        raise error() if error else TimecardError(f"not an RFC 3339 time with an offset: {raw!r}")
    return moment


def parse_duration(raw: str) -> timedelta | None:
    """An ISO 8601 duration of weeks, days, hours, minutes and seconds ("PT30M"); None if it is not one."""
    match = _DURATION.fullmatch(raw)
    if match is None or raw in ("P", "PT") or raw.endswith("T"):
        return None
    parts = {name: float(value) for name, value in match.groupdict().items() if value is not None}
    if not parts:
        return None
    try:
        return timedelta(**parts)
    except OverflowError:
        return None


def _timecard_id(payload: Mapping[str, Any]) -> str:
    value = payload.get("id")
    if value is None:
        raise TimecardError("timecard ?: id is missing")
    if not isinstance(value, str) or not value.strip():
        raise TimecardError(f"timecard ?: id is not a non-empty string (got {value!r:.40})")
    return value


def _breaks(
    read: _Reader, payload: Mapping[str, Any], start: datetime, end: datetime | None
) -> tuple[tuple[tuple[datetime, datetime], ...], int]:
    """The timed unpaid breaks and the seconds of every unpaid break (an open one: its expected length)."""
    raw = payload.get("breaks")
    if raw is None:
        return (), 0
    if not isinstance(raw, list):
        raise read.fail(f"breaks is not a list (got {_kind(raw)})")
    timed: list[tuple[datetime, datetime]] = []
    seconds = 0
    for index, entry in enumerate(raw):
        path = f"breaks[{index}]"
        if not isinstance(entry, Mapping):
            raise read.fail(f"{path} is not an object (got {_kind(entry)})")
        read.text(entry, "id", f"{path}.id", required=False)
        read.text(entry, "break_type_id", f"{path}.break_type_id", required=False)
        read.text(entry, "name", f"{path}.name", required=False)
        break_start = read.moment(entry, "start_at", f"{path}.start_at")
        break_end = read.moment(entry, "end_at", f"{path}.end_at", required=False)
        expected_raw = read.text(entry, "expected_duration", f"{path}.expected_duration")
        expected = parse_duration(expected_raw or "")
        if expected is None:
            raise read.fail(f"{path}.expected_duration is not an ISO 8601 duration: {expected_raw!r}")
        if expected > MAX_BREAK:
            raise read.fail(f"{path}.expected_duration is longer than {MAX_BREAK}: {expected_raw!r}")
        paid = read.flag(entry, "is_paid", f"{path}.is_paid")
        assert break_start is not None
        if break_start < start:
            raise read.fail(f"{path}.start_at is before the timecard's start_at")
        if break_end is not None:
            if break_end < break_start:
                raise read.fail(f"{path}.end_at is before its start_at")
            if end is not None and break_end > end:
                raise read.fail(f"{path}.end_at is after the timecard's end_at")
        elif end is not None and break_start > end:
            raise read.fail(f"{path}.start_at is after the timecard's end_at")
        if paid:
            continue
        if break_end is None:
            seconds += round(expected.total_seconds())
        else:
            timed.append((break_start, break_end))
            seconds += round((break_end - break_start).total_seconds())
    return tuple(timed), seconds


def parse_timecard(
    payload: dict,
    *,
    location_ids: Mapping[str, int],
    timezones: Mapping[int, str],
    names: Mapping[str, str],
) -> ShiftRecord:
    """One Square ``Timecard`` as a shift. ``location_ids``: Square location id → the store's location id;
    ``timezones``: store location id → IANA zone; ``names``: team member id → display name. ``end_at`` is
    None while the timecard is OPEN; unpaid breaks with an end are timed, an open one counts its
    ``expected_duration``."""
    if not isinstance(payload, Mapping):
        raise TimecardError(f"timecard ?: the timecard is not an object (got {_kind(payload)})")
    timecard_id = _timecard_id(payload)
    read = _Reader(timecard_id)
    square_location = read.text(payload, "location_id", "location_id")
    assert square_location is not None
    if square_location not in location_ids:
        raise read.fail(f"location_id {square_location!r} is not a location of this store")
    location_id = location_ids[square_location]
    timezone = timezones.get(location_id)
    if not timezone:
        raise read.fail(f"location_id {square_location!r} has no timezone in the store")
    read.text(payload, "timezone", "timezone", required=False)
    team_member_id = read.text(payload, "team_member_id", "team_member_id")
    status = read.text(payload, "status", "status")
    if status not in STATUSES:
        raise read.fail(f"status is {status!r}, not OPEN or CLOSED")
    start = read.moment(payload, "start_at", "start_at")
    assert start is not None and team_member_id is not None
    end = read.moment(payload, "end_at", "end_at", required=status == "CLOSED")
    if status == "OPEN":
        end = None
    if end is not None and end < start:
        raise read.fail("end_at is before start_at")
    if end is not None and end - start > MAX_SHIFT:
        raise read.fail(f"end_at is more than {MAX_SHIFT.days} days after start_at")
    read.moment(payload, "updated_at", "updated_at")
    read.moment(payload, "created_at", "created_at", required=False)
    if payload.get("version") is not None:
        read.integer(payload, "version", "version")
    wage = read.object(payload, "wage", "wage")
    title = read.text(wage, "title", "wage.title", required=False) or ""
    rate = read.object(wage, "hourly_rate", "wage.hourly_rate")
    amount = read.integer(rate, "amount", "wage.hourly_rate.amount")
    if amount < 0:
        raise read.fail(f"wage.hourly_rate.amount is negative ({amount})")
    if amount > MAX_HOURLY_RATE:
        raise read.fail(f"wage.hourly_rate.amount is implausibly large ({amount})")
    currency = read.text(rate, "currency", "wage.hourly_rate.currency")
    if not _CURRENCY.fullmatch(currency or ""):
        raise read.fail(f"wage.hourly_rate.currency is not a three-letter currency code: {currency!r}")
    assert currency is not None
    unpaid_breaks, unpaid_seconds = _breaks(read, payload, start, end)
    return ShiftRecord(
        source=SOURCE,
        source_shift_id=timecard_id,
        location_id=location_id,
        timezone=timezone,
        team_member_id=team_member_id,
        employee_name=names.get(team_member_id),
        role=title,
        start_at=start,
        end_at=end,
        hourly_rate=amount,
        currency=currency,
        unpaid_breaks=unpaid_breaks,
        unpaid_break_seconds=unpaid_seconds,
    )


def updated_at(payload: Any) -> datetime | None:
    """A timecard payload's ``updated_at`` as a time, or None when it has no readable one."""
    raw = payload.get("updated_at") if isinstance(payload, Mapping) else None
    if not isinstance(raw, str):
        return None
    try:
        return parse_moment(raw)
    except TimecardError:
        return None


def parse_team_members(response: dict) -> dict[str, str]:
    """A SearchTeamMembers response (``{"team_members": [...]}``) as team member id → "Given Family"; a
    member with neither name is left out."""
    if not isinstance(response, Mapping):
        raise TimecardError(f"team members: the response is not an object (got {_kind(response)})")
    members = response.get("team_members")
    if members is None:
        return {}
    if not isinstance(members, list):
        raise TimecardError(f"team members: team_members is not a list (got {_kind(members)})")
    names: dict[str, str] = {}
    for index, member in enumerate(members):
        path = f"team_members[{index}]"
        if not isinstance(member, Mapping):
            raise TimecardError(f"team members: {path} is not an object (got {_kind(member)})")
        member_id = member.get("id")
        if not isinstance(member_id, str) or not member_id.strip():
            raise TimecardError(f"team members: {path}.id is missing or not a string")
        parts = []
        for key in ("given_name", "family_name"):
            value = member.get(key)
            if value is not None and not isinstance(value, str):
                raise TimecardError(f"team members: {path}.{key} is not a string (got {_kind(value)})")
            if value and value.strip():
                parts.append(value.strip())
        if parts:
            names[member_id] = " ".join(parts)
    return names
