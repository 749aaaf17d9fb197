"""Item costs: what one unit of a menu item costs to make, from a date on — from a CSV file, or from the
default vendor cost a Square catalog's item variations carry.

The CSV has a row per item (and location) and date: ``item`` (the menu item's name as the catalog spells
it; case and spacing are forgiven), ``unit_cost`` ("3.85" or "$3.85"), ``effective_date`` (YYYY-MM-DD),
optional ``location`` (a name or number; blank = every location) and optional ``currency`` (the location's;
for every location, the one currency the business uses). Every row is checked and every problem reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path

from opsbot_labor.csv_locations import LocationNames, plain
from opsbot_labor.csv_problems import CsvImportError, problem
from opsbot_labor.csv_reading import Column, Row, missing_column, read_table
from opsbot_labor.csv_values import calendar_date, money
from opsbot_labor.records import ItemCostRecord
from tools.plugin_api import divide_half_up, unknown_name_error

HIGHEST_COST = 100_000  # per unit, in major units: above it a cost is a typo

ITEM = Column("item", ("Item", "Item Name", "Menu Item", "Name", "Product"))
UNIT_COST = Column(
    "unit_cost", ("Unit Cost", "Cost", "Cost Per Unit", "Unit Cost Money", "Food Cost", "COGS")
)
EFFECTIVE_DATE = Column(
    "effective_date", ("Effective Date", "Effective", "Effective From", "Date", "Start Date")
)
LOCATION = Column("location", ("Location", "Location Name", "Store"))
CURRENCY = Column("currency", ("Currency",))
COLUMNS = (ITEM, UNIT_COST, EFFECTIVE_DATE, LOCATION, CURRENCY)

Place = tuple[int, str]  # store location id, currency


def _cell(row: Row, column: Column) -> str:
    return row.cells.get(column.field, "")


def _row_cost(
    row: Row, places: LocationNames[Place], items: Mapping[str, str], known: list[str], problems: list[str]
) -> ItemCostRecord | None:
    """The row's cost, or None with its problems added to ``problems``."""
    before = len(problems)

    def fail(column: Column, what: str) -> None:
        problems.append(problem(row.line, column.field, what))

    item = items.get(plain(_cell(row, ITEM)))
    if not _cell(row, ITEM):
        fail(ITEM, "missing")
    elif item is None:
        fail(ITEM, str(unknown_name_error("item", _cell(row, ITEM), known)))
    location_id, currency, whose = None, None, "the business's currency"
    if _cell(row, LOCATION):
        try:
            location_id, currency = places.find(_cell(row, LOCATION))
            whose = f"{_cell(row, LOCATION)}'s currency"
        except ValueError as exc:
            fail(LOCATION, str(exc))
    else:
        currencies = sorted({place[1] for place in places.distinct})
        if len(currencies) == 1:
            currency = currencies[0]
        elif currencies:
            fail(LOCATION, f"blank means every location, but they use {' and '.join(currencies)} — name one")
        else:
            fail(LOCATION, "the store has no locations yet — sync the POS first")
    given = _cell(row, CURRENCY).upper()
    if given and currency is not None and given != currency:
        if len(given) == 3 and given.isalpha():
            fail(CURRENCY, f"{given} is not {whose} ({currency})")
        else:
            fail(CURRENCY, f"{_cell(row, CURRENCY)!r} is not a currency code (write {currency})")
    unit_cost = None
    if not _cell(row, UNIT_COST):
        fail(UNIT_COST, "missing")
    else:
        try:
            unit_cost = money(_cell(row, UNIT_COST), currency or "USD", most=HIGHEST_COST)
        except ValueError as exc:
            fail(UNIT_COST, str(exc))
    effective = None
    if not _cell(row, EFFECTIVE_DATE):
        fail(EFFECTIVE_DATE, "missing")
    else:
        try:
            effective = calendar_date(_cell(row, EFFECTIVE_DATE))
        except ValueError as exc:
            fail(EFFECTIVE_DATE, str(exc))
    if len(problems) > before or item is None or currency is None or unit_cost is None or effective is None:
        return None
    return ItemCostRecord("csv", item, location_id, effective, unit_cost, currency)


