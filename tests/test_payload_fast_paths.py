"""The per-payload fast paths give exactly what the plain ways give: the fingerprint equals the BLAKE2b of
``json.dumps`` for any JSON value (it is stored: a changed value would rewrite every store), and the depth
check answers as a plain recursive depth count does, at every limit."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tools.sources.payload_fields import payload_hash
from tools.sources.payload_schema import nests_deeper_than

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
