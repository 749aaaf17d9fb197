"""The labor plugin's CSV importers and ``opsbot labor import-shifts / import-costs``: 7shifts- and
Homebase-shaped exports read into exact shifts, every bad row named by its line with nothing stored,
re-importing a file changes nothing, arbitrary cells never raise anything but CsvImportError, item costs
from a CSV and from the Square catalog's vendor costs, and the commands end to end."""

from __future__ import annotations

import csv
import hashlib
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opsbot_labor.cost_csv import parse_item_costs, vendor_costs_from_catalog
from opsbot_labor.csv_problems import CsvFileError, CsvImportError
from opsbot_labor.records import ItemCostRecord, ShiftRecord
from opsbot_labor.shift_csv import parse_shifts
from opsbot_labor.shift_store import store_shifts
from opsbot_labor.tables import item_costs, shift_hours, shifts
from sqlalchemy import func, insert, select

from bot.cli import main
from tools.store.database import open_store
from tools.store.models import Location, MenuItem

NEW_YORK = ZoneInfo("America/New_York")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
# The demo's four locations: (id, position, name, timezone, currency).
DEMO_LOCATIONS = [
    (1, 1, "Downtown", "America/New_York", "USD"),
    (2, 2, "Harbor", "America/New_York", "USD"),
    (3, 3, "Uptown", "America/New_York", "USD"),
    (4, 4, "Sunset", "America/Los_Angeles", "USD"),
]
PLACES = {
    key: (id_, currency, zone)
    for id_, position, name, zone, currency in DEMO_LOCATIONS
    for key in (name.lower(), str(position))
}
COST_PLACES = {key: (place[0], place[1]) for key, place in PLACES.items()}
ITEMS = {"Classic Burger", "Cheeseburger", "Veggie Burger", "Margherita Pizza", "Fries"}
KNOWN_LOCATIONS = "known: downtown, harbor, uptown, sunset (or their numbers 1–4)"


def write(folder: Path, text: str, name: str = "export.csv") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def csv_id(who: str, location_id: int, start_utc: str) -> str:
    """The documented shift id: a hash of who, the store location and the clock-in instant (UTC)."""
    return "csv-" + hashlib.sha256(f"{who}\x1f{location_id}\x1f{start_utc}".encode()).hexdigest()[:32]


def problems_of(path: Path, **kwargs) -> list[str]:
    with pytest.raises(CsvImportError) as caught:
        parse_shifts(path, locations=PLACES, **kwargs)
    return caught.value.problems


# --- A 7shifts-shaped export --------------------------------------------------------------------------

SEVEN_SHIFTS = (
    "Employee,Employee ID,Location,Role,Clocked In,Clocked Out,Unpaid Break (min),Hourly Wage,"
    "Scheduled Start,Scheduled End\n"
    "Ana Reyes,7S-101,Downtown,Line Cook,2026-11-23 09:02,2026-11-23 17:05,30,$18.50,"
    "2026-11-23 09:00,2026-11-23 17:00\n"
    "Ben Ito,7S-102,4,Server,2026-11-23 16:00,2026-11-24 00:30,,15.00,,\n"
)


def test_a_7shifts_export_reads_into_exact_shifts(tmp_path):
    records = parse_shifts(write(tmp_path, SEVEN_SHIFTS), locations=PLACES)
    assert records == [
        ShiftRecord(
            source="csv",
            source_shift_id=csv_id("7S-101", 1, "2026-11-23T14:02:00+00:00"),
            location_id=1,
            timezone="America/New_York",
            team_member_id="7S-101",
            employee_name="Ana Reyes",
            role="Line Cook",
            start_at=datetime(2026, 11, 23, 9, 2, tzinfo=NEW_YORK),
            end_at=datetime(2026, 11, 23, 17, 5, tzinfo=NEW_YORK),
            hourly_rate=1850,
            currency="USD",
            unpaid_break_seconds=1800,
            scheduled_start_at=datetime(2026, 11, 23, 9, 0, tzinfo=NEW_YORK),
            scheduled_end_at=datetime(2026, 11, 23, 17, 0, tzinfo=NEW_YORK),
        ),
        ShiftRecord(
            source="csv",
            source_shift_id=csv_id("7S-102", 4, "2026-11-24T00:00:00+00:00"),
            location_id=4,
            timezone="America/Los_Angeles",
            team_member_id="7S-102",
            employee_name="Ben Ito",
            role="Server",
            start_at=datetime(2026, 11, 23, 16, 0, tzinfo=LOS_ANGELES),
            end_at=datetime(2026, 11, 24, 0, 30, tzinfo=LOS_ANGELES),
            hourly_rate=1500,
            currency="USD",
        ),
    ]


