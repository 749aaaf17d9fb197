"""The commission-rate table from a file (``OPSBOT_COMMISSION_RATES_FILE``): the rows every platform order's
commission is estimated from, business-wide or per location (a Square location id)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine

from tools.sources.records import PayloadError
from tools.sync.orders.writer import OrderWriter
from tools.sync.reference_writer import CommissionRate, parse_commission_rates, replace_commission_rates


def read_commission_rates_file(path: Path) -> list[CommissionRate]:
    """A JSON list of rate rows, or an object with a ``commission_rates`` list (like business.json)."""
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise PayloadError(f"OPSBOT_COMMISSION_RATES_FILE={path}: no such file") from None
    except json.JSONDecodeError as exc:
        raise PayloadError(f"{path}: not valid JSON ({exc})") from None
    rows = data.get("commission_rates") if isinstance(data, dict) else data
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise PayloadError(
            f"{path}: expected a list of rate rows (platform, rate_percent, optional fixed_fee, valid_from, "
            "valid_to, location) or an object with a commission_rates list"
        )
    return parse_commission_rates(rows, str(path))


def apply_commission_rates_file(engine: Engine, path: Path) -> str | None:
    """Make the stored rate table equal the file; re-estimate platform orders when it changed (a note)."""
    if not replace_commission_rates(engine, read_commission_rates_file(path)):
        return None
    updated = OrderWriter(engine).recompute_commissions()
    return f"commission rates changed ({path}): re-estimated {updated} orders"
