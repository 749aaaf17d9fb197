"""What every declared order schema shares: the limits of a real order, the field types that enforce them,
and ``validate_payload``, which checks a payload against a schema and turns the first problem into one
PayloadError line naming the field (``order 6a95….payment must be an object, got list``).

The limits, chosen well above anything a real restaurant order holds:
- money: 0 to 10**10 minor units (a hundred million in a 2-decimal currency); signed only where the source
  sends negative amounts (Deliverect's ``discountTotal`` and ``discounts[].amount``);
- quantities: above 0, at most 10**5;
- ids up to 200 characters, names up to 500, notes up to 5,000, none with control characters;
- timestamps from 2000-01-01 to 2100-01-01; when the caller has a clock (``now`` in the validation context:
  the webhook and the live syncs, not the fixtures), record times (created, updated, closed) at most
  1 day after ``now`` and scheduled times (pickup, delivery) at most 30 days after it;
- JSON nesting at most 32 levels deep (a real order has fewer than 10).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, PlainValidator, ValidationError, ValidationInfo
from pydantic_core import PydanticCustomError, SchemaValidator, core_schema

from tools.sources.payload_fields import as_int, as_quantity, parse_timestamp
from tools.sources.records import PayloadError

MAX_MONEY = 10**10
MAX_QUANTITY = 10**5
MAX_ID_CHARS = 200
MAX_NAME_CHARS = 500
MAX_NOTE_CHARS = 5_000
MAX_DEPTH = 32
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
RECORD_AHEAD = timedelta(days=1)
SCHEDULE_AHEAD = timedelta(days=30)
MAX_MESSAGE_CHARS = 300

T = TypeVar("T")


# Each field check's native counterpart (pydantic-core, no Python call), which accepts only values the check
# accepts — a subset: what it refuses goes to the check itself. Used without a clock only (see _prefilter).
_NATIVE: dict[Callable[..., Any], core_schema.CoreSchema] = {}
# Characters ``str.isprintable`` accepts on every Unicode version: printable ASCII, Latin-1 without the
# no-break space and the soft hyphen, Latin Extended-A and -B, the dashes, quotes and dots of 2010–2027,
# and the euro sign (the tests check every code point the pattern lets through).
_PRINTABLE_TEXT = r"^[ -~\u00a1-\u00ac\u00ae-\u024f\u2010-\u2027\u20ac]*$"
# Decimal strings ``float`` reads as a number above 0 and at most 10**5.
_QUANTITY_TEXT = r"^(?:[1-9][0-9]{0,4}(?:\.[0-9]{1,12})?|0?\.[0-9]{0,11}[1-9][0-9]{0,11})$"
# The sources' common timestamp form (UTC, ``Z``, at most 6 fraction digits) with every part in range; the
# day of the month is checked by the datetime parse.
_COMMON_TIMESTAMP = (
    r"^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(?:\.[0-9]{1,6})?Z$"
)


def _problem(reason: str) -> PydanticCustomError:
    return PydanticCustomError("payload", "{reason}", {"reason": reason})


def _read(reader: Callable[[Any, str], T], value: Any) -> T:
    """``reader`` (one of payload_fields' readers) with its message turned into a schema error."""
    if value is None:
        raise _problem("is missing")
    try:
        return reader(value, "")
    except PayloadError as exc:
        raise _problem(str(exc).strip()) from None


def _number(reader: Callable[[Any, str], Any], low: int, high: int) -> Callable[[Any], Any]:
    integers = reader is as_int

    def check(value: Any) -> Any:
        if integers and type(value) is int and low <= value <= high:  # the common case, first
            return value
        number = _read(reader, value)
        if not low <= number <= high:
            raise _problem(f"must be between {low} and {high}, got {value!r}")
        return number

    if integers:
        _NATIVE[check] = core_schema.int_schema(strict=True, ge=low, le=high)
    elif reader is as_quantity and low == 0 and high >= 10**5:  # a number, or a decimal string, above 0
        _NATIVE[check] = core_schema.union_schema(
            [
                core_schema.float_schema(strict=True, gt=0, le=high, allow_inf_nan=False),
                core_schema.str_schema(strict=True, pattern=_QUANTITY_TEXT),
            ]
        )
    return check


def _text(limit: int, *, required: bool = False) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value is None:
            raise _problem("is missing")
        if not isinstance(value, str):
            raise _problem(f"must be a string, got {type(value).__name__}")
        if len(value) > limit:
            raise _problem(f"is {len(value)} characters long; the limit is {limit}")
        if required and not value:
            raise _problem("is empty")
        if not value.isprintable():
            raise _problem("holds control characters")
        return value

    _NATIVE[check] = core_schema.str_schema(
        strict=True, max_length=limit, min_length=1 if required else 0, pattern=_PRINTABLE_TEXT
    )
    return check


def _timestamp(ahead: timedelta) -> Callable[[Any, ValidationInfo], str]:
    short_text = _text(64)

    def check(value: Any, info: ValidationInfo) -> str:
        if type(value) is str and 0 < len(value) <= 64 and value.isprintable():  # the common case, first
            moment = _moment_or_none(value)
            if moment is not None:
                now = info.context.get("now") if info.context else None
                if EARLIEST <= moment <= (min(LATEST, now + ahead) if now else LATEST):
                    return value
        return checked(value, info)

    def checked(value: Any, info: ValidationInfo) -> str:
        if value is None:
            raise _problem("is missing")
        if not isinstance(value, str):
            raise _problem(f"must be an RFC 3339 timestamp, got {type(value).__name__}")
        short_text(value)
        if not value:
            return value
        moment = _read(parse_timestamp, value)
        now = (info.context or {}).get("now")
        latest = min(LATEST, now + ahead) if now else LATEST
        if not EARLIEST <= moment <= latest:
            raise _problem(
                f"{value!r} is outside {EARLIEST:%Y-%m-%d} … {latest:%Y-%m-%d %H:%M} UTC"
                + (f" (at most {ahead.days} day(s) after now)" if now else "")
            )
        return value

    # Without a clock (the fixtures): a timestamp in the sources' common form within the fixed window.
    _NATIVE[check] = core_schema.chain_schema(
        [
            core_schema.str_schema(strict=True, pattern=_COMMON_TIMESTAMP),
            core_schema.datetime_schema(ge=EARLIEST, le=LATEST),
        ]
    )
    return check


def _moment_or_none(value: str) -> datetime | None:
    try:
        return parse_timestamp(value, "")
    except PayloadError:
        return None


Money = Annotated[int, PlainValidator(_number(as_int, 0, MAX_MONEY))]
SignedMoney = Annotated[int, PlainValidator(_number(as_int, -MAX_MONEY, MAX_MONEY))]
Code = Annotated[int, PlainValidator(_number(as_int, -(10**6), 10**6))]
Quantity = Annotated[float, PlainValidator(_number(as_quantity, 0, MAX_QUANTITY))]
Id = Annotated[str, PlainValidator(_text(MAX_ID_CHARS))]
RequiredId = Annotated[str, PlainValidator(_text(MAX_ID_CHARS, required=True))]
Name = Annotated[str, PlainValidator(_text(MAX_NAME_CHARS))]
Note = Annotated[str, PlainValidator(_text(MAX_NOTE_CHARS))]
RecordTime = Annotated[str, PlainValidator(_timestamp(RECORD_AHEAD))]
ScheduledTime = Annotated[str, PlainValidator(_timestamp(SCHEDULE_AHEAD))]


def _strict_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _problem(f"must be true or false, got {value!r}")
    return value


_NATIVE[_strict_bool] = core_schema.bool_schema(strict=True)
Flag = Annotated[bool, PlainValidator(_strict_bool)]


def nests_deeper_than(payload: Any, limit: int) -> bool:
    """Whether ``payload`` nests objects and lists more than ``limit`` levels deep (a scalar is 0 levels).
    Looks only at containers and never below ``limit + 1`` levels (the recursion is that deep at most): a
    payload nested 100,000 deep costs no more than one nested ``limit + 1`` deep."""
    return isinstance(payload, _CONTAINERS) and _deeper(payload, limit)


_CONTAINERS = (dict, list)


def _deeper(container: dict[Any, Any] | list[Any], levels: int) -> bool:
    """Whether ``container`` (itself one level) holds containers more than ``levels - 1`` levels below it."""
    if levels <= 0:
        return True
    for child in container.values() if isinstance(container, dict) else container:
        if isinstance(child, _CONTAINERS) and _deeper(child, levels - 1):
            return True
    return False


def order_where(payload: Any, id_key: str) -> str:
    """``order <id>`` when the payload carries a usable id, else ``order`` — the prefix of its messages."""
    order_id = payload.get(id_key) if isinstance(payload, dict) else None
    if isinstance(order_id, str) and 0 < len(order_id) <= MAX_ID_CHARS and order_id.isprintable():
        return f"order {order_id}"
    return "order"


def validate_payload(schema: type[BaseModel], payload: Any, where: str, now: datetime | None = None) -> None:
    """Check ``payload`` against ``schema`` (``now``: the caller's clock, for the timestamp window), or raise
    PayloadError naming the first offending field under ``where``."""
    if not isinstance(payload, dict):
        raise PayloadError(f"{where} must be an object, got {type(payload).__name__}")
    if nests_deeper_than(payload, MAX_DEPTH):
        raise PayloadError(f"{where} nests deeper than {MAX_DEPTH} levels")
    if now is None and _prefilter(schema).isinstance_python(payload):
        return
    try:
        _checker(schema).validate_python(payload, context={"now": now})
    except ValidationError as exc:
        raise PayloadError(_clipped(_one_line(exc.errors()[0], where))) from None


@cache
def _checker(schema: type[BaseModel]) -> SchemaValidator:
    """``schema``'s validation without building its models: the same fields checked by the same validators,
    the same errors, but each object checked as a dict and nothing instantiated (the models are only their
    shape here, never used; building them was a fifth of the validation's time)."""
    return SchemaValidator(_without_models(schema.__pydantic_core_schema__))


@cache
def _prefilter(schema: type[BaseModel]) -> SchemaValidator:
    """``schema``'s checks with each field check replaced by its native counterpart: it accepts only payloads
    the checks accept (so a payload it accepts is valid; one it refuses is checked in full, for the answer
    and the message) and, on the common payload, in half the time. Without a clock only: the timestamp
    window with one is not fixed."""
    return SchemaValidator(_natives(_without_models(schema.__pydantic_core_schema__)))


def _natives(node: Any) -> Any:
    """A copy of a core schema with every field check that has a native counterpart replaced by it."""
    if isinstance(node, list):
        return [_natives(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("type") == "function-plain" and node["function"]["function"] in _NATIVE:
        return _NATIVE[node["function"]["function"]]
    return {key: _natives(value) for key, value in node.items()}


def _without_models(node: Any) -> Any:
    """A copy of a core schema with each model replaced by its fields' schema (which keeps its name)."""
    if isinstance(node, list):
        return [_without_models(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("type") == "model":
        fields = _without_models(node["schema"])
        return {**fields, "ref": node["ref"]} if "ref" in node else fields
    return {key: _without_models(value) for key, value in node.items()}


def _one_line(error: Any, where: str) -> str:
    path = where + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"])
    kind, given = error["type"], error.get("input")
    if kind == "missing" or (kind.endswith("_type") and given is None):
        return f"{path} is missing"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{path} must be an object, got {type(given).__name__}"
    if kind == "list_type":
        return f"{path} must be a list, got {type(given).__name__}"
    if kind == "payload":
        return f"{path} {error['msg']}"
    return f"{path}: {error['msg']}"


def _clipped(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE_CHARS else message[: MAX_MESSAGE_CHARS - 1] + "…"