# --- A Homebase-shaped export: First/Last Name, a Date column beside times of day ----------------------

HOMEBASE = (
    "First Name,Last Name,Role,Location,Date,Clock in,Clock out,Unpaid breaks,Wage rate\n"
    "Cara,Diaz,Host,harbor,11/23/2026,9:02am,5:05pm,0:30,18.5\n"
    "Cara,Diaz,Host,harbor,11/24/2026,6:00 PM,1:15 AM,,18.5\n"
    "Dan,Eze,Cook,UPTOWN,,2026-11-23T10:00:00-05:00,2026-11-23T16:00:00-05:00,15,20\n"
)


def test_a_homebase_export_reads_into_exact_shifts(tmp_path):
    records = parse_shifts(write(tmp_path, HOMEBASE), locations=PLACES)
    common = {"source": "csv", "timezone": "America/New_York", "currency": "USD"}
    assert records == [
        ShiftRecord(
            **common,
            source_shift_id=csv_id("csv:cara diaz", 2, "2026-11-23T14:02:00+00:00"),
            location_id=2,
            team_member_id="csv:cara diaz",
            employee_name="Cara Diaz",
            role="Host",
            start_at=datetime(2026, 11, 23, 9, 2, tzinfo=NEW_YORK),
            end_at=datetime(2026, 11, 23, 17, 5, tzinfo=NEW_YORK),
            hourly_rate=1850,
            unpaid_break_seconds=1800,
        ),
        ShiftRecord(  # clocked out after midnight: the next day
            **common,
            source_shift_id=csv_id("csv:cara diaz", 2, "2026-11-24T23:00:00+00:00"),
            location_id=2,
            team_member_id="csv:cara diaz",
            employee_name="Cara Diaz",
            role="Host",
            start_at=datetime(2026, 11, 24, 18, 0, tzinfo=NEW_YORK),
            end_at=datetime(2026, 11, 25, 1, 15, tzinfo=NEW_YORK),
            hourly_rate=1850,
        ),
        ShiftRecord(
            **common,
            source_shift_id=csv_id("csv:dan eze", 3, "2026-11-23T15:00:00+00:00"),
            location_id=3,
            team_member_id="csv:dan eze",
            employee_name="Dan Eze",
            role="Cook",
            start_at=datetime(2026, 11, 23, 10, 0, tzinfo=NEW_YORK),
            end_at=datetime(2026, 11, 23, 16, 0, tzinfo=NEW_YORK),
            hourly_rate=2000,
            unpaid_break_seconds=900,
        ),
    ]


# --- Bad rows: each named by its line and field -------------------------------------------------------

