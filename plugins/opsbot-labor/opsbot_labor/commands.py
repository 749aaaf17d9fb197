"""``opsbot labor …``: import shifts and item costs from CSV files (filled in by the CSV importers)."""

from __future__ import annotations


def add_commands(sub) -> None:
    """Register ``opsbot labor`` on opsbot's sub-command parser."""
