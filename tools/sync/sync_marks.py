"""High-water marks of the live sources: how far each scope (a Square location, a Deliverect account) has
been read. Marks only move forward; an incremental sync starts a trailing window before the mark."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select, update

from tools.store.models import SyncMark


def read_marks(engine: Engine, source: str) -> dict[str, datetime]:
    """scope → high-water mark for ``source``."""
    with engine.connect() as conn:
        rows = conn.execute(select(SyncMark.scope, SyncMark.high_water).where(SyncMark.source == source))
        return {row.scope: row.high_water for row in rows}


def advance_marks(
    engine: Engine, source: str, scopes: Iterable[str], moment: datetime, read_from: datetime | None = None
) -> None:
    """Move the marks of ``scopes`` up to ``moment`` (a mark already past it stays). ``read_from``: where the
    read that got there began — a mark older than that stays too, or the gap between would never be read."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        current = {
            row.scope: row.high_water
            for row in conn.execute(
                select(SyncMark.scope, SyncMark.high_water).where(SyncMark.source == source)
            )
        }
        for scope in scopes:
            if scope not in current:
                conn.execute(
                    insert(SyncMark).values(source=source, scope=scope, high_water=moment, updated_at=now)
                )
            elif current[scope] < moment and (read_from is None or current[scope] >= read_from):
                conn.execute(
                    update(SyncMark)
                    .where(SyncMark.source == source, SyncMark.scope == scope)
                    .values(high_water=moment, updated_at=now)
                )