HEADER = "Employee,Location,Role,Clock In,Clock Out,Break,Wage\n"
GOOD_ROW = "Ana Reyes,Downtown,Cook,2026-11-23 09:00,2026-11-23 17:00,30,18.50\n"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "Ben,Downtown,Cook,2026-11-23 09:00,,0,18",
            "line 3: clock out: missing — the shift has no clock-out",
        ),
        (
            "Ben,Downtown,Cook,2026-11-23 09:00,2026-11-23 08:30,0,18",
            "line 3: clock out: 2026-11-23 08:30 is not after clock in 2026-11-23 09:00",
        ),
        (
            "Ben,Downtown,Cook,2026-11-23 09:00,2026-11-23 09:00,0,18",
            "line 3: clock out: 2026-11-23 09:00 is not after clock in 2026-11-23 09:00",
        ),
        (
            "Ben,Downtown,Cook,2026-11-23 09:00,2026-11-24 09:30,0,18",
            "line 3: clock out: the shift is 24 h 30 min long — more than 24 hours",
        ),
        ("Ben,Downtown,Cook,2026-11-23 09:00,2026-11-23 17:00,0,-2", "line 3: wage: -2 is negative"),
        (
            "Ben,Downtown,Cook,2026-11-23 09:00,2026-11-23 17:00,0,twelve",
            "line 3: wage: 'twelve' is not an amount (write 18.50 or $18.50)",
        ),
        (
            "Ben,Downtown,Cook,2026-11-23 09:00,2026-11-23 17:00,0,18.505",
            "line 3: wage: 18.505 has more decimals than USD has (2 decimal places)",
        ),
        (
            "Ben,Downtown,Cook,2026-11-23 09:00,2026-11-23 09:20,30,18",
            "line 3: break: 30 minutes is longer than the shift (0 h 20 min)",
        ),
        (
            "Ben,Downtown,Cook,2026-11-23 09:00,2026-11-23 17:00,lunch,18",
            "line 3: break: 'lunch' is not a number of minutes (write 30 or 0:30)",
        ),
        (
            "Ben,Midtown,Cook,2026-11-23 09:00,2026-11-23 17:00,0,18",
            "line 3: location: unknown location 'Midtown' — did you mean downtown or uptown? "
            + KNOWN_LOCATIONS,
        ),
        (
            "Ben,9,Cook,2026-11-23 09:00,2026-11-23 17:00,0,18",
            f"line 3: location: unknown location '9' — {KNOWN_LOCATIONS}",
        ),
        (
            "Ben,Downtown,Cook,23.11.2026 9h,2026-11-23 17:00,0,18",
            "line 3: clock in: '23.11.2026 9h' is not a date and time (write 2026-11-23 09:02, "
            "11/23/2026 9:02 AM or 2026-11-23T09:02:00-05:00)",
        ),
        (
            "Ben,Downtown,Cook,2026-02-30 09:00,2026-11-23 17:00,0,18",
            "line 3: clock in: '2026-02-30 09:00' is not a date and time (write 2026-11-23 09:02, "
            "11/23/2026 9:02 AM or 2026-11-23T09:02:00-05:00)",
        ),
        (  # the spring-forward gap: 02:00–03:00 on 8 March 2026 never happens in New York
            "Ben,Downtown,Cook,2026-03-08 02:30,2026-03-08 08:00,0,18",
            "line 3: clock in: 2026-03-08 02:30 does not exist in America/New_York "
            "(the clocks skip that hour)",
        ),
        (
            ",Downtown,Cook,2026-11-23 09:00,2026-11-23 17:00,0,18",
            "line 3: employee: missing (no name and no employee id)",
        ),
        (
            "Ana Reyes,Harbor,Cook,2026-11-23 16:30,2026-11-23 20:00,0,18",
            "line 3: clock in: overlaps the shift on line 2 of the same employee "
            "(2026-11-23 09:00 to 2026-11-23 17:00)",
        ),
        (
            "ana  reyes,1,Cook,2026-11-23 09:00,2026-11-23 17:00,30,18.50",
            "line 3: clock in: repeats the shift on line 2 (same employee, location and clock in)",
        ),
    ],
)
def test_each_kind_of_bad_row_is_named_by_its_line(tmp_path, row, expected):
    problems = problems_of(write(tmp_path, HEADER + GOOD_ROW + row + "\n"))
    assert len(problems) == 1, problems
    assert problems[0].startswith(expected), problems[0]


