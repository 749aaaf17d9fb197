"""The demo business's labor and item-cost fixtures: written from its orders, loaded like live data."""

from __future__ import annotations

from pathlib import Path

from tools.plugin_api import FixtureLoad


def generate_demo(folder: Path) -> list[str]:
    """Write ``labor/`` into a fixture folder (placeholder)."""
    return []


def load_fixtures(load: FixtureLoad) -> list[str]:
    """Load a fixture folder's ``labor/`` (placeholder)."""
    return []
