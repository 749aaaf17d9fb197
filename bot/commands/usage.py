"""``opsbot usage``: tokens and cost per day and model."""

from __future__ import annotations

import argparse

from bot.application import Application


def cmd_usage(app: Application, args: argparse.Namespace) -> int:
    """Print the usage table of the last ``--days`` days."""
    print(app.usage(days=args.days))
    return 0


def add_parser(sub) -> None:
    """Register ``usage`` on the ``opsbot`` sub-command parser."""
    usage = sub.add_parser("usage", help="tokens and cost per day and model")
    usage.add_argument("--days", type=int, default=30, help="how many days back (default 30)")
    usage.set_defaults(handler=cmd_usage)