def test_every_bad_row_is_reported_not_just_the_first(tmp_path):
    text = (
        HEADER
        + "Ben,Downtown,Cook,2026-11-23 09:00,,0,18\n"  # line 2
        + GOOD_ROW  # line 3
        + "\n"  # line 4: blank, skipped (but counted, as a spreadsheet shows it)
        + "Cy,Nowhere,Cook,2026-11-23 09:00,2026-11-23 08:00,0,-1\n"  # line 5: three problems
    )
    problems = problems_of(write(tmp_path, text))
    assert problems == [
        "line 2: clock out: missing — the shift has no clock-out (still clocked in?)",
        f"line 5: location: unknown location 'Nowhere' — {KNOWN_LOCATIONS}",
        "line 5: clock out: 2026-11-23 08:00 is not after clock in 2026-11-23 09:00",
        "line 5: wage: -1 is negative",
    ]


def test_the_errors_text_is_the_count_and_the_first_ten(tmp_path):
    rows = "".join(f"E{n},Downtown,Cook,2026-11-23 09:00,,0,18\n" for n in range(12))
    with pytest.raises(CsvImportError) as caught:
        parse_shifts(write(tmp_path, HEADER + rows), locations=PLACES)
    lines = str(caught.value).splitlines()
    assert lines[0] == "12 problems:"
    assert lines[1:11] == [
        f"line {n}: clock out: missing — the shift has no clock-out (still clocked in?)" for n in range(2, 12)
    ]
    assert lines[11] == "… and 2 more"
    assert len(caught.value.problems) == 12


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["line 1: header: the file is empty — expected a header row and shifts"]),
        ("\n\n", ["line 1: header: the file is empty — expected a header row and shifts"]),
        (HEADER, ["line 2: rows: the file has a header but no shifts"]),
        (
            "Employee,Location,Clock In,Wage\nAna,1,2026-11-23 09:00,18\n",
            [
                'line 1: header: no clock out column (call it one of "Clock Out", "Clocked Out", "Out", '
                '"Clock Out Time")'
            ],
        ),
        (
            "Role,Clock In,Clock Out,Wage\nCook,2026-11-23 09:00,2026-11-23 17:00,18\n",
            [
                'line 1: header: no employee column (call it one of "Employee", "Employee Name", '
                '"First Name", "Last Name", "Employee ID")',
                'line 1: header: no location column (call it one of "Location", "Location Name", "Store")',
            ],
        ),
        (
            HEADER + GOOD_ROW + "Ben,1,Cook,2026-11-23 09:00,2026-11-23 17:00,0,18,extra\n",
            ["line 3: row: has 8 cells but the header has 7 columns"],
        ),
    ],
)
def test_file_level_problems(tmp_path, text, expected):
    assert problems_of(write(tmp_path, text)) == expected


def test_header_names_ignore_case_and_spaces(tmp_path):
    text = (
        "EMPLOYEE,location,CLOCKIN,clock-out,unpaid break (MIN),hourly wage\n"
        "Ana,1,2026-11-23 09:00,2026-11-23 10:00,,9\n"
    )
    (record,) = parse_shifts(write(tmp_path, text), locations=PLACES)
    assert (record.team_member_id, record.hourly_rate, record.role) == ("csv:ana", 900, "")


def test_a_store_with_one_location_needs_no_location_column(tmp_path):
    text = "Employee,Clock In,Clock Out,Wage\nAna,2026-11-23 09:00,2026-11-23 10:00,9\n"
    one = {"downtown": PLACES["downtown"], "1": PLACES["1"]}
    (record,) = parse_shifts(write(tmp_path, text), locations=one)
    assert record.location_id == 1


