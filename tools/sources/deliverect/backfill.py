"""Backfill Deliverect orders through its orders API for a date range — recovery for webhook deliveries
that never arrived — stored by the same ingest function as the webhook and the fixtures
(``ingest.store_deliverect_orders``; a cancellation updates the stored order; counted once with its POS copy).

Without ``since`` it resumes from its high-water mark less the trailing window (first time:
``initial_days`` back). Each page is written in its own transaction and moves the mark, so a failure keeps
what was stored.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from tools.sources.api_calls import SourceError
from tools.sources.deliverect.client import DeliverectClient
from tools.sources.deliverect.ingest import store_deliverect_orders
from tools.sources.records import PayloadError
from tools.store.models import Location
from tools.sync.commission_rates_file import apply_commission_rates_file
from tools.sync.live_stage import (
    LiveOrdersStage,
    LiveSyncOptions,
    PageProgress,
    earliest_midnight,
    page_payloads,
    window_note,
)
from tools.sync.reference_writer import link_deliverect_locations
from tools.sync.report import SyncReport
from tools.sync.sync_marks import read_marks

SOURCE = "deliverect"


def sync_deliverect(
    engine: Engine,
    client: DeliverectClient,
    options: LiveSyncOptions,
    *,
    now: datetime | None = None,
    progress: PageProgress | None = None,
) -> SyncReport:
    """One backfill; a failure is in ``report.failure`` and what was stored stays."""
    now = now or datetime.now(UTC)
    report = SyncReport()
    try:
        timezones = _stored_timezones(engine)
        if not timezones:
            raise SourceError(
                "the store has no locations to put Deliverect orders at — sync Square first "
                "(`opsbot sync --source square`)"
            )
        missing = link_deliverect_locations(engine, options.deliverect_locations)
        if missing:
            report.notes.append(
                f"DELIVERECT_LOCATIONS names Square locations not in the store: {', '.join(missing)}"
            )
        if options.commission_rates_file:
            note = apply_commission_rates_file(engine, options.commission_rates_file)
            if note:
                report.notes.append(note)
        _backfill(engine, client, options, timezones, now, report, progress)
    except (SourceError, PayloadError) as exc:
        report.failure = str(exc)
    return report


def _stored_timezones(engine: Engine) -> list[ZoneInfo]:
    with engine.connect() as conn:
        return [ZoneInfo(name) for name in conn.scalars(select(Location.timezone).distinct())]


def _backfill(
    engine: Engine,
    client: DeliverectClient,
    options: LiveSyncOptions,
    timezones: list[ZoneInfo],
    now: datetime,
    report: SyncReport,
    progress: PageProgress | None,
) -> None:
    scope = options.deliverect_account or "*"
    if options.since is not None:
        start = earliest_midnight(options.since, timezones)
    else:
        mark = read_marks(engine, SOURCE).get(scope)
        start = mark - options.trailing if mark else now - timedelta(days=options.initial_days)
    report.notes.append(window_note("deliverect orders", start, now))
    with LiveOrdersStage(engine, SOURCE, store_deliverect_orders, report, now, progress) as stage:
        pages = client.order_pages(start, now, account=options.deliverect_account)
        stage.read([scope], start, (page_payloads(page, "GET /orders _items") for page in pages))
