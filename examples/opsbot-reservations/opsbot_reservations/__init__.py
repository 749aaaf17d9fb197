"""An example opsbot plugin: table reservations from a booking system's CSV export (fictional data)."""

from __future__ import annotations

import csv
from datetime import date
from importlib.resources import files
from typing import Annotated

from tools.plugin_api import Param, ToolError, activity


def _rows() -> list[dict]:
    with files(__package__).joinpath("reservations.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


@activity("counting reservations")
def reservations_summary(
    date_from: Annotated[date, Param("First day (YYYY-MM-DD).")],
    date_to: Annotated[date, Param("Last day, inclusive (YYYY-MM-DD).")],
    location: Annotated[str | None, Param("Only this location's reservations (e.g. 'Harbor').")] = None,
) -> dict:
    """Table reservations for a date range: bookings, covers (guests), no-shows and cancellations."""
    if date_to < date_from:
        raise ToolError(f"date_to {date_to} is before date_from {date_from}")
    rows = [
        row
        for row in _rows()
        if date_from <= date.fromisoformat(row["date"]) <= date_to
        and (location is None or row["location"].lower() == location.lower())
    ]
    booked = [row for row in rows if row["status"] != "cancelled"]
    return {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "location": location or "all",
        "reservations": len(booked),
        "covers": sum(int(row["party_size"]) for row in booked),
        "no_shows": sum(1 for row in rows if row["status"] == "no_show"),
        "cancellations": sum(1 for row in rows if row["status"] == "cancelled"),
    }


TOOLS = [reservations_summary]
