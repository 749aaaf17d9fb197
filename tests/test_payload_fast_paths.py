"""The per-payload fast paths give exactly what the plain ways give: the fingerprint equals the BLAKE2b of
``json.dumps`` for any JSON value (it is stored: a changed value would rewrite every store), and the depth
check answers as a plain recursive depth count does, at every limit; a timestamp in the sources' common
form reads as the general steps read it; checking a payload without building the schema's models finds
exactly the errors the models find; the native prefilter accepts only what the checks accept."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from pydantic_core import SchemaValidator, core_schema

from tests.test_hostile_payloads import DELIVERECT, NOW, SQUARE, mutated
from tools.sources.deliverect.schema import DeliverectOrder
from tools.sources.payload_fields import _COMMON_UTC, _NAIVE, _normalized, _utc_moment, payload_hash
from tools.sources.payload_schema import (
    _COMMON_TIMESTAMP,
    _NATIVE,
    _PRINTABLE_TEXT,
    _QUANTITY_TEXT,
    _checker,
    _prefilter,
    nests_deeper_than,
)
from tools.sources.square.schema import SquareOrder

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**30, -(10**30), 2**63, 2**64 + 1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.sampled_from(["é", "日本", "\u2028", "\x00\x1f", '"\\/', "\ud7ff", "😀"]),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=40,
)


def dumps_hash(payload: Any) -> str:
    """The fingerprint as it was first defined, re-serialised with json.dumps."""
    encoded = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.blake2b(encoded, digest_size=16).hexdigest()


def depth(value: Any) -> int:
    """Levels of objects and lists (a scalar is 0), counted the plain recursive way."""
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


@settings(max_examples=400)
@given(st.dictionaries(st.text(max_size=8), JSON, max_size=6))
def test_the_fingerprint_is_the_blake2b_of_json_dumps_for_any_json_object(payload):
    assert payload_hash(payload) == dumps_hash(payload)


def test_the_fingerprint_of_a_known_payload_is_unchanged():
    payload = {"id": "o-1", "amount": 1250, "qty": "2", "rate": 0.5, "name": "Crème brûlée", "tags": [None]}
    assert payload_hash(payload) == "b732ead33f3d13d4ab2c8c08e771326f"


@settings(max_examples=400)
@given(JSON, st.integers(min_value=0, max_value=8))
def test_the_depth_check_agrees_with_a_plain_depth_count(value, limit):
    assert nests_deeper_than(value, limit) is (depth(value) > limit)


def test_the_depth_check_stops_at_the_limit_on_a_very_deep_payload():
    deep: Any = 1
    for _ in range(100_000):
        deep = {"a": [deep]}
    assert nests_deeper_than(deep, 32) is True
    assert nests_deeper_than({"a": [[{"b": 1}]]}, 4) is False
    assert nests_deeper_than({"a": [[{"b": []}]]}, 4) is True


@settings(max_examples=400)
@given(st.from_regex(_COMMON_UTC, fullmatch=True) | st.text(alphabet="0123456789-T:.Zz+ ", max_size=30))
def test_a_common_timestamp_reads_as_the_general_steps_read_it(value):
    general = _normalized(value)
    try:
        expected = datetime.fromisoformat(general)
    except ValueError:
        expected = None
    else:
        expected = _NAIVE if expected.tzinfo is None else expected.astimezone(UTC)
    assert _utc_moment.__wrapped__(value) == expected
    if _COMMON_UTC.fullmatch(value):
        whole, fraction = _COMMON_UTC.fullmatch(value).groups()
        assert general == (f"{whole}.{fraction:0<6}+00:00" if fraction else f"{whole}+00:00")


def test_the_sources_timestamps_read_as_before():
    assert _utc_moment.__wrapped__("2026-08-31T15:03:46.485Z") == datetime(
        2026, 8, 31, 15, 3, 46, 485000, UTC
    )
    assert _utc_moment.__wrapped__("2026-08-31T15:31:12.798000Z") == datetime(
        2026, 8, 31, 15, 31, 12, 798000, UTC
    )
    assert _utc_moment.__wrapped__("2026-08-31T15:31:12Z") == datetime(2026, 8, 31, 15, 31, 12, tzinfo=UTC)
    assert _utc_moment.__wrapped__("2026-02-30T15:31:12Z") is None


def model_errors(validate: Any, payload: Any) -> list[tuple[Any, ...]] | None:
    """Every error of one validation (type, where, message, the value), or None when it passes."""
    try:
        validate(payload, context={"now": NOW})
    except ValidationError as exc:
        return [(e["type"], e["loc"], e["msg"], repr(e.get("input"))) for e in exc.errors()]
    return None


@settings(max_examples=300, deadline=None)
@given(mutated(SQUARE), mutated(DELIVERECT))
def test_checking_without_the_models_finds_exactly_what_the_models_find(square, deliverect):
    for model, (payload, _) in ((SquareOrder, square), (DeliverectOrder, deliverect)):
        assert model_errors(_checker(model).validate_python, payload) == model_errors(
            model.model_validate, payload
        )


def test_checking_without_the_models_refuses_a_wrong_object_as_the_models_do():
    for payload in (
        [],
        {"id": "x"},
        {**SQUARE[0], "source": []},
        {**SQUARE[0], "tenders": [{"tip_money": 5}]},
    ):
        found = model_errors(_checker(SquareOrder).validate_python, payload)
        assert found is not None and found == model_errors(SquareOrder.model_validate, payload)


def field_checks() -> list[tuple[SchemaValidator, SchemaValidator]]:
    """(native counterpart, the check itself) for every field check that has one."""
    pairs = []
    for check, native in _NATIVE.items():
        with_info = check.__code__.co_argcount == 2
        plain = (
            core_schema.with_info_plain_validator_function(check)
            if with_info
            else core_schema.no_info_plain_validator_function(check)
        )
        pairs.append((SchemaValidator(native), SchemaValidator(plain)))
    return pairs


FIELD_CHECKS = field_checks()
FIELD_VALUES = (
    SCALARS
    | st.from_regex(_PRINTABLE_TEXT, fullmatch=False)
    | st.from_regex(_QUANTITY_TEXT, fullmatch=False)
    | st.from_regex(_COMMON_TIMESTAMP, fullmatch=False)
    | st.sampled_from(["1999-12-31T23:59:59.999999Z", "2100-01-01T00:00:00Z", "2100-01-01T00:00:00.000001Z"])
    | st.sampled_from(
        ["2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z", "2023-04-31T00:00:00Z", "0.0000", "1e3"]
    )
)


@settings(max_examples=1500)
@given(FIELD_VALUES)
def test_a_native_field_check_accepts_only_what_the_check_accepts(value):
    # money, signed money, code, quantity, 4 texts, 2 timestamps with their own short text each, flag
    assert len(FIELD_CHECKS) == 13
    for native, check in FIELD_CHECKS:
        if native.isinstance_python(value):
            assert check.isinstance_python(value, context={"now": None}), (value, native)


def test_the_printable_pattern_lets_through_only_printable_characters():
    text = SchemaValidator(core_schema.str_schema(pattern=_PRINTABLE_TEXT))
    passed = [code for code in range(0x110000) if text.isinstance_python(chr(code))]
    assert all(chr(code).isprintable() for code in passed)
    # printable ASCII, Latin-1, Latin Extended-A and -B, 2010–2027 and the euro sign
    assert len(passed) == 95 + 94 + 336 + 24 + 1


def test_every_calendar_day_and_its_edges_read_alike_natively_and_by_the_check():
    native, check = next(
        pair for pair in FIELD_CHECKS if pair[0].isinstance_python("2026-08-31T15:03:46.485Z")
    )
    for year in range(1999, 2101):
        for month in range(1, 13):
            for day in range(1, 32):
                for clock in ("00:00:00Z", "23:59:59.999999Z"):
                    value = f"{year}-{month:02}-{day:02}T{clock}"
                    assert native.isinstance_python(value) is check.isinstance_python(value, context={})


def test_native_lengths_count_characters_as_python_does():
    ids = [pair for pair in FIELD_CHECKS if pair[0].isinstance_python("x" * 200)]
    assert ids and all(native.isinstance_python("é" * 200) for native, _ in ids)
    assert not any(native.isinstance_python("é" * 5001) for native, _ in FIELD_CHECKS)


@settings(max_examples=300, deadline=None)
@given(mutated(SQUARE), mutated(DELIVERECT))
def test_a_payload_the_prefilter_accepts_is_one_the_checks_accept(square, deliverect):
    for model, (payload, _) in ((SquareOrder, square), (DeliverectOrder, deliverect)):
        if _prefilter(model).isinstance_python(payload):
            assert model_errors(_checker(model).validate_python, payload) is None


def test_the_prefilter_accepts_the_demo_orders():
    assert all(_prefilter(SquareOrder).isinstance_python(order) for order in SQUARE)
    assert all(_prefilter(DeliverectOrder).isinstance_python(body) for body in DELIVERECT)
