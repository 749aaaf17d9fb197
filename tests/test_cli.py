"""The `opsbot` command as a user runs it: sync, status, errors."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import opsbot

REPO = Path(__file__).resolve().parents[1]


def test_sync_then_resync_then_status(tmp_path, small_fixtures):
    env = {"PYTHONPATH": str(REPO), "OPSBOT_FIXTURES_DIR": str(small_fixtures), "OPSBOT_DEMO_ANCHOR": "false"}
    first = opsbot("sync", cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    assert "square orders" in first.stdout and "Done in" in first.stdout
    assert (tmp_path / ".opsbot" / "opsbot.db").is_file()
    second = opsbot("sync", cwd=tmp_path, env=env)
    assert second.returncode == 0, second.stderr
    assert second.stdout.rstrip().endswith("Nothing new.")
    status = opsbot("status", cwd=tmp_path, env=env)
    assert status.returncode == 0, status.stderr
    assert "Business: Copperline Kitchen" in status.stdout
    assert "Location 4: Sunset" in status.stdout and "America/Los_Angeles" in status.stdout


def test_a_malformed_record_is_named_and_the_rest_is_stored(tmp_path, small_fixtures):
    broken = tmp_path / "broken"
    subprocess.run(["cp", "-r", str(small_fixtures), str(broken)], check=True)
    path = broken / "deliverect" / "orders.jsonl.gz"
    with gzip.open(path, "rt") as handle:
        lines = handle.read().splitlines()
    body = json.loads(lines[1])
    del body["items"][0]["quantity"]
    lines[1] = json.dumps(body)
    lines[2] = "{not json"
    with gzip.open(path, "wt") as handle:
        handle.write("\n".join(lines) + "\n")
    env = {"PYTHONPATH": str(REPO), "OPSBOT_DEMO_ANCHOR": "false"}
    result = opsbot("sync", "--fixtures", str(broken), cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert "2 record(s) were not stored" in result.stderr
    assert f"{path} line 2: order {body['_id']}.items[0].quantity is missing" in result.stderr
    assert f"{path} line 3: not valid JSON" in result.stderr
    status = opsbot("status", cwd=tmp_path, env=env)
    assert "Location 1: Downtown" in status.stdout


def test_bad_configuration_is_one_clear_line(tmp_path):
    result = opsbot("status", cwd=tmp_path, env={"PYTHONPATH": str(REPO), "OPSBOT_DEMO_ANCHOR": "sometimes"})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "opsbot: configuration error: "
        "OPSBOT_DEMO_ANCHOR='sometimes' is not a yes/no value — use true or false"
    )


def test_an_unreachable_database_is_one_clear_line(tmp_path):
    env = {"PYTHONPATH": str(REPO), "DATABASE_URL": "mysql://nowhere/db"}
    result = opsbot("status", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert "unsupported DATABASE_URL backend 'mysql'" in result.stderr
    assert "Traceback" not in result.stderr


def test_tools_lists_the_builtin_tools_and_call_runs_one(tmp_path, small_fixtures):
    env = {"PYTHONPATH": str(REPO), "OPSBOT_FIXTURES_DIR": str(small_fixtures), "OPSBOT_DEMO_ANCHOR": "false"}
    assert opsbot("sync", cwd=tmp_path, env=env).returncode == 0
    listing = opsbot("tools", cwd=tmp_path, env=env)
    assert listing.returncode == 0, listing.stderr
    assert "sales_report  [builtin]" in listing.stdout and "top_items  [builtin]" in listing.stdout
    schemas = json.loads(opsbot("tools", "--json", cwd=tmp_path, env=env).stdout)
    assert {"name", "description", "input_schema"} <= set(schemas[0])
    # The small business runs Monday 2 – Sunday 8 November 2026.
    result = opsbot(
        "call",
        "sales_report",
        "period=last week",
        "group_by=location",
        "--today",
        "2026-11-10",
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["period"]["start"] == "2026-11-02" and report["period"]["end"] == "2026-11-08"
    assert [row["location"] for row in report["rows"]] == [
        "Location 1 (Downtown)",
        "Location 2 (Harbor)",
        "Location 3 (Uptown)",
        "Location 4 (Sunset)",
    ]
    assert sum(row["orders"] for row in report["rows"]) == report["totals"]["orders"] > 0
    failed = opsbot("call", "sales_report", "locations=Nowhere", cwd=tmp_path, env=env)
    assert failed.returncode == 1
    assert failed.stderr.startswith("error: unknown location 'Nowhere' — known: 1 Downtown, 2 Harbor")


@pytest.mark.parametrize("today", ["tomorrow", "2026-02-30", "0001-01-01", ""])
def test_call_with_a_today_that_is_not_a_date_is_one_line_and_exit_2(tmp_path, small_fixtures, today):
    env = {"PYTHONPATH": str(REPO), "OPSBOT_FIXTURES_DIR": str(small_fixtures), "OPSBOT_DEMO_ANCHOR": "false"}
    result = opsbot("call", "sales_report", f"--today={today}", cwd=tmp_path, env=env)
    assert (result.returncode, result.stderr) == (
        2,
        f"opsbot: --today must be a date YYYY-MM-DD between 2000-01-01 and 2099-12-31, got {today!r}\n",
    )
