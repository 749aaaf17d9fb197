"""The live Square Labor sync (placeholder)."""

from __future__ import annotations

from tools.plugin_api import LiveSync


def sync_live(sync: LiveSync) -> list[str]:
    """Sync timecards from Square (placeholder)."""
    return []
