"""Small, strict readers for JSON payload fields that raise PayloadError naming the field."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from tools.sources.records import PayloadError


def require(obj: dict[str, Any], key: str, where: str) -> Any:
    """Return ``obj[key]`` or raise PayloadError naming ``where.key``."""
    if not isinstance(obj, dict):
        raise PayloadError(f"{where}: expected an object, got {type(obj).__name__}")
    if key not in obj or obj[key] is None:
        raise PayloadError(f"{where}.{key} is missing")
    return obj[key]


def as_int(value: Any, where: str) -> int:
    """An integer amount; bools and non-integral numbers are rejected."""
    if type(value) is int:  # the common case, first
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PayloadError(f"{where} must be an integer, got {value!r}")
    try:
        number = float(value) if isinstance(value, str) else value
    except ValueError as exc:
        raise PayloadError(f"{where} must be an integer, got {value!r}") from exc
    if isinstance(number, float):
        if not number.is_integer():
            raise PayloadError(f"{where} must be an integer, got {value!r}")
        number = int(number)
    return number


def as_quantity(value: Any, where: str) -> float:
    """A quantity (Square sends decimal strings such as ``"2"`` or ``"0.5"``); must be positive."""
    if isinstance(value, bool):
        raise PayloadError(f"{where} must be a number, got {value!r}")
    try:
        quantity = float(value)
    except (TypeError, ValueError) as exc:
        raise PayloadError(f"{where} must be a number, got {value!r}") from exc
    if not quantity > 0:
        raise PayloadError(f"{where} must be positive, got {value!r}")
    return quantity


def parse_timestamp(value: Any, where: str) -> datetime:
    """An RFC 3339 timestamp (``Z`` or offset, any fraction digits) as an aware UTC datetime."""
    if not isinstance(value, str) or not value:
        raise PayloadError(f"{where} must be an RFC 3339 timestamp, got {value!r}")
    moment = _utc_moment(value)
    if moment is _NAIVE:
        raise PayloadError(f"{where} has no timezone offset: {value!r}")
    if moment is None:
        raise PayloadError(f"{where} must be an RFC 3339 timestamp, got {value!r}")
    return moment


_NAIVE = datetime.min  # what _utc_moment answers for a timestamp without an offset


@lru_cache(maxsize=16_384)
def _utc_moment(value: str) -> datetime | None:
    """``value`` as an aware UTC datetime; ``_NAIVE`` without an offset, None when it is not a timestamp.
    Cached: an order's timestamps are read twice (its schema, then its parser), and repeat within it."""
    common = _COMMON_UTC.fullmatch(value)
    if common:  # what the general steps below make of it, without them
        whole, fraction = common.groups()
        text = f"{whole}.{fraction:0<6}+00:00" if fraction else f"{whole}+00:00"
    else:
        text = _normalized(value)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return _NAIVE
    return moment.astimezone(UTC)


# How Square and Deliverect write their timestamps: UTC, ``Z``, a fraction of at most 6 digits or none.
_COMMON_UTC = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(?:\.([0-9]{1,6}))?Z")


def _normalized(value: str) -> str:
    """``value`` in the form ``datetime.fromisoformat`` reads: no surrounding space, ``Z`` as ``+00:00``, the
    fraction of a second in 6 digits."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # Python < 3.11 style fractions are fine on 3.11+, but more than 6 digits are not.
    if "." in text:
        head, _, rest = text.partition(".")
        digits = ""
        while rest and rest[0].isdigit():
            digits, rest = digits + rest[0], rest[1:]
        text = f"{head}.{(digits + '000000')[:6]}{rest}"
    return text


def optional_timestamp(value: Any, where: str) -> datetime | None:
    """Like parse_timestamp, but None or an empty string give None."""
    if value is None or value == "":
        return None
    return parse_timestamp(value, where)


# The fingerprint's encoding (stored: it must never change): compact separators, non-ASCII as is. Built once;
# no check for circular references, since a payload is a tree (decoded JSON, refused by its schema before
# it is fingerprinted when it nests deeper than 32 levels) — the same text json.dumps gives, a fifth faster.
_FINGERPRINT_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False)


def payload_hash(payload: dict[str, Any]) -> str:
    """A stable fingerprint of a payload, used to tell unchanged re-deliveries from updates: the BLAKE2b
    digest (16 bytes) of ``json.dumps(payload, separators=(",", ":"), ensure_ascii=False)`` in UTF-8."""
    return hashlib.blake2b(_FINGERPRINT_JSON.encode(payload).encode(), digest_size=16).hexdigest()
