"""``opsbot status``: what the store holds."""

from __future__ import annotations

import argparse

from bot.application import Application


def cmd_status(app: Application, _args: argparse.Namespace) -> int:
    """Print the store, its business, each location's orders and the totals."""
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
            f"{loc.orders:>8,} orders  {span}"
        )
    sources = ", ".join(f"{name} {count:,}" for name, count in sorted(summary.orders_by_source.items()))
    print(
        f"Orders: {summary.counted_orders:,} counted ({summary.orders:,} stored: {sources}); "
        f"line items {summary.line_items:,}; refunds {summary.refunds:,}; menu items {summary.menu_items}"
    )
    return 0


def add_parser(sub) -> None:
    """Register ``status`` on the ``opsbot`` sub-command parser."""
    status = sub.add_parser("status", help="show what the store holds")
    status.set_defaults(handler=cmd_status)
