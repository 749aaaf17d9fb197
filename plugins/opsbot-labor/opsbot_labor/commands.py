"""``opsbot labor …``: import shifts (a scheduling app's CSV export) and item costs (a CSV) into the store.

Each import reads and checks the whole file first; a file with any problem is reported line by line on
stderr (exit status 1) and nothing is stored. A good file is written in one transaction and summed up in
one line. ``--dry-run`` checks the file and says what an import would change, storing nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from sqlalchemy import Connection, select

from opsbot_labor.cost_csv import distinct_items, parse_item_costs
from opsbot_labor.csv_problems import CsvFileError, CsvImportError
from opsbot_labor.records import ItemCostRecord, ShiftRecord
from opsbot_labor.shift_csv import parse_shifts
from opsbot_labor.shift_store import StoreCounts, business_date_of, write_item_costs, write_shifts
from tools.plugin_api import SALES_TABLES, CommandContext

Places = dict[str, tuple[int, str, str]]


def _locations(conn: Connection) -> Places:
    """Each store location under its name and its number: (id, currency, timezone)."""
    table = SALES_TABLES.locations
    rows = conn.execute(
        select(table.c.id, table.c.position, table.c.name, table.c.timezone, table.c.currency).order_by(
            table.c.position
        )
    )
    places: Places = {}
    for row in rows:
        place = (row.id, row.currency, row.timezone)
        places.setdefault(" ".join(str(row.name).split()), place)
        if row.position is not None:
            places.setdefault(str(row.position), place)
    return places


NO_LOCATIONS = "opsbot: the store has no locations yet — sync the POS first (opsbot sync), then import"


def _known_items(conn: Connection) -> set[str]:
    menu = SALES_TABLES.menu
    return {name for (name,) in conn.execute(select(menu.c.item_name).distinct()) if name}


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _counts(counts: StoreCounts) -> str:
    return f"({counts.inserted:,} new, {counts.updated:,} changed, {counts.unchanged:,} unchanged)"


def _report_problems(path: str, error: CsvImportError) -> int:
    if isinstance(error, CsvFileError):
        print(f"opsbot: {error}", file=sys.stderr)
        return 1
    count = len(error.problems)
    print(f"opsbot: {path}: {_plural(count, 'problem')} — nothing imported", file=sys.stderr)
    for text in error.problems:
        print(text, file=sys.stderr)
    return 1


def _write(ctx: CommandContext, dry_run: bool, write: Callable[[Connection], StoreCounts]) -> StoreCounts:
    """Run ``write`` in one transaction: committed, or rolled back after counting when ``dry_run``."""
    if not dry_run:
        with ctx.engine.begin() as conn:
            return write(conn)
    with ctx.engine.connect() as conn:
        transaction = conn.begin()
        try:
            return write(conn)
        finally:
            transaction.rollback()


def _shift_summary(records: Sequence[ShiftRecord]) -> str:
    if not records:
        return ""
    days = sorted(business_date_of(record) for record in records)
    places = len({record.location_id for record in records})
    return f" — {days[0]} to {days[-1]}, {_plural(places, 'location')}"


def import_shifts(ctx: CommandContext, args: argparse.Namespace) -> int:
    """``opsbot labor import-shifts FILE [--dry-run]``."""
    with ctx.engine.connect() as conn:
        places = _locations(conn)
    if not places:
        print(NO_LOCATIONS, file=sys.stderr)
        return 1
    try:
        records = parse_shifts(args.file, locations=places)
    except CsvImportError as error:
        return _report_problems(args.file, error)
    counts = _write(ctx, args.dry_run, lambda conn: write_shifts(conn, records))
    verb = "Would import" if args.dry_run else "Imported"
    line = (
        f"{verb} {_plural(len(records), 'shift')} from {args.file} {_counts(counts)}{_shift_summary(records)}"
    )
    print(line + (" — nothing stored (--dry-run)" if args.dry_run else ""))
    return 0


def _cost_summary(records: Sequence[ItemCostRecord]) -> str:
    if not records:
        return ""
    days = sorted(record.effective_date for record in records)
    span = f"effective {days[0]}" if days[0] == days[-1] else f"effective {days[0]} to {days[-1]}"
    return f" — {span}, {_plural(distinct_items(records), 'item')}"


def import_costs(ctx: CommandContext, args: argparse.Namespace) -> int:
    """``opsbot labor import-costs FILE [--dry-run]``."""
    with ctx.engine.connect() as conn:
        places = {name: (place[0], place[1]) for name, place in _locations(conn).items()}
        known = _known_items(conn)
    if not places:
        print(NO_LOCATIONS, file=sys.stderr)
        return 1
    try:
        records = parse_item_costs(args.file, locations=places, known_items=known)
    except CsvImportError as error:
        return _report_problems(args.file, error)
    counts = _write(ctx, args.dry_run, lambda conn: write_item_costs(conn, records))
    verb = "Would import" if args.dry_run else "Imported"
    what = _plural(len(records), "item cost")
    line = f"{verb} {what} from {args.file} {_counts(counts)}{_cost_summary(records)}"
    print(line + (" — nothing stored (--dry-run)" if args.dry_run else ""))
    return 0


def add_commands(sub) -> None:
    """Register ``opsbot labor`` (``import-shifts``, ``import-costs``) on opsbot's sub-command parser."""
    labor = sub.add_parser(
        "labor",
        help="import shifts and item costs from CSV files",
        description="Import labor data into the store: shifts from a scheduling app's CSV export "
        "(7shifts, Homebase) and item costs from a CSV. A file with any bad row is reported line by "
        "line and nothing is stored.",
    )
    commands = labor.add_subparsers(dest="labor_command", metavar="COMMAND")

    def show_help(_ctx: CommandContext, _args: argparse.Namespace) -> int:
        labor.print_help()
        return 0

    labor.set_defaults(plugin_handler=show_help)
    shifts = commands.add_parser(
        "import-shifts",
        help="import worked shifts from a 7shifts/Homebase CSV export",
        description="Import worked shifts from a scheduling app's CSV export: employee (or First/Last Name, "
        "Employee ID), Role, Location, Clock In, Clock Out, Unpaid Break (min), Hourly Wage, and optionally "
        "Scheduled Start/End. Times are the location's local clock. Importing the same file again changes "
        "nothing.",
    )
    costs = commands.add_parser(
        "import-costs",
        help="import item costs (cost of goods per unit) from a CSV",
        description="Import menu item costs from a CSV with columns item, unit_cost, effective_date and "
        "optionally location (blank = every location) and currency.",
    )
    for parser, handler in ((shifts, import_shifts), (costs, import_costs)):
        parser.add_argument("file", metavar="FILE", help="the CSV file (UTF-8)")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and show what would change; store nothing"
        )
        parser.set_defaults(plugin_handler=handler)
