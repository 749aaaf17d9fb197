"""``opsbot`` with questions piped on stdin: plain text out, one conversation, and the demo loaded on the
first run of a fresh directory."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from tests.conftest import DEMO_FIXTURES
from tests.fakes.anthropic_server import VALID_KEY, FakeAnthropic
from tests.fixture_oracle import dollars, expected_from_fixtures
from tests.support.cli import opsbot
from tests.test_repl_terminal import QUESTION, analyst

SATURDAY = date(2026, 11, 21)
ESCAPE = "\x1b"


@pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)
def test_piped_questions_get_plain_answers_in_one_conversation(demo_store, tmp_path):
    engine, _ = demo_store
    url = engine.url.render_as_string(hide_password=False)
    days = expected_from_fixtures(DEMO_FIXTURES).days
    net = {name: totals.net for (name, day), totals in days.items() if day == SATURDAY}
    rows = "\n".join(
        f"| Location {n} ({name}) | {dollars(net[name])} |"
        for n, name in enumerate(["Downtown", "Harbor", "Uptown", "Sunset"], 1)
    )
    first_answer = (
        f"**Total: {dollars(sum(net.values()))}** on 2026-11-21.\n\n"
        f"| Location | Net sales |\n|---|---|\n{rows}\n\n- from the POS and delivery orders"
    )
    with FakeAnthropic(analyst) as api:
        env = {"DATABASE_URL": url, "ANTHROPIC_API_KEY": VALID_KEY, "ANTHROPIC_BASE_URL": api.url}
        result = opsbot("repl", cwd=tmp_path, env=env, input=f"{QUESTION}\n\n# a comment\nAnd Harbor?\n")
    assert result.returncode == 0, result.stderr
    # The model's text as it is (Markdown), one blank line between answers, nothing else on stdout.
    assert result.stdout == f"{first_answer}\n\nHarbor: **{dollars(net['Harbor'])}**.\n"
    assert ESCAPE not in result.stdout and ESCAPE not in result.stderr
    # Each answer's sources line (tests/test_answer_sources.py checks it exactly), then the conversation.
    assert re.fullmatch(
        r"Sources: sales_report [^\n]*\nSources: no tool used\nconversation: c-[0-9a-f]{10}\n", result.stderr
    )
    assert len(api.answered) == 3 and len(api.answered[-1].body["messages"]) == 5


def test_first_run_loads_the_demo_then_piped_commands_run_without_a_key(tmp_path, small_fixtures):
    env = {"OPSBOT_FIXTURES_DIR": str(small_fixtures), "OPSBOT_DEMO_ANCHOR": "false"}
    script = "/call sales_report start_date=2026-11-02 end_date=2026-11-08\nHow was last week?\n/nonsense\n"
    result = opsbot(cwd=tmp_path, env=env, input=script)
    assert result.returncode == 1  # a question could not be answered, and a command was unknown
    assert result.stderr.startswith("First run: loading the demo business — Copperline Kitchen")
    assert "Done in" in result.stderr
    report = json.loads(result.stdout)  # stdout holds the tool's JSON and nothing else
    assert report["period"]["start"] == "2026-11-02" and report["totals"]["orders"] > 0
    assert "opsbot: ANTHROPIC_API_KEY is not set" in result.stderr
    assert "error: unknown command /nonsense — /help lists them" in result.stderr
    assert "Traceback" not in result.stderr

    again = opsbot("repl", cwd=tmp_path, env=env, input="/call business_info\n/quit\nnever read\n")
    assert again.returncode == 0, again.stderr
    assert "First run" not in again.stderr
    assert json.loads(again.stdout)["business"] == "Copperline Kitchen"