def parse_item_costs(
    path: str | Path, *, locations: Mapping[str, Place], known_items: set[str]
) -> list[ItemCostRecord]:
    """The item costs in the CSV file at ``path``, in file order. ``locations`` maps each store location's
    name (lower case) and its number as text ("2") to (store location id, currency); ``known_items`` are
    the catalog's item names. Raises CsvImportError with every problem (CsvFileError when the file cannot
    be read at all)."""
    places: LocationNames[Place] = LocationNames(locations)
    table = read_table(path, COLUMNS, what="item costs")
    header = [
        missing_column(column.field, column.aliases[:3])
        for column in (ITEM, UNIT_COST, EFFECTIVE_DATE)
        if column.field not in table.found
    ]
    if header:
        raise CsvImportError(header)
    known = sorted(known_items, key=plain)
    items = {plain(name): name for name in known}
    problems: list[str] = []
    costs: list[ItemCostRecord] = []
    first_line: dict[tuple[str, int | None, date], int] = {}
    for row in table.rows:
        cost = _row_cost(row, places, items, known, problems)
        if cost is None:
            continue
        key = (cost.item, cost.location_id, cost.effective_date)
        if key in first_line:
            where = "every location" if cost.location_id is None else _cell(row, LOCATION)
            what = f"{cost.item} at {where} from {cost.effective_date} is already on line {first_line[key]}"
            problems.append(problem(row.line, ITEM.field, what))
            continue
        first_line[key] = row.line
        costs.append(cost)
    if problems:
        raise CsvImportError(problems)
    return costs


# --- Square catalog vendor costs -------------------------------------------------------------------------


def _variation_cost(variation: Mapping) -> tuple[int, str, date] | None:
    """(amount, currency, date) of a variation's default vendor cost: the first ``vendor_information``
    entry's ``unit_cost_money`` (Square's default vendor), dated by the variation's ``updated_at``."""
    if variation.get("is_deleted"):
        return None
    data = variation.get("item_variation_data") or {}
    for vendor in data.get("vendor_information") or []:
        price = (vendor or {}).get("unit_cost_money") or {}
        amount, currency = price.get("amount"), price.get("currency")
        if isinstance(amount, int) and amount >= 0 and isinstance(currency, str) and currency:
            updated = variation.get("updated_at")
            if not isinstance(updated, str):
                return None
            try:
                day = datetime.fromisoformat(updated.replace("Z", "+00:00")).astimezone(UTC).date()
            except ValueError:
                return None
            return amount, currency.upper(), day
        break  # only the first entry is the default cost
    return None


def vendor_costs_from_catalog(catalog_objects: list[dict]) -> list[ItemCostRecord]:
    """Each catalog item's cost from its variations' default vendor costs (``item_variation_data.
    vendor_information[0].unit_cost_money``, the CatalogItemVariationVendorInformation Square prefills
    purchase orders with), for every location, source "square_catalog".

    Costs here are per menu item, not per variation, and the catalog does not say how the variations sell,
    so an item whose variations cost differently gets the plain mean of those costs (rounded half up): a
    Single at $2.10 and a Double at $3.40 make the burger $2.75. Only costs in the currency of the item's
    first costed variation count. ``effective_date`` is the latest ``updated_at`` date (UTC) among the
    costed variations: the mean is known from then on. Deleted items and variations, and variations without
    a vendor cost, are left out; ``catalog_objects`` may hold ITEM objects (their variations inside) and
    separate ITEM_VARIATION objects (matched to their item by ``item_id``)."""
    names: dict[str, str] = {}
    variations: dict[str, dict[str, Mapping]] = {}  # item id → variation id → variation

    def add(item_id: str | None, variation: Mapping) -> None:
        if item_id:
            variations.setdefault(item_id, {})[str(variation.get("id"))] = variation

    for obj in catalog_objects:
        if not isinstance(obj, Mapping):
            continue
        if obj.get("type") == "ITEM" and not obj.get("is_deleted"):
            data = obj.get("item_data") or {}
            if isinstance(data.get("name"), str) and data["name"].strip():
                names[str(obj.get("id"))] = " ".join(data["name"].split())
            for variation in data.get("variations") or []:
                if isinstance(variation, Mapping):
                    add(str(obj.get("id")), variation)
        elif obj.get("type") == "ITEM_VARIATION":
            add((obj.get("item_variation_data") or {}).get("item_id"), obj)
    records = []
    for item_id, name in names.items():
        costs = [c for v in variations.get(item_id, {}).values() if (c := _variation_cost(v)) is not None]
        if not costs:
            continue
        currency = costs[0][1]
        same = [cost for cost in costs if cost[1] == currency]
        mean = divide_half_up(sum(amount for amount, _c, _d in same), len(same))
        records.append(
            ItemCostRecord("square_catalog", name, None, max(day for *_rest, day in same), mean, currency)
        )
    return records


def distinct_items(records: Iterable[ItemCostRecord]) -> int:
    """How many items ``records`` cost."""
    return len({record.item for record in records})
