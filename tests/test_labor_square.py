"""The opsbot-labor plugin's Square Labor source: timecard parsing, and the live sync through the real
``squareup`` SDK against a local fake of Square's Labor and Team APIs (tests/fakes/square_labor_api.py).

Every expected figure here is worked out by hand from the payloads, not by calling the code under test."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opsbot_labor.records import ShiftRecord
from opsbot_labor.square_sync import sync_live
from opsbot_labor.square_timecards import TimecardError, parse_team_members, parse_timecard
from opsbot_labor.tables import item_costs, shift_hours, shifts, sync_marks
from sqlalchemy import Engine, insert, select

from tests.fakes.json_http import Fault
from tests.fakes.square_api import server_error
from tests.fakes.square_labor_api import (
    CATALOG_PATH,
    TEAM_MEMBERS_PATH,
    TIMECARDS_PATH,
    VALID_TOKEN,
    FakeSquareLabor,
    rate_limited,
    unauthorized,
)
from tools.plugin_api import SALES_TABLES, LiveSync, RetryPolicy, SourceError

NOW = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
NY, LA = "America/New_York", "America/Los_Angeles"
LOCATION_IDS = {"L1": 1, "L2": 2}
TIMEZONES = {1: NY, 2: LA}
NAMES = {"TM1": "Ana Reyes", "TM2": "Bo Chen"}
TEAM = [
    {
        "id": "TM1",
        "given_name": "Ana",
        "family_name": "Reyes",
        "status": "ACTIVE",
        "assigned_locations": {"assignment_type": "EXPLICIT_LOCATIONS", "location_ids": ["L1"]},
    },
    {
        "id": "TM2",
        "given_name": "Bo",
        "family_name": "Chen",
        "status": "INACTIVE",
        "assigned_locations": {"assignment_type": "ALL_CURRENT_AND_FUTURE_LOCATIONS"},
    },
    {"id": "TM3", "status": "ACTIVE"},  # no name at all: left out
]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def lunch(start: str, end: str | None, *, paid: bool = False, expected: str = "PT30M") -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": f"B-{start}",
        "start_at": start,
        "break_type_id": "BT1",
        "name": "Lunch" if not paid else "Rest",
        "expected_duration": expected,
        "is_paid": paid,
    }
    if end is not None:
        entry["end_at"] = end
    return entry


def timecard(
    timecard_id: str,
    start: str,
    end: str | None,
    *,
    location: str = "L1",
    member: str = "TM1",
    updated: str = "2026-11-20T23:00:00Z",
    breaks: list[dict] | None = None,
    rate: int = 1850,
    title: str | None = "Line Cook",
    version: int = 1,
) -> dict[str, Any]:
    """A Timecard exactly as SearchTimecards returns it."""
    wage: dict[str, Any] = {
        "hourly_rate": {"amount": rate, "currency": "USD"},
        "job_id": "J1",
        "tip_eligible": True,
    }
    if title is not None:
        wage["title"] = title
    payload: dict[str, Any] = {
        "id": timecard_id,
        "location_id": location,
        "timezone": NY if location == "L1" else LA,
        "team_member_id": member,
        "start_at": start,
        "wage": wage,
        "breaks": breaks or [],
        "status": "OPEN" if end is None else "CLOSED",
        "version": version,
        "created_at": "2026-11-01T12:00:00Z",
        "updated_at": updated,
    }
    if end is not None:
        payload["end_at"] = end
    return payload


def parse(payload: Any) -> ShiftRecord:
    return parse_timecard(payload, location_ids=LOCATION_IDS, timezones=TIMEZONES, names=NAMES)


# --- parsing ------------------------------------------------------------------------------------------


def test_a_closed_timecard_with_a_paid_and_an_unpaid_break():
    payload = timecard(
        "TC1",
        "2026-11-20T09:00:00-05:00",
        "2026-11-20T17:30:00-05:00",
        breaks=[
            lunch("2026-11-20T10:30:00-05:00", "2026-11-20T10:45:00-05:00", paid=True, expected="PT15M"),
            lunch("2026-11-20T12:00:00-05:00", "2026-11-20T12:30:00-05:00"),
        ],
    )
    assert parse(payload) == ShiftRecord(
        source="square",
        source_shift_id="TC1",
        location_id=1,
        timezone=NY,
        team_member_id="TM1",
        employee_name="Ana Reyes",
        role="Line Cook",
        start_at=utc(2026, 11, 20, 14, 0),
        end_at=utc(2026, 11, 20, 22, 30),
        hourly_rate=1850,
        currency="USD",
        unpaid_breaks=((utc(2026, 11, 20, 17, 0), utc(2026, 11, 20, 17, 30)),),
        unpaid_break_seconds=1800,
    )


def test_an_open_timecard_counts_an_open_break_at_its_expected_length():
    payload = timecard(
        "TC2",
        "2026-11-24T08:00:00-08:00",
        None,
        location="L2",
        member="TM9",
        title=None,
        breaks=[lunch("2026-11-24T11:00:00-08:00", None, expected="PT1H15M")],
    )
    record = parse(payload)
    assert (record.location_id, record.timezone, record.employee_name, record.role) == (2, LA, None, "")
    assert (record.start_at, record.end_at) == (utc(2026, 11, 24, 16, 0), None)
    assert (record.unpaid_breaks, record.unpaid_break_seconds) == ((), 4500)


def test_team_member_names():
    assert parse_team_members({"team_members": TEAM}) == {"TM1": "Ana Reyes", "TM2": "Bo Chen"}
    assert parse_team_members({}) == {}


def _without(payload: dict, *path: str) -> dict:
    node = payload
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return payload


def _with(payload: dict, value: Any, *path: str) -> dict:
    node = payload
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return payload


def _good() -> dict:
    return timecard(
        "TC7",
        "2026-11-20T09:00:00-05:00",
        "2026-11-20T17:00:00-05:00",
        breaks=[lunch("2026-11-20T12:00:00-05:00", "2026-11-20T12:30:00-05:00")],
    )


DELETE = object()
AMOUNT = "wage.hourly_rate.amount"
BAD_FIELDS = [
    ("end_at", "2026-11-20T08:59:00-05:00", "end_at is before start_at"),
    (AMOUNT, -1, f"{AMOUNT} is negative (-1)"),
    (AMOUNT, DELETE, f"{AMOUNT} is missing"),
    (AMOUNT, "18.50", f"{AMOUNT} is not an integer (got str)"),
    (AMOUNT, True, f"{AMOUNT} is not an integer (got bool)"),
    (
        "wage.hourly_rate.currency",
        "usd",
        "wage.hourly_rate.currency is not a three-letter currency code: 'usd'",
    ),
    ("location_id", "LX", "location_id 'LX' is not a location of this store"),
    ("wage", DELETE, "wage is missing"),
    ("wage", [], "wage is not an object (got list)"),
    ("team_member_id", DELETE, "team_member_id is missing"),
    ("team_member_id", " ", "team_member_id is empty"),
    ("end_at", DELETE, "end_at is missing"),
    ("start_at", 1700000000, "start_at is not a string (got int)"),
    (
        "start_at",
        "2026-11-20T09:00:00",
        "start_at is not an RFC 3339 time with an offset: '2026-11-20T09:00:00'",
    ),
    (
        "start_at",
        "2026-11-31T09:00:00Z",
        "start_at is not an RFC 3339 time with an offset: '2026-11-31T09:00:00Z'",
    ),
    ("status", "DONE", "status is 'DONE', not OPEN or CLOSED"),
    ("updated_at", DELETE, "updated_at is missing"),
    ("version", "2", "version is not an integer (got str)"),
    ("breaks", {"id": "B"}, "breaks is not a list (got dict)"),
    ("breaks.0", "lunch", "breaks[0] is not an object (got str)"),
    ("breaks.0.is_paid", DELETE, "breaks[0].is_paid is missing"),
    ("breaks.0.is_paid", "false", "breaks[0].is_paid is not true or false (got str)"),
    (
        "breaks.0.expected_duration",
        "30 min",
        "breaks[0].expected_duration is not an ISO 8601 duration: '30 min'",
    ),
    ("breaks.0.expected_duration", "P1M", "breaks[0].expected_duration is not an ISO 8601 duration: 'P1M'"),
    ("breaks.0.end_at", "2026-11-20T11:00:00-05:00", "breaks[0].end_at is before its start_at"),
    ("breaks.0.end_at", "2026-11-20T17:30:00-05:00", "breaks[0].end_at is after the timecard's end_at"),
    (
        "breaks.0.start_at",
        "2026-11-20T08:00:00-05:00",
        "breaks[0].start_at is before the timecard's start_at",
    ),
    ("end_at", "2026-11-28T09:00:00-05:00", "end_at is more than 7 days after start_at"),
]


def _mutated(path: str, value: Any) -> dict:
    payload = _good()
    keys: list[Any] = [int(key) if key.isdigit() else key for key in path.split(".")]
    return _without(payload, *keys) if value is DELETE else _with(payload, value, *keys)


@pytest.mark.parametrize(("path", "value", "message"), BAD_FIELDS)
def test_a_bad_field_is_one_line_naming_it(path, value, message):
    with pytest.raises(TimecardError) as caught:
        parse(_mutated(path, value))
    assert str(caught.value) == f"timecard TC7: {message}"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"location_id": "L1"}, "timecard ?: id is missing"),
        ({"id": 7}, "timecard ?: id is not a non-empty string (got 7)"),
        (["not", "an", "object"], "timecard ?: the timecard is not an object (got list)"),
    ],
)
def test_a_timecard_without_an_id(payload, message):
    with pytest.raises(TimecardError) as caught:
        parse(payload)
    assert str(caught.value) == message


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20,
)
_FIELDS = [
    "id",
    "location_id",
    "team_member_id",
    "start_at",
    "end_at",
    "status",
    "wage",
    "breaks",
    "updated_at",
]
_moments = st.datetimes(timezones=st.timezones()).map(lambda moment: moment.isoformat())


@settings(max_examples=300, deadline=None)
@given(_json)
def test_junk_is_a_timecard_error(junk):
    with pytest.raises(TimecardError):
        parse(junk)


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(_FIELDS),
    _json | _moments,
    st.sampled_from(["start_at", "end_at", "expected_duration", "is_paid", "hourly_rate", "amount"]),
    _json | _moments | st.text(alphabet="PTWDHMS0123456789.", max_size=12),
)
def test_a_timecard_with_junk_in_it_parses_or_is_a_timecard_error(field, value, inner, inner_value):
    payload = _with(_good(), value, field)
    breaks = payload.get("breaks")
    if inner in ("start_at", "end_at", "expected_duration", "is_paid"):
        if isinstance(breaks, list) and breaks and isinstance(breaks[0], dict):
            breaks[0][inner] = inner_value
    elif isinstance(payload.get("wage"), dict):
        if inner == "hourly_rate":
            payload["wage"]["hourly_rate"] = inner_value
        elif isinstance(payload["wage"].get("hourly_rate"), dict):
            payload["wage"]["hourly_rate"]["amount"] = inner_value
    try:
        record = parse(payload)
    except TimecardError as exc:
        assert "\n" not in str(exc)
    else:
        assert isinstance(record, ShiftRecord)
        assert record.end_at is None or record.end_at >= record.start_at
        assert record.hourly_rate >= 0 and record.unpaid_break_seconds >= 0


# --- the sync through the SDK and the fake -------------------------------------------------------------


def add_locations(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(SALES_TABLES.locations),
            [
                {"id": 1, "position": 1, "name": "Harbor", "timezone": NY, "currency": "USD",
                 "square_location_id": "L1", "status": "ACTIVE"},
                {"id": 2, "position": 2, "name": "Hill", "timezone": LA, "currency": "USD",
                 "square_location_id": "L2", "status": "ACTIVE"},
                {"id": 3, "position": 3, "name": "Kiosk", "timezone": NY, "currency": "USD",
                 "square_location_id": None, "status": "ACTIVE"},
            ],
        )  # fmt: skip


def live(
    engine: Engine, fake: FakeSquareLabor | None, *, now: datetime = NOW, since: date | None = None, **env
):
    environ = {"SQUARE_ACCESS_TOKEN": VALID_TOKEN, **({"SQUARE_BASE_URL": fake.url} if fake else {}), **env}
    return LiveSync(engine=engine, environ=environ, since=since, now=now, location_ids=LOCATION_IDS)


class Sleeps(list):
    """The waits a sync asked for (none is slept)."""

    def backoff(self) -> RetryPolicy:
        return RetryPolicy(max_delay=60.0, sleep=self.append)


def run(sync: LiveSync, sleeps: Sleeps | None = None) -> list[str]:
    return sync_live(sync, backoff=(Sleeps() if sleeps is None else sleeps).backoff(), page_size=2)


# Five Harbor shifts, one a day, each updated at 06:00 UTC the next day; one Hill shift updated on the 24th.
HARBOR = [
    timecard(
        f"H{day}",
        f"2026-11-{day - 1}T16:00:00-05:00",
        f"2026-11-{day - 1}T22:00:00-05:00",
        updated=f"2026-11-{day}T06:00:00Z",
    )
    for day in (20, 21, 22, 23, 24)
]
HILL = timecard(
    "W1",
    "2026-11-23T10:00:00-08:00",
    "2026-11-23T14:00:00-08:00",
    location="L2",
    member="TM2",
    updated="2026-11-24T03:00:00Z",
    rate=2000,
)


def query(location: str, **extra) -> dict:
    return {"filter": {"location_ids": [location], **extra}, "sort": {"field": "UPDATED_AT", "order": "DESC"}}


def stored(engine: Engine) -> dict[str, tuple]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(shifts.c.source_shift_id, shifts.c.employee_name, shifts.c.end_at, shifts.c.paid_seconds,
                   shifts.c.base_cost, shifts.c.business_date)
        )  # fmt: skip
        return {row[0]: tuple(row[1:]) for row in rows}


def marks(engine: Engine) -> dict[str, datetime]:
    with engine.connect() as conn:
        return {row.square_location_id: row.updated_at for row in conn.execute(select(sync_marks))}


def test_no_token_nothing_to_do(engine):
    add_locations(engine)
    assert (
        sync_live(LiveSync(engine=engine, environ={}, since=None, now=NOW, location_ids=LOCATION_IDS)) == []
    )


def test_first_sync_pages_through_every_location_and_stores_the_shifts(engine):
    add_locations(engine)
    with FakeSquareLabor([*HARBOR, HILL], TEAM) as fake:
        notes = run(live(engine, fake))
    assert notes == ["labor: 6 Square timecards read (6 new, 0 changed, 0 unchanged)"]
    first = query("L1", start={"start_at": "2026-10-25T17:00:00.000Z"})
    assert [r.body for r in fake.timecard_searches] == [
        {"query": first, "limit": 2},
        {"query": first, "limit": 2, "cursor": "c1:2"},
        {"query": first, "limit": 2, "cursor": "c2:4"},
        {"query": query("L2", start={"start_at": "2026-10-25T17:00:00.000Z"}), "limit": 2},
    ]
    assert len(fake.requests_to(TEAM_MEMBERS_PATH)) == 1
    assert {r.headers["authorization"] for r in fake.requests} == {f"Bearer {VALID_TOKEN}"}
    six_hours = (6 * 3600, 6 * 1850)
    harbor = {
        f"H{d}": ("Ana Reyes", utc(2026, 11, d, 3, 0), *six_hours, date(2026, 11, d - 1))
        for d in range(20, 25)
    }
    assert stored(engine) == {
        **harbor,
        "W1": ("Bo Chen", utc(2026, 11, 23, 22, 0), 4 * 3600, 4 * 2000, date(2026, 11, 23)),
    }
    assert marks(engine) == {"L1": utc(2026, 11, 24, 6, 0), "L2": utc(2026, 11, 24, 3, 0)}


def test_an_incremental_sync_rereads_only_the_trailing_window_and_stores_nothing_new(engine):
    add_locations(engine)
    with FakeSquareLabor([*HARBOR, HILL], TEAM) as fake:
        run(live(engine, fake))
        before = stored(engine)
        del fake.requests[:]
        notes = run(live(engine, fake, now=NOW + timedelta(hours=1)))
    # Marks 06:00 (L1) and 03:00 (L2) less six hours: L1's first page holds H24 (06:00) and H23 (the 23rd,
    # before the window), so reading stops there; L2's one timecard is inside its window.
    assert [r.body for r in fake.timecard_searches] == [
        {"query": query("L1"), "limit": 2},
        {"query": query("L2"), "limit": 2},
    ]
    assert notes == ["labor: 2 Square timecards read (0 new, 0 changed, 2 unchanged)"]
    assert stored(engine) == before
    assert marks(engine) == {"L1": utc(2026, 11, 24, 6, 0), "L2": utc(2026, 11, 24, 3, 0)}


def test_a_changed_timecard_is_updated(engine):
    add_locations(engine)
    with FakeSquareLabor([*HARBOR, HILL], TEAM) as fake:
        run(live(engine, fake))
        # H21 (the 20th, 16:00-22:00 EST) edited at 16:00 UTC on the 24th: clocked out an hour later,
        # with a timed 30-minute unpaid break.
        edited = timecard(
            "H21",
            "2026-11-20T16:00:00-05:00",
            "2026-11-20T23:00:00-05:00",
            updated="2026-11-24T16:00:00Z",
            version=2,
            breaks=[lunch("2026-11-20T19:00:00-05:00", "2026-11-20T19:30:00-05:00")],
        )
        fake.put_timecard(edited)
        del fake.requests[:]
        notes = run(live(engine, fake, now=NOW + timedelta(hours=1)))
    assert notes == ["labor: 3 Square timecards read (0 new, 1 changed, 2 unchanged)"]
    assert [r.body.get("cursor") for r in fake.timecard_searches] == [None, "c3:2", None]
    # 7 h clocked less the 30-minute break = 6.5 h at 18.50 = 120.25.
    assert stored(engine)["H21"] == ("Ana Reyes", utc(2026, 11, 21, 4, 0), 23400, 12025, date(2026, 11, 20))
    with engine.connect() as conn:
        hours = conn.execute(
            select(shift_hours.c.local_hour, shift_hours.c.paid_seconds)
            .join(shifts, shifts.c.id == shift_hours.c.shift_id)
            .where(shifts.c.source_shift_id == "H21")
            .order_by(shift_hours.c.local_hour)
        ).all()
    assert [tuple(row) for row in hours] == [
        (16, 3600),
        (17, 3600),
        (18, 3600),
        (19, 1800),
        (20, 3600),
        (21, 3600),
        (22, 3600),
    ]
    assert marks(engine)["L1"] == utc(2026, 11, 24, 16, 0)


def test_a_dst_day_shift(engine):
    # 2026-03-08 in New York: the clocks go from 02:00 EST to 03:00 EDT. 00:30 EST to 08:30 EDT is seven
    # real hours; less the 04:00-04:30 break, 6.5 paid hours at 18.50 = 120.25.
    add_locations(engine)
    overnight = timecard(
        "DST1",
        "2026-03-08T00:30:00-05:00",
        "2026-03-08T08:30:00-04:00",
        updated="2026-03-08T13:00:00Z",
        breaks=[lunch("2026-03-08T04:00:00-04:00", "2026-03-08T04:30:00-04:00")],
    )
    record = parse(overnight)
    assert (record.start_at, record.end_at) == (utc(2026, 3, 8, 5, 30), utc(2026, 3, 8, 12, 30))
    assert (record.unpaid_breaks, record.unpaid_break_seconds) == (
        ((utc(2026, 3, 8, 8, 0), utc(2026, 3, 8, 8, 30)),),
        1800,
    )
    with FakeSquareLabor([overnight], TEAM) as fake:
        run(live(engine, fake, since=date(2026, 3, 8), SQUARE_LOCATION_IDS="L1"))
    # since = local midnight of 8 March in New York (EST, before the change).
    assert [r.body for r in fake.timecard_searches] == [
        {"query": query("L1", start={"start_at": "2026-03-08T05:00:00.000Z"}), "limit": 2}
    ]
    assert stored(engine) == {"DST1": ("Ana Reyes", utc(2026, 3, 8, 12, 30), 23400, 12025, date(2026, 3, 8))}
    with engine.connect() as conn:
        hours = conn.execute(
            select(shift_hours.c.local_hour, shift_hours.c.paid_seconds).order_by(shift_hours.c.local_hour)
        ).all()
    assert [tuple(row) for row in hours] == [
        (0, 1800), (1, 3600), (3, 3600), (4, 1800), (5, 3600), (6, 3600), (7, 3600), (8, 1800)
    ]  # fmt: skip


def test_since_rereads_everything_that_started_from_that_day(engine):
    add_locations(engine)
    with FakeSquareLabor([*HARBOR, HILL], TEAM) as fake:
        run(live(engine, fake))
        del fake.requests[:]
        notes = run(live(engine, fake, since=date(2026, 11, 21)))
    # Local midnight of the 21st: 05:00 UTC in New York, 08:00 UTC in Los Angeles; H22, H23, H24 started then.
    assert [r.body for r in fake.timecard_searches] == [
        {"query": query("L1", start={"start_at": "2026-11-21T05:00:00.000Z"}), "limit": 2},
        {"query": query("L1", start={"start_at": "2026-11-21T05:00:00.000Z"}), "limit": 2, "cursor": "c3:2"},
        {"query": query("L2", start={"start_at": "2026-11-21T08:00:00.000Z"}), "limit": 2},
    ]
    assert notes == ["labor: 4 Square timecards read (0 new, 0 changed, 4 unchanged)"]


def test_a_bad_timecard_is_skipped_and_named(engine):
    add_locations(engine)
    bad = timecard(
        "H-BAD", "2026-11-22T16:00:00-05:00", "2026-11-22T15:00:00-05:00", updated="2026-11-23T07:00:00Z"
    )
    no_wage = _without(timecard("H-NOWAGE", "2026-11-22T09:00:00-05:00", "2026-11-22T10:00:00-05:00"), "wage")
    with FakeSquareLabor([*HARBOR, bad, no_wage, HILL], TEAM) as fake:
        notes = run(live(engine, fake))
    assert notes == [
        "labor: 6 Square timecards read (6 new, 0 changed, 0 unchanged), 2 skipped: "
        "timecard H-BAD: end_at is before start_at; timecard H-NOWAGE: wage is missing"
    ]
    assert set(stored(engine)) == {"H20", "H21", "H22", "H23", "H24", "W1"}


def test_429_then_success_waits_what_square_asks(engine):
    add_locations(engine)
    sleeps = Sleeps()
    with FakeSquareLabor([*HARBOR, HILL], TEAM) as fake:
        fake.fail(rate_limited(TIMECARDS_PATH, retry_after="7"))
        fake.fail(server_error(TIMECARDS_PATH))
        notes = run(live(engine, fake), sleeps)
    assert sleeps == [7.0, 2.0]  # Retry-After, then the second retry's backoff (1 s × 2)
    statuses = [r.status for r in fake.timecard_searches]
    assert statuses == [429, 500, 200, 200, 200, 200]
    assert fake.timecard_searches[0].body == fake.timecard_searches[2].body
    assert notes == ["labor: 6 Square timecards read (6 new, 0 changed, 0 unchanged)"]


def test_a_rate_limit_that_does_not_end_gives_up_in_one_line(engine):
    add_locations(engine)
    sleeps = Sleeps()
    with FakeSquareLabor([*HARBOR], TEAM) as fake:
        fake.fail(rate_limited(TIMECARDS_PATH, retry_after="3"), times=5)
        with pytest.raises(SourceError) as caught:
            run(live(engine, fake), sleeps)
    assert str(caught.value) == (
        "Square SearchTimecards answered 429 (RATE_LIMITED: Rate limit exceeded.) — gave up after 5 "
        "attempts; try again later"
    )
    assert sleeps == [3.0] * 4
    assert stored(engine) == {}


def test_401_is_one_line_naming_the_token(engine):
    add_locations(engine)
    with (
        FakeSquareLabor([*HARBOR], TEAM, token="another-token") as fake,
        pytest.raises(SourceError) as caught,
    ):
        run(live(engine, fake))
    assert str(caught.value) == (
        "Square rejected the access token on SearchTeamMembers (401 UNAUTHORIZED: This request could not be "
        "authorized.) — check SQUARE_ACCESS_TOKEN; it may be revoked or be for another environment (this is "
        "production: SQUARE_ENVIRONMENT)"
    )
    with FakeSquareLabor([*HARBOR], TEAM) as fake:
        fake.fail(unauthorized(TIMECARDS_PATH), after=1)  # page 2 of Harbor: the token was revoked mid-sync
        with pytest.raises(SourceError) as caught:
            run(live(engine, fake))
    assert "SearchTimecards (401" in str(caught.value) and "SQUARE_ACCESS_TOKEN" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert set(stored(engine)) == {"H24", "H23"}  # page 1 was stored; no mark, so the next sync reads it all
    assert marks(engine) == {}


def test_a_403_names_the_permissions_and_other_errors_are_one_line(engine):
    """A token without the labor permissions (a business that keeps no labor in Square) is a note, not a
    failed sync: the orders sync before it stands."""
    add_locations(engine)
    with FakeSquareLabor([*HARBOR], TEAM) as fake:
        fake.fail(Fault(TIMECARDS_PATH, 403, {"errors": [{"code": "INSUFFICIENT_SCOPES", "detail": "no"}]}))
        notes = run(live(engine, fake))
    assert notes[-1] == (
        "labor: Square timecards not read: Square refused SearchTimecards (403 INSUFFICIENT_SCOPES: no) — "
        "SQUARE_ACCESS_TOKEN needs the TIMECARDS_READ and EMPLOYEES_READ permissions"
    )
    assert stored(engine) == {}
    with FakeSquareLabor([*HARBOR], TEAM) as fake:
        fake.fail(Fault(TIMECARDS_PATH, 400, {"errors": [{"code": "INVALID_VALUE", "detail": "bad\nquery"}]}))
        with pytest.raises(SourceError) as caught:
            run(live(engine, fake))
    assert str(caught.value) == "Square SearchTimecards failed: 400 INVALID_VALUE: bad query"


def test_location_ids_setting_and_sandbox(engine):
    add_locations(engine)
    with FakeSquareLabor([*HARBOR, HILL], TEAM) as fake:
        with pytest.raises(SourceError) as caught:
            run(live(engine, fake, SQUARE_LOCATION_IDS="L2,LX"))
        assert str(caught.value) == (
            "SQUARE_LOCATION_IDS names LX, which no store location has as its Square location id — the "
            "store's: L1, L2"
        )
        notes = run(live(engine, fake, SQUARE_LOCATION_IDS=" L2 ", SQUARE_ENVIRONMENT="sandbox"))
        assert [r.body["query"]["filter"]["location_ids"] for r in fake.timecard_searches] == [["L2"]]
    assert notes == [
        "labor: SQUARE_ENVIRONMENT=sandbox: Square's sandbox holds test timecards, not labor — 1 timecard "
        "read, none stored (use a production token for real labor)"
    ]
    assert stored(engine) == {} and marks(engine) == {}
    with pytest.raises(SourceError) as caught:
        run(live(engine, None, SQUARE_ENVIRONMENT="staging"))
    assert str(caught.value) == "SQUARE_ENVIRONMENT='staging' — use production or sandbox"


def test_the_fake_refuses_a_filter_square_does_not_have():
    with FakeSquareLabor([*HARBOR], TEAM) as fake:
        answer = httpx.post(
            f"{fake.url}{TIMECARDS_PATH}",
            json={"query": {"filter": {"updated_at": {"start_at": "2026-11-01T00:00:00Z"}}}},
            headers={"authorization": f"Bearer {VALID_TOKEN}"},
        )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "query.filter.updated_at"


def test_team_members_are_read_across_pages(engine):
    add_locations(engine)
    crew = [{"id": f"TM{n}", "given_name": f"Cook{n}", "status": "ACTIVE"} for n in range(1, 151)]
    with FakeSquareLabor([HARBOR[0]], crew) as fake:
        run(live(engine, fake, SQUARE_LOCATION_IDS="L1"))
    assert [r.body for r in fake.requests_to(TEAM_MEMBERS_PATH)] == [{}, {"cursor": "c1:100"}]
    assert stored(engine)["H20"][0] == "Cook1"


def test_a_timecard_updated_in_the_future_does_not_move_the_mark_past_now(engine):
    add_locations(engine)
    ahead = timecard(
        "H-AHEAD", "2026-11-23T09:00:00-05:00", "2026-11-23T10:00:00-05:00", updated="2027-01-01T00:00:00Z"
    )
    with FakeSquareLabor([*HARBOR, ahead], TEAM) as fake:
        run(live(engine, fake, SQUARE_LOCATION_IDS="L1"))
    assert marks(engine) == {"L1": NOW}


# --- the catalog's vendor costs --------------------------------------------------------------------------


def variation(
    variation_id: str, item_id: str, updated: str, cost: int | None, currency: str = "USD"
) -> dict[str, Any]:
    """A CatalogObject of type ITEM_VARIATION as ListCatalog nests it in its item (``square.types.
    catalog_item_variation``), with a default vendor cost (``vendor_information[0].unit_cost_money``)."""
    data: dict[str, Any] = {
        "item_id": item_id,
        "name": variation_id,
        "ordinal": 0,
        "pricing_type": "FIXED_PRICING",
        "price_money": {"amount": 1200, "currency": currency},
        "sellable": True,
        "stockable": True,
    }
    if cost is not None:
        data["vendor_information"] = [
            {"vendor_id": "VEN1", "vendor_code": f"C-{variation_id}",
             "unit_cost_money": {"amount": cost, "currency": currency}},
            # A second vendor: not the default cost.
            {"vendor_id": "VEN2", "unit_cost_money": {"amount": 9999, "currency": currency}},
        ]  # fmt: skip
    return {
        "type": "ITEM_VARIATION",
        "id": variation_id,
        "updated_at": updated,
        "version": 1764000000000,
        "is_deleted": False,
        "present_at_all_locations": True,
        "item_variation_data": data,
    }


def item(item_id: str, name: str, *variations: dict[str, Any]) -> dict[str, Any]:
    """A CatalogObject of type ITEM as ListCatalog returns it, its variations inside."""
    return {
        "type": "ITEM",
        "id": item_id,
        "updated_at": "2026-11-01T00:00:00Z",
        "version": 1764000000000,
        "is_deleted": False,
        "present_at_all_locations": True,
        "item_data": {"name": name, "product_type": "REGULAR", "variations": list(variations)},
    }


BURGER = item(
    "I-BURGER",
    "Classic Burger",
    variation("V-SINGLE", "I-BURGER", "2026-11-10T15:00:00Z", 210),
    variation("V-DOUBLE", "I-BURGER", "2026-11-13T04:30:00Z", 340),
)
FRIES = item("I-FRIES", "Fries", variation("V-FRIES", "I-FRIES", "2026-11-03T09:00:00Z", 85))
SODA = item("I-SODA", "Soda", variation("V-SODA", "I-SODA", "2026-11-03T09:00:00Z", None))
CATALOG = [BURGER, SODA, FRIES, {"type": "CATEGORY", "id": "CAT1", "category_data": {"name": "Mains"}}]
TIMECARDS_NOTE = "labor: 6 Square timecards read (6 new, 0 changed, 0 unchanged)"


def stored_costs(engine: Engine) -> set[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(item_costs.c.source, item_costs.c.item, item_costs.c.location_id,
                   item_costs.c.effective_date, item_costs.c.unit_cost, item_costs.c.currency)
        )  # fmt: skip
        return {tuple(row) for row in rows}


# Burger: the mean of 210 and 340 = 275, from the Double's date (the later, the 13th); Fries 85 from the 3rd.
EXPECTED_COSTS = {
    ("square_catalog", "Classic Burger", None, date(2026, 11, 13), 275, "USD"),
    ("square_catalog", "Fries", None, date(2026, 11, 3), 85, "USD"),
}


def test_vendor_costs_are_read_over_catalog_pages_and_stored(engine):
    add_locations(engine)
    with FakeSquareLabor([*HARBOR, HILL], TEAM, catalog=CATALOG, catalog_page_size=2) as fake:
        notes = run(live(engine, fake))
    # ITEMs only: Burger, Soda | Fries.
    assert [(r.method, r.query) for r in fake.catalog_lists] == [
        ("GET", {"types": "ITEM"}),
        ("GET", {"types": "ITEM", "cursor": "cat-2"}),
    ]
    assert fake.catalog_lists[0].headers["authorization"] == f"Bearer {VALID_TOKEN}"
    assert notes == [
        TIMECARDS_NOTE,
        "labor: 2 vendor costs from the Square catalog read (2 new, 0 changed, 0 unchanged)",
    ]
    assert stored_costs(engine) == EXPECTED_COSTS
    assert len(stored(engine)) == 6


def test_a_resync_of_the_catalog_changes_nothing_and_an_edit_is_updated(engine):
    add_locations(engine)
    with FakeSquareLabor([*HARBOR, HILL], TEAM, catalog=CATALOG, catalog_page_size=2) as fake:
        run(live(engine, fake))
        again = run(live(engine, fake, now=NOW + timedelta(hours=1)))
        assert stored_costs(engine) == EXPECTED_COSTS
        # Fries' vendor cost raised to 95 on the same day: the row for that day is replaced.
        fake.catalog[2]["item_data"]["variations"][0]["item_variation_data"]["vendor_information"][0][
            "unit_cost_money"
        ]["amount"] = 95
        edited = run(live(engine, fake, now=NOW + timedelta(hours=2)))
    assert again[-1] == "labor: 2 vendor costs from the Square catalog read (0 new, 0 changed, 2 unchanged)"
    assert edited[-1] == "labor: 2 vendor costs from the Square catalog read (0 new, 1 changed, 1 unchanged)"
    assert stored_costs(engine) == {
        ("square_catalog", "Classic Burger", None, date(2026, 11, 13), 275, "USD"),
        ("square_catalog", "Fries", None, date(2026, 11, 3), 95, "USD"),
    }


def test_a_catalog_without_vendor_costs_stores_nothing(engine):
    add_locations(engine)
    with FakeSquareLabor([*HARBOR, HILL], TEAM, catalog=[SODA]) as fake:
        notes = run(live(engine, fake))
    assert len(fake.catalog_lists) == 1
    assert notes == [TIMECARDS_NOTE]
    assert stored_costs(engine) == set()


def test_a_vendor_cost_in_another_currency_is_skipped_with_a_note(engine):
    add_locations(engine)
    croissant = item("I-CRO", "Croissant", variation("V-CRO", "I-CRO", "2026-11-05T08:00:00Z", 120, "EUR"))
    with FakeSquareLabor([*HARBOR, HILL], TEAM, catalog=[FRIES, croissant]) as fake:
        notes = run(live(engine, fake))
    assert notes == [
        TIMECARDS_NOTE,
        "labor: 1 vendor costs from the Square catalog read (1 new, 0 changed, 0 unchanged)",
        "labor: 1 Square catalog vendor cost skipped, in EUR not the locations' currency (USD): Croissant",
    ]
    assert stored_costs(engine) == {("square_catalog", "Fries", None, date(2026, 11, 3), 85, "USD")}


def test_a_catalog_500_after_retries_is_one_note_and_keeps_the_timecards(engine):
    add_locations(engine)
    sleeps = Sleeps()
    with FakeSquareLabor([*HARBOR, HILL], TEAM, catalog=CATALOG) as fake:
        fake.fail(server_error(CATALOG_PATH), times=5)
        notes = run(live(engine, fake), sleeps)
    assert [r.status for r in fake.catalog_lists] == [500] * 5
    assert sleeps == [1.0, 2.0, 4.0, 8.0]
    assert notes == [
        TIMECARDS_NOTE,
        "labor: Square catalog vendor costs not read: Square ListCatalog answered 500 "
        "(INTERNAL_SERVER_ERROR: An internal error occurred.) — gave up after 5 attempts; try again later",
    ]
    assert set(stored(engine)) == {"H20", "H21", "H22", "H23", "H24", "W1"}
    assert stored_costs(engine) == set()
    assert set(marks(engine)) == {"L1", "L2"}


def test_a_catalog_403_names_the_items_permission(engine):
    add_locations(engine)
    with FakeSquareLabor([*HARBOR, HILL], TEAM, catalog=CATALOG) as fake:
        fake.fail(Fault(CATALOG_PATH, 403, {"errors": [{"code": "INSUFFICIENT_SCOPES", "detail": "no"}]}))
        notes = run(live(engine, fake))
    assert notes[-1] == (
        "labor: Square catalog vendor costs not read: Square refused ListCatalog (403 INSUFFICIENT_SCOPES: "
        "no) — SQUARE_ACCESS_TOKEN needs the ITEMS_READ permission"
    )
    assert len(stored(engine)) == 6


def test_the_fake_catalog_refuses_an_unknown_type_and_cursor():
    with FakeSquareLabor([], [], catalog=CATALOG) as fake:
        headers = {"authorization": f"Bearer {VALID_TOKEN}"}
        bad_type = httpx.get(f"{fake.url}{CATALOG_PATH}", params={"types": "ITEM,WIDGET"}, headers=headers)
        bad_cursor = httpx.get(f"{fake.url}{CATALOG_PATH}", params={"cursor": "x"}, headers=headers)
        everything = httpx.get(
            f"{fake.url}{CATALOG_PATH}", params={"types": "item, category"}, headers=headers
        )
    assert (bad_type.status_code, bad_type.json()["errors"][0]["code"]) == (400, "INVALID_ENUM_VALUE")
    assert (bad_cursor.status_code, bad_cursor.json()["errors"][0]["code"]) == (400, "INVALID_CURSOR")
    assert [obj["id"] for obj in everything.json()["objects"]] == ["I-BURGER", "I-SODA", "I-FRIES", "CAT1"]


def test_opsbot_sync_hands_the_plugin_the_square_credentials_from_dotenv(engine, tmp_path):
    """`opsbot sync` (and the periodic sync in `opsbot serve`) run the plugin with the credentials the
    settings hold — from .env as well as the environment."""
    from bot.services.plugin_sync import sync_data_source_plugins
    from bot.settings import load_settings

    add_locations(engine)
    with FakeSquareLabor([*HARBOR], TEAM) as fake:
        dotenv = tmp_path / ".env"
        dotenv.write_text(f"SQUARE_ACCESS_TOKEN={VALID_TOKEN}\nSQUARE_BASE_URL={fake.url}\n")
        settings = load_settings(env_file=dotenv, environ={})
        report = sync_data_source_plugins(settings, engine, now=NOW)
    assert report.failures == []
    assert set(stored(engine)) == {card["id"] for card in HARBOR}
    assert any(note.startswith("labor: ") and "Square timecards" in note for note in report.notes)
