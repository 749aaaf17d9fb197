"""Sync a live Square account: locations, the catalog's categories and items, then orders through
SearchOrders — stored by the same ingest function as the fixtures (``ingest.store_square_orders``).

Incremental: every location has a high-water mark (``sync_marks``). Orders are searched on ``updated_at``
(filtered and sorted on it), from a trailing window before the oldest mark of a batch of ≤ 10 locations, so
late offline-mode orders and later versions of orders are read again; the writer keeps this idempotent.
Each page is written in its own transaction and moves the batch's marks to its newest ``updated_at``, so a
failure keeps what was stored and the next sync resumes there.

Sandbox data is not production: with ``SQUARE_ENVIRONMENT=sandbox`` the sync reads locations and the menu
(so a trial setup can be checked) but stores no orders, and says so in a report note.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from tools.sources.api_calls import SourceError
from tools.sources.records import LocationRecord, PayloadError
from tools.sources.square import parser as square_parser
from tools.sources.square.client import MAX_SEARCH_LOCATIONS, SquareClient
from tools.sources.square.ingest import store_square_orders
from tools.sync.commission_rates_file import apply_commission_rates_file
from tools.sync.live_stage import (
    LiveOrdersStage,
    LiveSyncOptions,
    PageProgress,
    earliest_midnight,
    page_payloads,
    window_note,
)
from tools.sync.reference_writer import set_meta, upsert_locations, upsert_menu
from tools.sync.report import StageReport, SyncReport
from tools.sync.sync_marks import read_marks

SOURCE = "square"
SANDBOX_NOTE = (
    "SQUARE_ENVIRONMENT=sandbox: Square's sandbox holds test orders, not sales — locations and menu were "
    "synced, orders were not stored (use a production token for real sales)"
)


def sync_square(
    engine: Engine,
    client: SquareClient,
    options: LiveSyncOptions,
    *,
    now: datetime | None = None,
    progress: PageProgress | None = None,
) -> SyncReport:
    """One sync of the Square account (no orders from a sandbox account); a failure is in ``report.failure``
    and what was stored stays."""
    now = now or datetime.now(UTC)
    report = SyncReport()
    try:
        locations = _sync_reference(engine, client, options, report)
        if client.environment == "sandbox":
            report.notes.append(SANDBOX_NOTE)
        else:
            _sync_orders(engine, client, options, locations, now, report, progress)
    except (SourceError, PayloadError) as exc:
        report.failure = str(exc)
    return report


def _sync_reference(
    engine: Engine, client: SquareClient, options: LiveSyncOptions, report: SyncReport
) -> list[LocationRecord]:
    started = time.perf_counter()
    locations = square_parser.parse_locations_response(client.list_locations())
    known = {loc.square_location_id for loc in locations}
    missing = [loc for loc in options.square_location_ids if loc not in known]
    if missing:
        raise SourceError(
            f"SQUARE_LOCATION_IDS names {', '.join(missing)}, which this Square account does not have — "
            f"its locations: {', '.join(f'{loc.square_location_id} ({loc.name})' for loc in locations)}"
        )
    square_to_deliverect = {square: deliverect for deliverect, square in options.deliverect_locations.items()}
    counts = upsert_locations(engine, locations, square_to_deliverect)
    counts.add(upsert_menu(engine, square_parser.parse_catalog(client.catalog_objects())))
    report.stages.append(StageReport("locations and menu", counts, time.perf_counter() - started))
    business = next((loc.business_name for loc in locations if loc.business_name), None)
    set_meta(engine, {"data_source": "square", **({"business_name": business} if business else {})})
    if options.commission_rates_file:
        note = apply_commission_rates_file(engine, options.commission_rates_file)
        if note:
            report.notes.append(note)
    wanted = set(options.square_location_ids)
    return [loc for loc in locations if not wanted or loc.square_location_id in wanted]


def _sync_orders(
    engine: Engine,
    client: SquareClient,
    options: LiveSyncOptions,
    locations: list[LocationRecord],
    now: datetime,
    report: SyncReport,
    progress: PageProgress | None,
) -> None:
    marks = read_marks(engine, SOURCE)
    ids = [loc.square_location_id for loc in locations]
    timezones = {loc.square_location_id: ZoneInfo(loc.timezone) for loc in locations}
    with LiveOrdersStage(engine, SOURCE, store_square_orders, report, now, progress) as stage:
        for first in range(0, len(ids), MAX_SEARCH_LOCATIONS):
            batch = ids[first : first + MAX_SEARCH_LOCATIONS]
            start = _search_start(batch, marks, timezones, options, now)
            report.notes.append(window_note(f"square orders of {len(batch)} location(s)", start, now))
            pages = client.search_orders(batch, start, now)
            payloads = (page_payloads(page.get("orders") or [], "SearchOrders orders") for page in pages)
            stage.read(batch, start, payloads)


def _search_start(
    batch: Sequence[str],
    marks: dict[str, datetime],
    timezones: dict[str, ZoneInfo],
    options: LiveSyncOptions,
    now: datetime,
) -> datetime:
    """Where a batch's search starts: local midnight of ``since`` in the earliest timezone; else the oldest
    mark less the trailing window; a location without a mark starts ``initial_days`` back."""
    if options.since is not None:
        return earliest_midnight(options.since, (timezones[loc] for loc in batch))
    first_sync = now - timedelta(days=options.initial_days)
    return min(marks[loc] - options.trailing if loc in marks else first_sync for loc in batch)
