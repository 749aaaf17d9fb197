"""How fresh the store's data is: per source, the time of the newest order stored.

It runs under every answer (the sources line), so it is one statement that reads only the
``(source, created_at)`` index: a loose index scan (a recursive query finding each source as the smallest one
after the last) and, per source, its newest order time — a few index seeks however many orders are stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select

from tools.store.models import Order

ORDERS = Order.__table__


@dataclass(frozen=True)
class SourceFreshness:
    """One source (``orders.source``: square, deliverect, …) and its newest order's own time, in UTC."""

    source: str
    newest: datetime

    @property
    def label(self) -> str:
        """How the sources line names it: "Square", "Deliverect"."""
        return self.source.replace("_", " ").title()


def _newest_per_source():
    """The statement: (source, newest created_at) for every source stored."""
    later, own = ORDERS.alias("later"), ORDERS.alias("own")
    sources = select(func.min(ORDERS.c.source).label("source")).cte("sources", recursive=True)
    following = select(func.min(later.c.source)).where(later.c.source > sources.c.source).scalar_subquery()
    sources = sources.union_all(select(following).where(sources.c.source.is_not(None)))
    newest = select(func.max(own.c.created_at)).where(own.c.source == sources.c.source).scalar_subquery()
    return select(sources.c.source, newest.label("newest")).where(sources.c.source.is_not(None))


NEWEST_PER_SOURCE = _newest_per_source()


def data_freshness(engine: Engine) -> tuple[SourceFreshness, ...]:
    """Each source's newest order time, the most recent source first; () for an empty store."""
    with engine.connect() as conn:
        rows = conn.execute(NEWEST_PER_SOURCE).all()
    found = [SourceFreshness(source, newest) for source, newest in rows if newest is not None]
    return tuple(sorted(found, key=lambda f: (-f.newest.timestamp(), f.source)))
