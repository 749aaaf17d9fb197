"""The environment variables this plugin reads (through ``ctx.options``), each with what it sets."""

from __future__ import annotations

from collections.abc import Mapping

OVERTIME_HOURS = "OPSBOT_LABOR_OVERTIME_HOURS"
OVERTIME_MULTIPLIER = "OPSBOT_LABOR_OVERTIME_MULTIPLIER"

SETTINGS = {
    OVERTIME_HOURS: "weekly hours after which an employee's time is overtime (default 40)",
    OVERTIME_MULTIPLIER: "overtime pay as a multiple of the hourly rate (default 1.5)",
}

DEFAULT_OVERTIME_HOURS = 40.0
DEFAULT_OVERTIME_MULTIPLIER = 1.5


def _number(options: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = options.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number") from None
    if not low <= value <= high:
        raise ValueError(f"{name}={raw!r} — use a number from {low:g} to {high:g}")
    return value


def overtime_hours(options: Mapping[str, str]) -> float:
    """The weekly overtime threshold in hours."""
    return _number(options, OVERTIME_HOURS, DEFAULT_OVERTIME_HOURS, 1, 168)


def overtime_multiplier(options: Mapping[str, str]) -> float:
    """Overtime pay per hour as a multiple of the hourly rate."""
    return _number(options, OVERTIME_MULTIPLIER, DEFAULT_OVERTIME_MULTIPLIER, 1, 4)
