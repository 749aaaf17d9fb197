"""The live sources built from the settings: Square and Deliverect clients and their sync options, and one
sync of a named source — shared by ``opsbot sync`` and the periodic sync inside ``opsbot serve``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from bot.settings import Settings
from tools.sources.api_calls import RetryPolicy
from tools.sources.deliverect.backfill import sync_deliverect
from tools.sources.deliverect.client import DeliverectClient
from tools.sources.square.client import SquareClient
from tools.sources.square.sync import sync_square
from tools.sync.live_stage import LiveSyncOptions, PageProgress
from tools.sync.report import SyncReport
from tools.sync.store_origin import live_sync_refusal

LIVE_SOURCES = ("square", "deliverect")


def missing_credentials(settings: Settings, source: str) -> str | None:
    """Why ``source`` cannot be synced with these settings (None when it can)."""
    if source == "square" and not settings.sources.square.access_token:
        return "Square is not configured — set SQUARE_ACCESS_TOKEN (see README: Connect a Square account)"
    if source == "deliverect" and not settings.sources.deliverect.has_api_credentials:
        return (
            "Deliverect backfill is not configured — set DELIVERECT_CLIENT_ID and DELIVERECT_CLIENT_SECRET "
            "(see README: Deliverect)"
        )
    return None


def _policy(settings: Settings, sleep: Callable[[float], object] | None) -> RetryPolicy:
    if sleep is None:
        return RetryPolicy(retries=settings.sources.retries)
    return RetryPolicy(retries=settings.sources.retries, sleep=sleep)


def square_client(settings: Settings, sleep: Callable[[float], object] | None = None) -> SquareClient:
    square = settings.sources.square
    assert square.access_token, missing_credentials(settings, "square")
    return SquareClient(
        square.access_token,
        environment=square.environment,
        base_url=square.base_url,
        policy=_policy(settings, sleep),
    )


def deliverect_client(settings: Settings, sleep: Callable[[float], object] | None = None) -> DeliverectClient:
    deliverect = settings.sources.deliverect
    assert deliverect.client_id and deliverect.client_secret, missing_credentials(settings, "deliverect")
    return DeliverectClient(
        deliverect.client_id,
        deliverect.client_secret,
        base_url=deliverect.base_url,
        policy=_policy(settings, sleep),
    )


def sync_live_source(
    settings: Settings,
    engine: Engine,
    source: str,
    *,
    since: date | None = None,
    now: datetime | None = None,
    progress: PageProgress | None = None,
    sleep: Callable[[float], object] | None = None,
) -> SyncReport:
    """One sync of ``source`` (``square`` or ``deliverect``), incremental unless ``since`` is given;
    ``sleep`` waits between retries (default: time.sleep). Refused (``report.failure``) while the store holds
    the demo or other fixture data."""
    refusal = live_sync_refusal(engine)
    if refusal:
        return SyncReport(failure=refusal)
    sources = settings.sources
    options = LiveSyncOptions(
        since=since,
        trailing=timedelta(hours=sources.trailing_hours),
        initial_days=sources.initial_days,
        square_location_ids=sources.square.location_ids,
        deliverect_account=sources.deliverect.account_id,
        deliverect_locations=sources.deliverect.locations,
        commission_rates_file=sources.commission_rates_file,
    )
    if source == "square":
        return sync_square(engine, square_client(settings, sleep), options, now=now, progress=progress)
    if source == "deliverect":
        client = deliverect_client(settings, sleep)
        try:
            return sync_deliverect(engine, client, options, now=now, progress=progress)
        finally:
            client.close()
    raise ValueError(f"unknown live source {source!r} — known: {', '.join(LIVE_SOURCES)}")