def test_an_unreadable_file_is_one_line(tmp_path):
    with pytest.raises(CsvFileError) as missing:
        parse_shifts(tmp_path / "nope.csv", locations=PLACES)
    assert str(missing.value) == f"{tmp_path / 'nope.csv'}: no such file"
    latin = tmp_path / "latin1.csv"
    latin.write_bytes((HEADER + "Zoë,1,Cook,2026-11-23 09:00,2026-11-23 17:00,0,18\n").encode("latin-1"))
    with pytest.raises(CsvFileError) as undecodable:
        parse_shifts(latin, locations=PLACES)
    assert str(undecodable.value).startswith(f"{latin}: not UTF-8 text (byte ")


# --- Arbitrary cells never raise anything but CsvImportError -----------------------------------------

GOOD_CELLS = {
    "Employee": "Ana Reyes",
    "Employee ID": "E1",
    "Location": "Downtown",
    "Role": "Cook",
    "Date": "2026-11-23",
    "Clock In": "2026-11-23 09:00",
    "Clock Out": "2026-11-23 17:00",
    "Unpaid Break (min)": "30",
    "Hourly Wage": "18.50",
    "Scheduled Start": "2026-11-23 09:00",
    "Scheduled End": "2026-11-23 17:00",
}
CELL = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["", " ", "-0", "1e309", "nan", "$", "24:00", "12:00 PM", "2026-11-01 01:30", "∞", "0x1F"]
    ),
    st.from_regex(r"-?\$?\d{1,25}(\.\d{0,6})?", fullmatch=True),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)).map(str),
)


