"""De-duplication within one batch: the same order twice in a batch (a new order and its cancellation) is
applied once, in its newest version; the older versions are counted with it."""

from __future__ import annotations

from datetime import datetime

from tools.sources.records import OrderRecord

OrderKey = tuple[str, str]  # (source, source_order_id)


def newest_versions(
    batch: list[tuple[str, OrderRecord]],
) -> tuple[dict[OrderKey, tuple[str, OrderRecord]], dict[OrderKey, int]]:
    """The newest ``(origin, record)`` of each order in ``batch``, and how many older versions each had."""
    latest: dict[OrderKey, tuple[str, OrderRecord]] = {}
    superseded: dict[OrderKey, int] = {}
    for origin, record in batch:
        key = (record.source, record.source_order_id)
        previous = latest.get(key)
        if previous is not None:
            superseded[key] = superseded.get(key, 0) + 1
            if older_than(record, previous[1].source_updated_at):
                continue
        latest[key] = (origin, record)
    return latest, superseded


def older_than(record: OrderRecord, stored: datetime | None) -> bool:
    """True when the record is a stale version of what is stored (a late re-delivery)."""
    return bool(stored and record.source_updated_at and record.source_updated_at < stored)
