"""One transaction holding many batches: the orders of a first load into an empty store, with the rollups of
every day the batches touched refreshed once before it commits (``OrderWriter.one_transaction``).

(A larger SQLite page cache and in-memory temporary tables on its connection were measured too: no
difference on a 13k-order load, so they are not set.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection

from tools.store import rollups


@dataclass
class StageTransaction:
    """The open transaction batches are written into, and the (location, business day) pairs they touched."""

    conn: Connection
    touched: set[tuple[int, date]] = field(default_factory=set)

    def refresh_rollups(self) -> None:
        """Recompute the rollups of every pair the batches touched (once each), in the transaction."""
        rollups.refresh(self.conn, self.touched)
