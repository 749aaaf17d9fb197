"""``opsbot status``: what the store holds."""

from __future__ import annotations

import argparse

from bot.application import Application
from tools.store.summary import LocationSummary


def _set_aside(loc: LocationSummary) -> str:
    """The orders a location holds that are not counted as sales, as "(31 canceled, 402 POS copies)"."""
    parts = [f"{loc.canceled:,} canceled", f"{loc.pos_copies:,} POS copies"]
    if loc.other:
        parts.append(f"{loc.other:,} open/failed")
    return "(" + ", ".join(parts) + ")"


def cmd_status(app: Application, _args: argparse.Namespace) -> int:
    """Print the store, its business, each location's orders and the totals. Orders are counted as the tools
    count them: completed and not a POS copy; canceled orders and POS copies are shown beside them."""
    summary = app.summary()
    print(f"Store: {app.store.url.render_as_string(hide_password=True)}")
    if not summary.locations:
        print("The store is empty. Load the demo business with `opsbot sync`.")
        return 0
    print(f"Business: {summary.business_name or '(unnamed)'}")
    for loc in summary.locations:
        span = f"{loc.first_day} … {loc.last_day}" if loc.first_day else "no orders"
        print(
            f"  Location {loc.position}: {loc.name:<12} {loc.timezone:<22} {loc.currency}  "
            f"{loc.orders:>8,} orders {_set_aside(loc):<32} {span}"
        )
    sources = ", ".join(f"{name} {count:,}" for name, count in sorted(summary.orders_by_source.items()))
    print(
        f"Orders: {summary.counted_orders:,} counted (completed, POS copies excluded); "
        f"{summary.canceled_orders:,} canceled; {summary.pos_copies:,} POS copies of delivery orders"
    )
    print(
        f"Stored: {summary.orders:,} orders ({sources}); line items {summary.line_items:,}; "
        f"refunds {summary.refunds:,}; menu items {summary.menu_items}"
    )
    return 0


def add_parser(sub) -> None:
    """Register ``status`` on the ``opsbot`` sub-command parser."""
    status = sub.add_parser("status", help="show what the store holds")
    status.set_defaults(handler=cmd_status)
