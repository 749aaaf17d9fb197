"""The demo generator is deterministic and the committed fixtures are its output."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest

from tests.conftest import DEMO_FIXTURES
from tools.data_sources import installed_data_sources
from tools.demo.generator import DemoGenerator, GeneratorParams


def digests(folder):
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_same_parameters_give_identical_files(tmp_path):
    params = GeneratorParams(locations=6, first_day=date(2026, 1, 5), days=3, orders_per_day=20, seed=3)
    DemoGenerator(params).write(tmp_path / "a")
    DemoGenerator(params).write(tmp_path / "b")
    assert digests(tmp_path / "a") == digests(tmp_path / "b")
    locations = json.loads((tmp_path / "a" / "square" / "locations.json").read_text())["locations"]
    assert len({loc["name"] for loc in locations}) == 6


@pytest.mark.slow
def test_committed_demo_fixtures_are_the_generator_output(tmp_path):
    DemoGenerator().write(tmp_path)
    for source in installed_data_sources():  # as `opsbot demo generate` does: the plugins' parts after
        if source.generate_demo is not None:
            source.generate_demo(tmp_path)
    committed = digests(DEMO_FIXTURES)
    assert committed.pop("README.md")
    assert digests(tmp_path) == committed


def test_demo_business_shape():
    business = json.loads((DEMO_FIXTURES / "business.json").read_text())
    locations = json.loads((DEMO_FIXTURES / "square" / "locations.json").read_text())["locations"]
    assert len(locations) == 4
    assert len({loc["timezone"] for loc in locations}) == 2
    catalog = json.loads((DEMO_FIXTURES / "square" / "catalog.json").read_text())["objects"]
    items = [o for o in catalog if o["type"] == "ITEM"]
    assert 28 <= len(items) <= 32
    assert any(len(i["item_data"]["variations"]) > 1 for i in items)
    assert any(o["type"] == "MODIFIER_LIST" for o in catalog)
    first, last = (date.fromisoformat(business["period"][k]) for k in ("first_day", "last_day"))
    assert (last - first).days + 1 >= 56
    size = sum(p.stat().st_size for p in DEMO_FIXTURES.rglob("*") if p.is_file())
    assert size < 20_000_000
