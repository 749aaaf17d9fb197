"""The live Square Labor sync: every store location with a Square location id, its timecards read through
SearchTimecards and stored as shifts, with the team members' names.

Incremental: each Square location has a high-water mark (``labor_sync_marks``: the newest ``updated_at`` a
sync read to the end). The next sync re-reads the timecards updated from ``TRAILING`` before the mark, so a
timecard edited while the last sync paged is read again; the writer leaves unchanged ones alone. A location
without a mark reads the timecards that started in the last ``INITIAL_DAYS`` days; ``since`` re-reads the
timecards that started from local midnight of that date. Each page is stored in its own transaction; a
timecard that cannot be read is skipped, counted and named in the notes, never stored in part. The mark moves
only once a location has been read to the end, and only forward.

After the timecards, the catalog's ITEM objects are read (ListCatalog) and their vendor costs
(``cost_csv.vendor_costs_from_catalog``: per item name, for every location) stored as item costs, source
``square_catalog``, in one transaction; costs in a currency none of the synced locations uses are skipped
with a note. A catalog without vendor costs adds no note; a failure reading the catalog is one note and
leaves the stored timecards alone.

Sandbox timecards are test data, not labor: with ``SQUARE_ENVIRONMENT=sandbox`` they are read (so a setup
can be checked) but not stored, and a note says so; the sandbox catalog is not read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert, select, update

from opsbot_labor.cost_csv import vendor_costs_from_catalog
from opsbot_labor.shift_store import StoreCounts, store_shifts, write_item_costs
from opsbot_labor.square_client import (
    LOCATION_IDS,
    TIMECARD_PAGE_SIZE,
    NotPermitted,
    SquareLaborClient,
    SquareLaborSettings,
)
from opsbot_labor.square_timecards import TimecardError, parse_team_members, parse_timecard, updated_at
from opsbot_labor.tables import sync_marks
from tools.plugin_api import SALES_TABLES, LiveSync, RetryPolicy, SourceError

# How far before a location's mark an incremental sync starts reading again.
TRAILING = timedelta(hours=6)
# How far back a location's first sync reads (timecards that started since then), like the orders sync.
INITIAL_DAYS = 30
# How many skipped timecards the note names.
NAMED_SKIPS = 3
SANDBOX_NOTE = (
    "labor: SQUARE_ENVIRONMENT=sandbox: Square's sandbox holds test timecards, not labor — {read} read, "
    "none stored (use a production token for real labor)"
)


@dataclass
class _Tally:
    """What one sync did, across locations."""

    counts: StoreCounts = field(default_factory=StoreCounts)
    read: int = 0
    skipped: list[str] = field(default_factory=list)


def _places(engine: Engine, location_ids: Mapping[str, int]) -> dict[str, tuple[int, str]]:
    """Square location id → (store location id, IANA timezone), for the store's locations that have one."""
    table = SALES_TABLES.locations
    with engine.connect() as conn:
        zones = {row.id: row.timezone for row in conn.execute(select(table.c.id, table.c.timezone))}
    return {square: (store, zones[store]) for square, store in location_ids.items() if store in zones}


def read_marks(engine: Engine) -> dict[str, datetime]:
    """Square location id → the newest timecard ``updated_at`` read to the end."""
    with engine.connect() as conn:
        return {row.square_location_id: row.updated_at for row in conn.execute(select(sync_marks))}


def _move_mark(engine: Engine, square_location_id: str, newest: datetime, now: datetime) -> None:
    """Set the location's mark to ``newest`` unless it already is there or later."""
    with engine.begin() as conn:
        current = conn.execute(
            select(sync_marks.c.updated_at).where(sync_marks.c.square_location_id == square_location_id)
        ).scalar()
        if current is None:
            conn.execute(
                insert(sync_marks).values(
                    square_location_id=square_location_id, updated_at=newest, synced_at=now
                )
            )
        elif newest > current:
            conn.execute(
                update(sync_marks)
                .where(sync_marks.c.square_location_id == square_location_id)
                .values(updated_at=newest, synced_at=now)
            )


def _wanted(settings: SquareLaborSettings, places: Mapping[str, tuple[int, str]]) -> list[str]:
    if not settings.location_ids:
        return sorted(places)
    unknown = [loc for loc in settings.location_ids if loc not in places]
    if unknown:
        raise SourceError(
            f"{LOCATION_IDS} names {', '.join(unknown)}, which no store location has as its Square location "
            f"id — the store's: {', '.join(sorted(places)) or 'none'}"
        )
    return list(dict.fromkeys(settings.location_ids))


def _window(sync: LiveSync, mark: datetime | None, timezone: str) -> tuple[datetime | None, datetime | None]:
    """(timecards starting from, timecards updated since) for one location's read."""
    if sync.since is not None:
        return datetime.combine(sync.since, time(0), ZoneInfo(timezone)), None
    if mark is not None:
        return None, mark - TRAILING
    return sync.now - timedelta(days=INITIAL_DAYS), None


def _team_names(client: SquareLaborClient, notes: list[str]) -> dict[str, str]:
    try:
        return parse_team_members(client.team_members())
    except TimecardError as exc:
        notes.append(f"labor: team member names not read ({exc}); shifts are stored without them")
        return {}


