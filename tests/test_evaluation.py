"""``opsbot eval``: the bank is valid on the demo, the scorer and the provenance check tell a right answer
from a wrong one, and the whole harness runs through the real SDK against the local fake Messages API."""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import closing
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from opsbot_labor import TOOLS as LABOR
from sqlalchemy import select

from bot.agent.model import Usage
from bot.agent.pricing import cost_microusd
from bot.agent.tables import ModelCall
from bot.evaluation.bank import BankError, load_bank, parse_bank
from bot.evaluation.facts import ExpectedFact, FactError, read_path
from bot.evaluation.rehearsal import scripted_model, write_value
from bot.evaluation.runner import prepare, run_model
from bot.evaluation.scoring import states
from tests.agent_harness import agent_on
from tests.fakes.anthropic_server import VALID_KEY, FakeAnthropic
from tests.fakes.rehearsal_api import rehearsal_responder
from tests.support.cli import opsbot
from tools.analytics.builtin import TOOLS
from tools.store.database import open_store

BANK = load_bank()
DAY = date(2026, 11, 23)  # the committed demo fixtures end on 22 November: the next day, as when just synced


def _numeric(fact: ExpectedFact) -> bool:
    value = fact.value
    return isinstance(value, int | float) or (isinstance(value, str) and value.lstrip("+-").startswith("$"))


@pytest.fixture(scope="module")
def prepared(demo_store):
    engine, _ = demo_store
    agent = agent_on(engine, scripted_model(BANK), today=DAY)
    context = agent.context_factory()
    cases, broken = prepare(BANK, agent.registry, context)
    agent.close()
    return cases, broken


# --- the bank -----------------------------------------------------------------------------------------------


def test_the_bank_covers_every_tool_follow_ups_no_data_and_bad_input():
    tools_called = {spec.tool for case in BANK.cases for turn in case.turns for spec in turn.calls.values()}
    families = {case.family for case in BANK.cases}
    assert len(BANK.cases) >= 60
    assert tools_called == {function.__name__ for function in [*TOOLS, *LABOR]}
    assert {"follow_up", "no_data", "bad_input"} <= families
    assert sum(1 for case in BANK.cases if len(case.turns) >= 2) >= 5
    assert sum(1 for case in BANK.cases for turn in case.turns if turn.refused) >= 4


@pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)
def test_every_case_fits_the_demo_and_its_facts_are_the_tools_values(prepared, demo_store):
    cases, broken = prepared
    agent = agent_on(demo_store[0], scripted_model(BANK), today=DAY)

    def call(tool: str, **arguments) -> dict:
        return agent.registry.call(tool, arguments, agent.context_factory()).content

    assert broken == []
    assert len(cases) == len(BANK.cases)
    by_id = {p.case.id: p for p in cases}
    week = call("sales_report", period="last week", group_by=["location"])
    harbor = next(row for row in week["rows"] if row["location"] == "Location 2 (Harbor)")
    facts = {f.label: f.value for f in by_id["sales-by-location-last-week"].facts[0]}
    assert facts["week.rows[location=Location 2 (Harbor)].net_sales"] == harbor["net_sales"]
    top = call("top_items", period="last Saturday", limit=1)["items"][0]
    assert [f.value for f in by_id["items-top-last-saturday"].facts[0]] == [top["item"], top["units_sold"]]
    agent.close()


def test_bank_errors_name_the_case_and_the_field():
    good_turn = {"ask": "Sales?", "calls": {"day": {"tool": "sales_report"}}, "expect": ["day.totals.orders"]}
    cases = [
        ({"version": 2, "cases": []}, "expected a mapping with 'version: 1'"),
        ({"version": 1, "cases": [{"id": "a", "family": "x"}]}, "cases[0]: missing turns"),
        ({"version": 1, "cases": [{"id": "A b", "family": "x", "turns": [good_turn]}]}, "must be lower-case"),
        (
            {
                "version": 1,
                "cases": [{"id": "a", "family": "x", "turns": [{**good_turn, "expect": ["w.x"]}]}],
            },
            "case 'a' turn 1.expect[0]: unknown call 'w' — this turn's calls: day",
        ),
        (
            {
                "version": 1,
                "cases": [{"id": "a", "family": "x", "turns": [{**good_turn, "refused": ["zz"]}]}],
            },
            "case 'a' turn 1.refused: expected a list of this turn's call names",
        ),
        (
            {"version": 1, "cases": [{"id": "a", "family": "x", "turns": [good_turn]}] * 2},
            "case id 'a' appears twice",
        ),
    ]
    for data, message in cases:
        with pytest.raises(BankError) as caught:
            parse_bank(data, "b.yaml")
        assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_bank_file_that_is_not_yaml_is_one_line(tmp_path):
    path = tmp_path / "bank.yaml"
    path.write_text("cases: [unclosed\n")
    with pytest.raises(BankError, match=r"^.*bank\.yaml: not valid YAML: [^\n]+$"):
        load_bank(path)


