"""Labor hours, cost and labor % of sales; shift listings."""

from __future__ import annotations

from tools.plugin_api import ToolContext


def labor_report(ctx: ToolContext) -> dict:
    """Labor report (placeholder)."""
    return {}


def labor_shifts(ctx: ToolContext) -> dict:
    """Shift list (placeholder)."""
    return {}