def _write_rows(folder: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    path = folder / "fuzz.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=st.dictionaries(st.sampled_from(sorted(GOOD_CELLS)), CELL, min_size=1, max_size=4))
def test_arbitrary_shift_cells_raise_only_csv_import_errors(changes):
    row = {**GOOD_CELLS, **changes}
    with tempfile.TemporaryDirectory() as folder:
        path = _write_rows(Path(folder), list(GOOD_CELLS), [GOOD_CELLS, row])
        try:
            records = parse_shifts(path, locations=PLACES)
        except CsvImportError as error:
            assert error.problems and all(p.startswith("line ") for p in error.problems), error.problems
            return
    assert all(isinstance(record, ShiftRecord) for record in records)
    assert all(record.end_at > record.start_at and record.hourly_rate >= 0 for record in records)


GOOD_COST = {
    "item": "Fries",
    "unit_cost": "$0.85",
    "effective_date": "2026-11-01",
    "location": "2",
    "currency": "USD",
}


@settings(max_examples=200, deadline=None)
@given(changes=st.dictionaries(st.sampled_from(sorted(GOOD_COST)), CELL, min_size=1, max_size=3))
def test_arbitrary_cost_cells_raise_only_csv_import_errors(changes):
    row = {**GOOD_COST, **changes}
    with tempfile.TemporaryDirectory() as folder:
        path = _write_rows(Path(folder), list(GOOD_COST), [row])
        try:
            records = parse_item_costs(path, locations=COST_PLACES, known_items=ITEMS)
        except CsvImportError as error:
            assert error.problems and all(p.startswith("line ") for p in error.problems), error.problems
            return
    assert all(isinstance(record, ItemCostRecord) and record.unit_cost >= 0 for record in records)


# --- The item-cost CSV ----------------------------------------------------------------------------------

COSTS = (
    "Item,Unit Cost,Effective Date,Location,Currency\n"
    "Classic Burger,$3.85,2026-11-01,,\n"
    "classic  burger,4.10,2026-11-01,Sunset,usd\n"
    "Fries,0.60,2026-09-01,2,\n"
)


def test_an_item_cost_csv_reads_into_exact_costs(tmp_path):
    records = parse_item_costs(write(tmp_path, COSTS), locations=COST_PLACES, known_items=ITEMS)
    assert records == [
        ItemCostRecord("csv", "Classic Burger", None, date(2026, 11, 1), 385, "USD"),
        ItemCostRecord("csv", "Classic Burger", 4, date(2026, 11, 1), 410, "USD"),
        ItemCostRecord("csv", "Fries", 2, date(2026, 9, 1), 60, "USD"),
    ]


def test_every_bad_cost_row_is_named_by_its_line(tmp_path):
    text = (
        "item,unit_cost,effective_date,location,currency\n"
        "Cheesburger,3.00,2026-11-01,,\n"  # 2
        "Fries,-0.60,2026-11-01,,\n"  # 3
        "Fries,0.60,2026-11-31,,\n"  # 4
        "Veggie Burger,2.00,2026-11-01,1,\n"  # 5
        "veggie burger,2.10,2026-11-01,Downtown,\n"  # 6: the same item, location and date as line 5
        "Fries,0.60,2026-11-01,Midtown,\n"  # 7
        "Fries,0.60,2026-11-02,Harbor,EUR\n"  # 8
        "Margherita Pizza,,2026-11-01,,\n"  # 9
    )
    with pytest.raises(CsvImportError) as caught:
        parse_item_costs(write(tmp_path, text), locations=COST_PLACES, known_items=ITEMS)
    assert caught.value.problems == [
        "line 2: item: unknown item 'Cheesburger' — did you mean Cheeseburger? known: Cheeseburger, "
        "Classic Burger, Fries, Margherita Pizza, Veggie Burger",
        "line 3: unit_cost: -0.60 is negative",
        "line 4: effective_date: '2026-11-31' is not a date (write 2026-11-23)",
        "line 6: item: Veggie Burger at Downtown from 2026-11-01 is already on line 5",
        "line 7: location: unknown location 'Midtown' — did you mean downtown or uptown? " + KNOWN_LOCATIONS,
        "line 8: currency: EUR is not Harbor's currency (USD)",
        "line 9: unit_cost: missing",
    ]


def test_a_cost_for_every_location_needs_one_business_currency(tmp_path):
    mixed = {**COST_PLACES, "sunset": (4, "CAD"), "4": (4, "CAD")}
    with pytest.raises(CsvImportError) as caught:
        parse_item_costs(
            write(tmp_path, "item,unit_cost,effective_date\nFries,1,2026-11-01\n"),
            locations=mixed,
            known_items=ITEMS,
        )
    assert caught.value.problems == [
        "line 2: location: blank means every location, but they use CAD and USD — name one"
    ]


# --- Square catalog vendor costs ---------------------------------------------------------------------


def variation(var_id: str, item_id: str, *costs: int | None, updated: str = "2026-10-05T14:00:00Z", **extra):
    data = {"item_id": item_id, "name": var_id, "price_money": {"amount": 1195, "currency": "USD"}}
    if costs:
        data["vendor_information"] = [
            {"vendor_id": f"V{n}", "unit_cost_money": {"amount": cost, "currency": "USD"}}
            if cost is not None
            else {"vendor_id": f"V{n}"}
            for n, cost in enumerate(costs)
        ]
    return {
        "type": "ITEM_VARIATION",
        "id": var_id,
        "updated_at": updated,
        "item_variation_data": data,
        **extra,
    }


def test_vendor_costs_from_the_catalog():
    catalog = [
        {  # two variations costing differently: their plain mean, dated by the later update
            "type": "ITEM",
            "id": "BURGER",
            "item_data": {
                "name": "Classic Burger",
                "variations": [
                    variation("SINGLE", "BURGER", 210, 999, updated="2026-10-05T14:00:00Z"),
                    variation("DOUBLE", "BURGER", 341, updated="2026-10-07T03:00:00Z"),
                    variation("TRIPLE", "BURGER", 900, is_deleted=True),
                ],
            },
        },
        {"type": "ITEM", "id": "FRIES", "item_data": {"name": "Fries", "variations": []}},
        {
            "type": "ITEM",
            "id": "SODA",
            "item_data": {"name": "Soda", "variations": [variation("CAN", "SODA")]},
        },
        {  # a default vendor without a cost: no cost, even though a later vendor has one
            "type": "ITEM",
            "id": "PIZZA",
            "item_data": {"name": "Margherita Pizza", "variations": [variation("WHOLE", "PIZZA", None, 500)]},
        },
        variation("LARGE", "FRIES", 95, updated="2026-09-30T23:59:00Z"),  # a variation on its own
        {"type": "ITEM", "id": "GONE", "is_deleted": True, "item_data": {"name": "Old Item"}},
        variation("OLD", "GONE", 100),
    ]
    assert vendor_costs_from_catalog(catalog) == [
        ItemCostRecord("square_catalog", "Classic Burger", None, date(2026, 10, 7), 276, "USD"),  # 275.5 up
        ItemCostRecord("square_catalog", "Fries", None, date(2026, 9, 30), 95, "USD"),
    ]


# --- Stored rows, on both backends -------------------------------------------------------------------


def test_imported_shifts_are_stored_and_a_second_import_changes_nothing(engine, tmp_path):
    with engine.begin() as conn:
        conn.execute(
            insert(Location),
            [
                dict(zip(("id", "position", "name", "timezone", "currency"), loc, strict=True))
                for loc in DEMO_LOCATIONS
            ],
        )
    records = parse_shifts(write(tmp_path, SEVEN_SHIFTS), locations=PLACES)
    first = store_shifts(engine, records)
    assert (first.inserted, first.updated, first.unchanged) == (2, 0, 0)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                shifts.c.team_member_id,
                shifts.c.start_at,
                shifts.c.business_date,
                shifts.c.paid_seconds,
                shifts.c.base_cost,
                shifts.c.status,
            ).order_by(shifts.c.team_member_id)
        ).all()
        hours = conn.execute(select(func.sum(shift_hours.c.paid_seconds))).scalar()
    # Ana: 09:02–17:05 less 30 min = 7 h 33 min = 27,180 s at $18.50 → $139.675 → 13,968 cents (half up).
    # Ben: 16:00–00:30 = 8 h 30 min = 30,600 s at $15 → $127.50.
    assert [tuple(row) for row in rows] == [
        ("7S-101", datetime(2026, 11, 23, 14, 2, tzinfo=UTC), date(2026, 11, 23), 27_180, 13_968, "closed"),
        ("7S-102", datetime(2026, 11, 24, 0, 0, tzinfo=UTC), date(2026, 11, 23), 30_600, 12_750, "closed"),
    ]
    assert hours == 27_180 + 30_600
    again = store_shifts(engine, parse_shifts(write(tmp_path, SEVEN_SHIFTS), locations=PLACES))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)