def test_paths_read_keys_indexes_and_selectors():
    result = {"rows": [{"location": "A", "net": "$1.00"}, {"location": "B (x.y)", "net": "$2.00"}]}
    assert read_path(result, "rows.1.net") == "$2.00"
    assert read_path(result, "rows[location=B (x.y)].net") == "$2.00"
    for bad in ("rows.2.net", "rows[location=C].net", "nope", "rows..net"):
        with pytest.raises(FactError):
            read_path(result, bad)


# --- scoring ------------------------------------------------------------------------------------------------


def _fact(value) -> ExpectedFact:
    return ExpectedFact("x", value=value)


def test_scoring_reads_numbers_the_way_people_write_them():
    net = _fact("$84,581.27")
    for written in ("$84,581.27", "$84,581", "about $84.6k", "$84.58k"):
        assert states(f"Net sales were {written} last week.", net), written
    for written in ("$85,581", "$84.4k", "84 orders", "$8,458"):
        assert not states(f"Net sales were {written} last week.", net), written
    assert states("Sales fell 8.3% on the week.", _fact(-8.3))
    assert states("Sales fell about 8% on the week.", _fact(-8.3))
    assert not states("Sales fell 9% on the week.", _fact(-8.3))
    assert states("7 orders were canceled.", _fact(7)) and not states("17 orders were canceled.", _fact(7))
    assert states("Harbor led the week.", _fact("Location 2 (Harbor)"))
    assert states("In-store sales were highest.", _fact("in_store"))
    assert states("Your data starts on 14 September 2026.", _fact("2026-09-14"))
    assert states("The data starts on 2026-09-14.", _fact("2026-09-14"))
    assert not states("The data starts on 15 September 2026.", _fact("2026-09-14"))
    assert states("I have NO DATA for that day.", ExpectedFact("m", phrases=("no orders", "no data")))


@given(
    cents=st.integers(min_value=100_00, max_value=9_999_999_99),
    offset=st.integers(min_value=2, max_value=500),
)
def test_any_amount_is_scored_in_every_rehearsal_format_and_a_misstated_one_is_not(cents, offset):
    """Both halves of the scorer, for any amount: each way the rehearsal writes a true amount is found, and an
    amount off by more than its written rounding is not."""
    amount = f"${cents / 100:,.2f}"
    for variant in range(3):
        text = f"- net sales: {write_value(amount, variant, percent=False)}"
        assert states(text, _fact(amount)), text
    wrong = f"${(cents + offset * 100) / 100:,.2f}"
    assert not states(f"- net sales: {wrong}", _fact(amount))


# --- the harness in-process ---------------------------------------------------------------------------------


@pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)
def test_the_scripted_model_gets_every_case_right_and_its_figures_all_trace(demo_store, prepared):
    engine, _ = demo_store
    cases, _ = prepared
    agent = agent_on(engine, scripted_model(BANK), today=DAY)
    try:
        run = run_model(agent, "scripted", cases, today=DAY)
    finally:
        agent.close()
    assert len(run.outcomes) == sum(len(case.turns) for case in BANK.cases)
    assert [o.case_id for o in run.outcomes if not o.correct] == []
    assert [(o.case_id, o.unmatched) for o in run.outcomes if o.provenance_clean is not True] == []
    assert all(o.provenance_checked >= 1 for o in run.outcomes if o.family not in ("business", "bad_input"))


@pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)
def test_a_wrong_answer_is_scored_wrong_and_flagged_by_the_provenance_check(demo_store, prepared):
    engine, _ = demo_store
    cases, _ = prepared
    agent = agent_on(engine, scripted_model(BANK, wrong=True), today=DAY)
    try:
        run = run_model(agent, "scripted-wrong", cases, today=DAY)
    finally:
        agent.close()
    facts = {(p.case.id, n): turn_facts for p in cases for n, turn_facts in enumerate(p.facts, 1)}
    for outcome in run.outcomes:
        numeric = [f for f in facts[(outcome.case_id, outcome.turn)] if _numeric(f)]
        if numeric:
            assert not outcome.correct and outcome.missing[0] == numeric[0].label, outcome
            assert outcome.provenance_clean is False and len(outcome.unmatched) == 1, outcome
        else:
            assert outcome.correct and outcome.provenance_clean is not False, outcome


