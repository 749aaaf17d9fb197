"""The orders stage of a live sync, shared by the Square and Deliverect adapters: pages of payloads stored by
the source's ingest function, each page written in its own transaction, the high-water marks moved after each
page, and the stage reported (and stored in ``sync_runs``) even when a request fails part-way."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from tools.sources.records import OrderRecord
from tools.sync.orders.ingest import Payload, StoreOrders
from tools.sync.orders.writer import OrderWriter, WriteCounts
from tools.sync.report import StageReport, SyncReport, record_run
from tools.sync.sync_marks import advance_marks

# (stage, pages read, orders seen)
PageProgress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class LiveSyncOptions:
    """What a live sync reads: ``since`` (a local date) overrides the high-water marks."""

    since: date | None = None
    trailing: timedelta = timedelta(hours=72)
    initial_days: int = 30
    square_location_ids: tuple[str, ...] = ()  # empty: every location
    deliverect_account: str | None = None  # limits the Deliverect backfill to one account
    deliverect_locations: dict[str, str] = field(default_factory=dict)  # Deliverect location id → Square id
    commission_rates_file: Path | None = None


def earliest_midnight(day: date, timezones: Iterable[ZoneInfo]) -> datetime:
    """The first moment of ``day`` in any of ``timezones`` (UTC), where a ``--since`` day starts."""
    return min(datetime.combine(day, datetime.min.time(), tz).astimezone(UTC) for tz in timezones)


def window_note(what: str, start: datetime, end: datetime) -> str:
    """A report line naming the update window a stage read."""
    return f"{what} updated from {start:%Y-%m-%d %H:%M} UTC to {end:%Y-%m-%d %H:%M} UTC"


def page_payloads(payloads: Iterable[Any], origin: str) -> list[Payload]:
    """``(origin[index], payload)`` for each payload of one page."""
    return [(f"{origin}[{index}]", payload) for index, payload in enumerate(payloads)]


class _NewestUpdate:
    """Passes records through unchanged, keeping the newest ``source_updated_at`` among them."""

    def __init__(self) -> None:
        self.value: datetime | None = None

    def __call__(self, record: OrderRecord) -> OrderRecord:
        if record.source_updated_at and (self.value is None or record.source_updated_at > self.value):
            self.value = record.source_updated_at
        return record


class LiveOrdersStage:
    """``with LiveOrdersStage(engine, "square", store_square_orders, report, now) as stage:
    stage.read(scopes, start, pages)``."""

    def __init__(
        self,
        engine: Engine,
        source: str,
        store: StoreOrders,
        report: SyncReport,
        now: datetime,
        progress: PageProgress | None = None,
    ):
        self.engine = engine
        self.source = source
        self.store = store
        self.name = f"{source} orders"
        self.report = report
        self.now = now
        self.progress = progress
        self.counts = WriteCounts()
        self.pages = 0
        self._writer = OrderWriter(engine, now=now)
        self._started = time.perf_counter()
        self._run_started = datetime.now(UTC)

    def read(self, scopes: list[str], start: datetime, pages: Iterable[list[Payload]]) -> None:
        """Write every page of a read that began at ``start``; the marks of ``scopes`` follow the newest
        update stored, then reach ``now`` — unless the read began after a mark (a ``--since`` later than the
        last sync), which leaves that mark where it is."""
        for payloads in pages:
            self.pages += 1
            newest = _NewestUpdate()
            self.counts.add(self.store(self._writer, payloads, adjust=newest, now=self.now))
            if newest.value is not None:
                advance_marks(self.engine, self.source, scopes, min(newest.value, self.now), start)
            if self.progress:
                self.progress(self.name, self.pages, self.counts.seen)
        advance_marks(self.engine, self.source, scopes, self.now, start)

    def __enter__(self) -> LiveOrdersStage:
        return self

    def __exit__(self, _type: type | None, exc: BaseException | None, _tb: TracebackType | None) -> None:
        self.report.stages.append(StageReport(self.name, self.counts, time.perf_counter() - self._started))
        record_run(self.engine, self.source, self._run_started, self.counts, str(exc) if exc else None)
