"""Food cost, prime cost and menu engineering."""

from __future__ import annotations

from tools.plugin_api import ToolContext


def prime_cost(ctx: ToolContext) -> dict:
    """Prime cost (placeholder)."""
    return {}


def menu_engineering(ctx: ToolContext) -> dict:
    """Menu engineering (placeholder)."""
    return {}