# --- the command, through the real SDK and the fake Messages API --------------------------------------------


@pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)
def test_opsbot_eval_through_the_sdk_prints_models_side_by_side_and_writes_the_report(
    demo_store, prepared, tmp_path
):
    engine, _ = demo_store
    cases, _ = prepared
    good, bad = "claude-haiku-4-5", "claude-sonnet-4-6"
    wrong_turns = sum(1 for p in cases for turn in p.facts if any(_numeric(f) for f in turn))
    turns = sum(len(p.facts) for p in cases)
    wrong_cases = sum(1 for p in cases if any(_numeric(f) for turn in p.facts for f in turn))
    report = tmp_path / "report"
    copy = tmp_path / "store.db"  # the eval's conversations stay out of the shared demo store
    with closing(sqlite3.connect(engine.url.database)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)  # SQLite's own copy: a plain file copy would drop the store's locks
    store = open_store(f"sqlite:///{copy}")
    with FakeAnthropic(rehearsal_responder(BANK, wrong=[bad])) as api:
        env = {
            "DATABASE_URL": f"sqlite:///{copy}",
            "ANTHROPIC_API_KEY": VALID_KEY,
            "ANTHROPIC_BASE_URL": api.url,
        }
        result = opsbot(
            "eval", "--model", good, "--model", bad, "--today", DAY.isoformat(),
            "--report", str(report), cwd=tmp_path, env=env, timeout=600,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = {}
    for line in result.stdout.splitlines():
        cells = re.split(r" {2,}", line.strip())
        lines.update({"": cells} if line.startswith(" ") else {cells[0]: cells[1:]})
    n = len(cases)
    assert lines[""] == [good, bad]
    assert lines["cases correct"] == [
        f"{n}/{n} (100%)",
        f"{n - wrong_cases}/{n} ({100 * (n - wrong_cases) / n:.0f}%)",
    ]
    assert lines["false alarms"][0] == f"0/{turns} (0%)"
    assert lines["wrong flagged"] == ["—", f"{wrong_turns}/{wrong_turns} (100%)"]
    assert lines["model calls/q"] == ["2.00", "2.00"]

    data = json.loads((report / "report.json").read_text())
    assert [m["summary"]["model"] for m in data["models"]] == [good, bad]
    first = data["models"][0]
    assert first["summary"]["cases_correct"] == n and first["summary"]["false_alarms"] == 0
    assert all(q["usage"]["cache_read_tokens"] > 0 for q in first["questions"])
    for model in data["models"]:
        conversations = {q["conversation_id"] for q in model["questions"]}
        columns = (ModelCall.model, ModelCall.input_tokens, ModelCall.output_tokens)
        columns += (ModelCall.cache_write_tokens, ModelCall.cache_read_tokens)
        with store.connect() as conn:
            rows = conn.execute(select(*columns).where(ModelCall.conversation_id.in_(conversations))).all()
        priced = [cost_microusd(name, Usage(*tokens)) for name, *tokens in rows]
        assert len(priced) == 2 * turns and None not in priced
        assert sum(q["cost_microusd"] for q in model["questions"]) == sum(priced)
        assert model["summary"]["total_cost_usd"] == pytest.approx(sum(priced) / 1e6)
    markdown = (report / "report.md").read_text()
    assert markdown.startswith("# opsbot evaluation\n")
    assert f"| cases correct | {n}/{n} (100%) |" in markdown
    assert re.search(rf"\*\*{bad}\*\* `sales-yesterday` turn 1 .* missing day\.totals\.net_sales", markdown)
    assert len(api.answered) == 2 * 2 * turns
    store.dispose()


def test_opsbot_eval_without_a_key_rehearses_and_names_a_bad_argument(tmp_path):
    bad = opsbot("eval", "--case", "no-such-case", cwd=tmp_path)
    assert bad.returncode == 2
    assert bad.stderr.startswith("opsbot eval: unknown case no-such-case — known: ")
    assert bad.stderr.count("\n") == 1
    bad_day = opsbot("eval", "--today", "2026-02-30", cwd=tmp_path)
    assert bad_day.returncode == 2 and bad_day.stderr == (
        "opsbot eval: --today must be a date YYYY-MM-DD, got '2026-02-30'\n"
    )