# --- The commands, end to end --------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A SQLite store holding the demo's four locations and a few menu items; the environment points at it."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = open_store(url)
    with engine.begin() as conn:
        conn.execute(
            insert(Location),
            [
                dict(zip(("id", "position", "name", "timezone", "currency"), loc, strict=True))
                for loc in DEMO_LOCATIONS
            ],
        )
        conn.execute(
            insert(MenuItem), [{"item_name": name, "variation_name": "Regular"} for name in sorted(ITEMS)]
        )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("OPSBOT_DATA_DIR", str(tmp_path / "data"))
    yield engine
    engine.dispose()


def counts(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(t)).scalar()
            for t in (shifts, shift_hours, item_costs)
        )


SPAN = " — 2026-11-23 to 2026-11-23, 2 locations"


def test_import_shifts_end_to_end(store, tmp_path, capsys):
    path = write(tmp_path, SEVEN_SHIFTS)
    assert main(["labor", "import-shifts", str(path), "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert out == (
        f"Would import 2 shifts from {path} (2 new, 0 changed, 0 unchanged) — 2026-11-23 to 2026-11-23, "
        "2 locations — nothing stored (--dry-run)\n"
    )
    assert err == ""
    assert counts(store) == (0, 0, 0)

    assert main(["labor", "import-shifts", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out == f"Imported 2 shifts from {path} (2 new, 0 changed, 0 unchanged){SPAN}\n"
    assert err == ""
    stored = counts(store)
    assert stored[0] == 2

    assert main(["labor", "import-shifts", str(path)]) == 0
    assert capsys.readouterr().out == (
        f"Imported 2 shifts from {path} (0 new, 0 changed, 2 unchanged){SPAN}\n"
    )
    assert counts(store) == stored

    write(tmp_path, SEVEN_SHIFTS.replace("15.00", "15.25"))  # a corrected wage
    assert main(["labor", "import-shifts", str(path)]) == 0
    assert "(0 new, 1 changed, 1 unchanged)" in capsys.readouterr().out
    assert counts(store) == stored


def test_a_bad_file_stores_nothing_and_names_every_line(store, tmp_path, capsys):
    path = write(
        tmp_path,
        HEADER + GOOD_ROW + "Ben,Downtown,Cook,2026-11-23 09:00,,0,18\nCy,1,Cook,x,2026-11-23 17:00,0,18\n",
    )
    assert main(["labor", "import-shifts", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        f"opsbot: {path}: 2 problems — nothing imported",
        "line 3: clock out: missing — the shift has no clock-out (still clocked in?)",
        "line 4: clock in: 'x' is not a date and time (write 2026-11-23 09:02, 11/23/2026 9:02 AM or "
        "2026-11-23T09:02:00-05:00)",
    ]
    assert counts(store) == (0, 0, 0)


def test_missing_and_non_utf8_files_are_one_line(store, tmp_path, capsys):
    assert main(["labor", "import-shifts", "missing.csv"]) == 1
    assert capsys.readouterr() == ("", "opsbot: missing.csv: no such file\n")
    latin = tmp_path / "costs.csv"
    latin.write_bytes("item,unit_cost,effective_date\nCafé,1,2026-11-01\n".encode("latin-1"))
    assert main(["labor", "import-costs", str(latin)]) == 1
    out, err = capsys.readouterr()
    assert (out, len(err.splitlines())) == ("", 1)
    assert err.startswith(f"opsbot: {latin}: not UTF-8 text")


def test_import_costs_end_to_end(store, tmp_path, capsys):
    path = write(tmp_path, COSTS, "costs.csv")
    assert main(["labor", "import-costs", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out == (
        f"Imported 3 item costs from {path} (3 new, 0 changed, 0 unchanged) — effective 2026-09-01 to "
        "2026-11-01, 2 items\n"
    )
    assert err == ""
    with store.connect() as conn:
        rows = conn.execute(
            select(
                item_costs.c.source,
                item_costs.c.item,
                item_costs.c.location_id,
                item_costs.c.effective_date,
                item_costs.c.unit_cost,
                item_costs.c.currency,
            ).order_by(item_costs.c.id)
        ).all()
    assert [tuple(row) for row in rows] == [
        ("csv", "Classic Burger", None, date(2026, 11, 1), 385, "USD"),
        ("csv", "Classic Burger", 4, date(2026, 11, 1), 410, "USD"),
        ("csv", "Fries", 2, date(2026, 9, 1), 60, "USD"),
    ]
    assert main(["labor", "import-costs", str(path)]) == 0
    assert "(0 new, 0 changed, 3 unchanged)" in capsys.readouterr().out

    bad = write(
        tmp_path, "item,unit_cost,effective_date\nFries,1,2026-12-01\nFryes,1,2026-12-01\n", "bad.csv"
    )
    assert main(["labor", "import-costs", str(bad)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"opsbot: {bad}: 1 problem — nothing imported",
        "line 3: item: unknown item 'Fryes' — did you mean Fries? known: Cheeseburger, Classic Burger, "
        "Fries, Margherita Pizza, Veggie Burger",
    ]
    assert counts(store)[2] == 3  # the good line 2 was not stored either


def test_labor_without_a_command_prints_its_help(store, capsys):
    assert main(["labor"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("usage: ")
    assert "import-shifts" in out and "import-costs" in out
    assert err == ""
