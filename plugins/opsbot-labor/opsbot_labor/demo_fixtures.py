"""The demo business's labor and item-cost fixtures: written from its orders, loaded like live data.

``generate_demo`` reads a fixture folder's public payloads (locations, catalog, orders), plans staffing that
follows each location's hourly order curve (``demo_staffing``), hands the shifts to a team
(``demo_roster``) and writes ``labor/``: a Square SearchTeamMembers body, SearchTimecards pages and an
item-cost CSV (``demo_costs``). The same inputs always give byte-identical files.

``load_fixtures`` reads ``labor/`` back through the plugin's own parsers, moved by the demo's anchor the way
the core moves orders (local wall-clock time kept), and stores shifts and item costs in one transaction.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import string
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from opsbot_labor.cost_csv import CsvImportError, parse_item_costs
from opsbot_labor.demo_costs import HEADER, cost_rows
from opsbot_labor.demo_orders import DemoLocation, read_demand, read_locations, read_menu
from opsbot_labor.demo_roster import Employee, Namer, WorkedShift, assign, clock, hire, random_id
from opsbot_labor.demo_staffing import ROLES, hourly_curve, plan_location
from opsbot_labor.records import ItemCostRecord, ShiftRecord
from opsbot_labor.shift_store import write_item_costs, write_shifts
from opsbot_labor.square_timecards import TimecardError, parse_team_members, parse_timecard
from tools.plugin_api import SALES_TABLES, FixtureLoad, SourceError, load_places

SEED = 18
LABOR = Path("labor")
TEAM_MEMBERS = LABOR / "team_members.json"
TIMECARDS = LABOR / "timecards.jsonl.gz"
ITEM_COSTS = LABOR / "item_costs.csv"
PAGE_SIZE = 200
BREAK_NAME = "Meal Break"


# -- writing ------------------------------------------------------------------------------------------------


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _team_member(employee: Employee) -> dict[str, Any]:
    hired = datetime(employee.hired.year, employee.hired.month, employee.hired.day, 14, tzinfo=UTC)
    email = f"{employee.given_name}.{employee.family_name}".lower().encode("ascii", "ignore").decode()
    return {
        "id": employee.id,
        "is_owner": False,
        "status": "ACTIVE",
        "given_name": employee.given_name,
        "family_name": employee.family_name,
        "email_address": f"{email}@example.com",
        "created_at": _utc_text(hired),
        "updated_at": _utc_text(hired),
        "assigned_locations": {
            "assignment_type": "EXPLICIT_LOCATIONS",
            "location_ids": [employee.location_id],
        },
    }


def _timecard(
    worked: WorkedShift, location: DemoLocation, ids: random.Random, jobs: dict[str, str], break_type: str
) -> dict[str, Any]:
    tz = ZoneInfo(location.timezone)
    employee = worked.assignment.employee

    def local(moment: datetime) -> str:
        return moment.replace(tzinfo=tz).isoformat()

    start, end = worked.start.replace(tzinfo=tz), worked.end.replace(tzinfo=tz)
    breaks = [
        {
            "id": random_id(ids, 13),
            "start_at": local(begin),
            "end_at": local(finish),
            "break_type_id": break_type,
            "name": BREAK_NAME,
            "expected_duration": "PT30M",
            "is_paid": False,
        }
        for begin, finish in worked.breaks
    ]
    return {
        "id": random_id(ids, 13),
        "location_id": location.square_id,
        "timezone": location.timezone,
        "team_member_id": employee.id,
        "start_at": local(worked.start),
        "end_at": local(worked.end),
        "breaks": breaks,
        "wage": {
            "title": employee.role,
            "hourly_rate": {"amount": employee.hourly_rate, "currency": location.currency},
            "job_id": jobs[employee.role],
            "tip_eligible": ROLES[employee.role][2],
        },
        "status": "CLOSED",
        "version": 2 + 2 * len(breaks),
        "created_at": _utc_text(start + timedelta(seconds=ids.randint(1, 50))),
        "updated_at": _utc_text(end + timedelta(seconds=ids.randint(1, 50))),
    }


def _write_gzip_lines(path: Path, lines: list[str]) -> None:
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as zipped:
        zipped.write("".join(line + "\n" for line in lines).encode("utf-8"))


def generate_demo(folder: Path) -> list[str]:
    """Write ``labor/`` (team members, timecards, item costs) into the fixture folder ``folder`` from its
    Square locations, catalog and orders; returns one note saying what was written."""
    folder = Path(folder)
    locations = read_locations(folder)
    demand = read_demand(folder, locations)
    days = sorted(day for d in demand.values() for day in d.orders)
    if not days:
        return ["labor: no orders in the folder, no labor fixtures written"]
    first_day, last_day = days[0], days[-1]
    jobs_rng = random.Random(f"{SEED}:jobs")
    jobs = {role: random_id(jobs_rng, 24, string.ascii_letters + string.digits) for role in ROLES}
    namer = Namer(random.Random(f"{SEED}:names"))
    team: list[Employee] = []
    timecards: list[dict[str, Any]] = []
    for location in locations:
        rng = random.Random(f"{SEED}:{location.square_id}")
        ids = random.Random(f"{SEED}:{location.square_id}:ids")
        break_type = random_id(ids, 13)
        plan = plan_location(demand[location.square_id])
        staff = hire(location.square_id, plan, rng, namer, first_day)
        team.extend(staff)
        curve = hourly_curve(demand[location.square_id])
        for assignment in assign(plan, staff, rng):
            timecards.append(_timecard(clock(assignment, rng, curve), location, ids, jobs, break_type))
    timecards.sort(key=lambda card: (datetime.fromisoformat(card["start_at"]), card["id"]))

    (folder / LABOR).mkdir(parents=True, exist_ok=True)
    position = {location.square_id: index for index, location in enumerate(locations)}
    members = sorted(
        team, key=lambda e: (position[e.location_id], list(ROLES).index(e.role), e.family_name, e.id)
    )
    body = {"team_members": [_team_member(employee) for employee in members]}
    (folder / TEAM_MEMBERS).write_text(
        json.dumps(body, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    pages = []
    for number, offset in enumerate(range(0, len(timecards), PAGE_SIZE), 1):
        page: dict[str, Any] = {"timecards": timecards[offset : offset + PAGE_SIZE]}
        if offset + PAGE_SIZE < len(timecards):
            page["cursor"] = f"page-{number + 1:06d}"
        pages.append(json.dumps(page, separators=(",", ":"), ensure_ascii=False))
    _write_gzip_lines(folder / TIMECARDS, pages)
    rows = cost_rows(read_menu(folder), locations, first_day, last_day, random.Random(f"{SEED}:costs"))
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    (folder / ITEM_COSTS).write_text(text.getvalue(), encoding="utf-8")
    return [
        f"labor: wrote {len(timecards):,} timecards of {len(team):,} team members and {len(rows):,} item "
        f"costs into {folder / LABOR}"
    ]


# -- loading ------------------------------------------------------------------------------------------------


def _mover(tz: ZoneInfo, days: int):
    """A timestamp string moved by ``days`` keeping its local wall-clock time in ``tz``, written in the same
    style (UTC "Z", or the location's offset)."""

    def move(text: str) -> tuple[str, datetime]:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if days:
            local = moment.astimezone(tz).replace(tzinfo=None) + timedelta(days=days)
            moment = local.replace(tzinfo=tz)
        if text.endswith("Z"):
            return _utc_text(moment), moment
        return moment.astimezone(tz).isoformat(), moment

    return move


def _as_of(payload: dict, tz: ZoneInfo, days: int, now: datetime) -> dict | None:
    """The timecard moved by ``days``, as it stood at ``now``: None if it starts after ``now``; still OPEN
    (no clock-out, a break in progress without its end) if it ends after it."""
    move = _mover(tz, days)
    card = dict(payload)
    card["start_at"], start = move(payload["start_at"])
    if start > now:
        return None
    open_now = False
    if payload.get("end_at"):
        card["end_at"], end = move(payload["end_at"])
        if end > now:
            open_now = True
            del card["end_at"]
            card["status"] = "OPEN"
    breaks = []
    for item in payload.get("breaks", []):
        moved = dict(item)
        moved["start_at"], begin = move(item["start_at"])
        if begin > now:
            continue
        if item.get("end_at"):
            moved["end_at"], finish = move(item["end_at"])
            if finish > now:
                del moved["end_at"]
        breaks.append(moved)
    card["breaks"] = breaks
    for name in ("created_at", "updated_at"):
        if payload.get(name):
            card[name], moment = move(payload[name])
            if name == "updated_at" and (open_now or moment > now):
                card[name] = _utc_text(now)
    return card


def _timecard_pages(path: Path):
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                page = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SourceError(f"{path} line {number}: not valid JSON ({exc})") from None
            cards = page.get("timecards") if isinstance(page, dict) else None
            if not isinstance(cards, list):
                raise SourceError(
                    f"{path} line {number}: a SearchTimecards page must have a 'timecards' list"
                )
            yield number, cards


def _shift_records(load: FixtureLoad, timezones: dict[int, str]) -> tuple[list[ShiftRecord], int]:
    """The folder's timecards as shift records as of ``load.now``, and how many start after it."""
    folder = load.folder / LABOR
    try:
        names = parse_team_members(json.loads((folder / TEAM_MEMBERS.name).read_text(encoding="utf-8")))
    except FileNotFoundError:
        names = {}
    except (json.JSONDecodeError, ValueError, KeyError) as exc:
        raise SourceError(f"{folder / TEAM_MEMBERS.name}: {exc}") from None
    path = folder / TIMECARDS.name
    if not path.exists():
        return [], 0
    records, later = [], 0
    for number, cards in _timecard_pages(path):
        for card in cards:
            store_id = load.location_ids.get(card.get("location_id", ""))
            if store_id is None:
                raise SourceError(
                    f"{path} line {number}: timecard {card.get('id')}: location {card.get('location_id')!r} "
                    "is not in the store's locations"
                )
            try:
                moved = _as_of(card, ZoneInfo(timezones[store_id]), load.shift_days, load.now)
                if moved is None:
                    later += 1
                    continue
                records.append(
                    parse_timecard(moved, location_ids=load.location_ids, timezones=timezones, names=names)
                )
            except (TimecardError, KeyError, ValueError) as exc:
                raise SourceError(f"{path} line {number}: {exc}") from None
    return records, later


def _cost_records(load: FixtureLoad) -> list[ItemCostRecord]:
    path = load.folder / ITEM_COSTS
    if not path.exists():
        return []
    locations: dict[str, tuple[int, str]] = {}
    for place in load_places(load.engine):
        locations[place.name.lower()] = (place.id, place.currency)
        locations[str(place.position)] = (place.id, place.currency)
    menu = SALES_TABLES.menu
    with load.engine.connect() as conn:
        known = set(conn.scalars(select(menu.c.item_name).distinct()))
    try:
        records = parse_item_costs(path, locations=locations, known_items=known)
    except CsvImportError as exc:
        more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
        raise SourceError(f"{path}: {exc.problems[0]}{more}") from None
    days = timedelta(days=load.shift_days)
    return [replace(record, effective_date=record.effective_date + days) for record in records]


def load_fixtures(load: FixtureLoad) -> list[str]:
    """Store the fixture folder's ``labor/`` (absent: nothing), moved by ``load.shift_days`` with local
    wall-clock times kept; timecards starting after ``load.now`` are left out, one still running at it is
    stored open. Shifts and item costs are written in one transaction."""
    if not (load.folder / LABOR).is_dir():
        return []
    timezones = {place.id: place.timezone for place in load_places(load.engine)}
    shifts, later = _shift_records(load, timezones)
    costs = _cost_records(load)
    with load.engine.begin() as conn:
        shift_counts = write_shifts(conn, shifts, now=load.now)
        cost_counts = write_item_costs(conn, costs)
    still_open = sum(1 for record in shifts if record.end_at is None)
    details = [f"{shift_counts.inserted:,} new shifts, {shift_counts.updated:,} changed"]
    if still_open:
        details.append(f"{still_open:,} still clocked in")
    if later:
        details.append(f"{later:,} starting after now left out")
    details.append(f"{cost_counts.inserted:,} new costs, {cost_counts.updated:,} changed")
    return [f"labor: {len(shifts):,} shifts and {len(costs):,} item costs loaded ({'; '.join(details)})"]