def _sync_location(
    sync: LiveSync,
    client: SquareLaborClient,
    square_id: str,
    places: Mapping[str, tuple[int, str]],
    names: Mapping[str, str],
    mark: datetime | None,
    tally: _Tally,
    store: bool,
) -> None:
    location_ids = {square: store_id for square, (store_id, _) in places.items()}
    timezones = {store_id: zone for store_id, zone in places.values()}
    started_from, updated_since = _window(sync, mark, places[square_id][1])
    newest = mark
    for page in client.timecard_pages(square_id, started_from=started_from, updated_since=updated_since):
        records = []
        for payload in page:
            tally.read += 1
            moment = updated_at(payload)
            if moment is not None:  # never past now: a clock ahead would stop later syncs short
                moment = min(moment, sync.now)
                newest = moment if newest is None else max(newest, moment)
            try:
                records.append(
                    parse_timecard(payload, location_ids=location_ids, timezones=timezones, names=names)
                )
            except TimecardError as exc:
                tally.skipped.append(str(exc))
        if store and records:
            counts = store_shifts(sync.engine, records, sync.now)
            tally.counts.inserted += counts.inserted
            tally.counts.updated += counts.updated
            tally.counts.unchanged += counts.unchanged
    if store and newest is not None and newest != mark:
        _move_mark(sync.engine, square_id, newest, sync.now)


def _currencies(engine: Engine, store_ids: set[int]) -> set[str]:
    """The currencies (upper case) of the store locations ``store_ids``."""
    table = SALES_TABLES.locations
    with engine.connect() as conn:
        rows = conn.execute(select(table.c.currency).where(table.c.id.in_(sorted(store_ids))))
        return {str(row.currency).upper() for row in rows if row.currency}


def _sync_vendor_costs(sync: LiveSync, client: SquareLaborClient, currencies: set[str]) -> list[str]:
    """Store the catalog's vendor costs; the notes saying what happened (none when it has no costs)."""
    try:
        costs = vendor_costs_from_catalog(client.catalog_items())
    except SourceError as exc:
        return [f"labor: Square catalog vendor costs not read: {exc}"]
    kept = [cost for cost in costs if cost.currency in currencies]
    other = [cost for cost in costs if cost.currency not in currencies]
    notes = []
    if other:
        theirs = ", ".join(sorted({cost.currency for cost in other}))
        ours = ", ".join(sorted(currencies)) or "none"
        named = ", ".join(cost.item for cost in other[:NAMED_SKIPS])
        more = f" and {len(other) - NAMED_SKIPS:,} more" if len(other) > NAMED_SKIPS else ""
        notes.append(
            f"labor: {len(other):,} Square catalog vendor cost{'' if len(other) == 1 else 's'} skipped, in "
            f"{theirs} not the locations' currency ({ours}): {named}{more}"
        )
    if kept:
        with sync.engine.begin() as conn:
            counts = write_item_costs(conn, kept)
        notes.insert(0, counts.note("vendor costs from the Square catalog"))
    return notes


def _skipped_note(skipped: list[str]) -> str:
    named = "; ".join(skipped[:NAMED_SKIPS])
    more = len(skipped) - NAMED_SKIPS
    return f"{len(skipped):,} skipped: {named}" + (f"; and {more:,} more" if more > 0 else "")


def sync_live(
    sync: LiveSync, *, backoff: RetryPolicy | None = None, page_size: int = TIMECARD_PAGE_SIZE
) -> list[str]:
    """Read the Square account's timecards into the shift tables and its catalog's vendor costs into the item
    costs; [] when SQUARE_ACCESS_TOKEN is not set.
    Returns one-line notes; raises SourceError (one line) for what the user must fix. ``backoff`` (its
    ``sleep``) and ``page_size`` are for tests."""
    settings = SquareLaborSettings.from_environ(sync.environ)
    if settings is None:
        return []
    places = _places(sync.engine, sync.location_ids)
    wanted = _wanted(settings, places)
    if not wanted:
        return ["labor: no store location has a Square location id — no Square timecards read"]
    store = settings.environment != "sandbox"
    notes: list[str] = []
    tally = _Tally()
    marks = read_marks(sync.engine)
    with SquareLaborClient(settings, backoff=backoff, page_size=page_size) as client:
        try:
            names = _team_names(client, notes)
            for square_id in wanted:
                _sync_location(sync, client, square_id, places, names, marks.get(square_id), tally, store)
        except NotPermitted as exc:
            return [*notes, f"labor: Square timecards not read: {exc}"]
        if not store:
            read = f"{tally.read:,} timecard{'' if tally.read == 1 else 's'}"
            return [*notes, SANDBOX_NOTE.format(read=read)]
        summary = tally.counts.note("Square timecards")
        if tally.skipped:
            summary += f", {_skipped_note(tally.skipped)}"
        currencies = _currencies(sync.engine, {places[square_id][0] for square_id in wanted})
        return [*notes, summary, *_sync_vendor_costs(sync, client, currencies)]
