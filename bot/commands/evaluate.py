"""``opsbot eval``: run the evaluation bank through the real agent, per model, and report the scores."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

from bot.agent.model import ModelError
from bot.application import Application
from bot.commands.progress import progress_bar
from bot.commands.sync import sync_fixture_folder
from bot.evaluation.bank import BankError, load_bank
from bot.evaluation.rehearsal import scripted_model
from bot.evaluation.report import RunInfo, render_table, summarize, write_reports
from bot.evaluation.runner import ModelRun, Progress, TurnOutcome, prepare, run_model

SCRIPTED = ("scripted", "scripted-wrong")


def _question_line(model: str, outcome: TurnOutcome) -> None:
    mark = (
        "ok"
        if outcome.correct
        else "MISSED " + ", ".join(outcome.missing)
        if outcome.missing
        else outcome.status
    )
    flag = f" · untraced: {', '.join(outcome.unmatched)}" if outcome.unmatched else ""
    print(
        f"  {model} · {outcome.case_id} #{outcome.turn} · {outcome.seconds:.2f} s · {mark}{flag}",
        file=sys.stderr,
    )


def _reporter(verbose: bool, questions: int) -> Progress | None:
    """A line per question (``--verbose``), else a progress bar per model on a terminal, else nothing."""
    if verbose:
        return _question_line
    bar = progress_bar()
    if bar is None:
        return None
    done: Counter[str] = Counter()

    def show(model: str, _outcome: TurnOutcome) -> None:
        done[model] += 1
        bar(model[:20], done[model] / questions)

    return show


def _models(app: Application, wanted: list[str] | None) -> list[str]:
    if wanted:
        return wanted
    if app.settings.model.api_key:
        return [app.settings.model.name]
    print(
        "opsbot eval: no ANTHROPIC_API_KEY, so rehearsing with the scripted model (it answers from the tool "
        "results); set a key and pass --model to evaluate real models.",
        file=sys.stderr,
    )
    return ["scripted"]


def cmd_eval(app: Application, args: argparse.Namespace) -> int:
    """Run the bank per model, print the per-model table, write the Markdown and JSON report."""
    try:
        bank = load_bank(args.bank).select(args.case, args.family)
    except BankError as exc:
        print(f"opsbot eval: {exc}", file=sys.stderr)
        return 2
    try:
        day = date.fromisoformat(args.today) if args.today else None
    except ValueError:
        print(f"opsbot eval: --today must be a date YYYY-MM-DD, got {args.today!r}", file=sys.stderr)
        return 2
    if not app.summary().locations:
        if app.settings.sources.configured:
            print("opsbot eval: the store is empty — run `opsbot sync` first", file=sys.stderr)
            return 1
        print("The store is empty: loading the demo business the bank is written for.", file=sys.stderr)
        if sync_fixture_folder(app, None, out=sys.stderr) != 0:
            return 1
    context = app.tool_context(day)
    today = context.today
    models = _models(app, args.model)
    anthropic_agent = None
    if any(m not in SCRIPTED for m in models):
        from bot.agent.anthropic_model import AnthropicModel  # the SDK import is slow: only when used

        try:
            anthropic_agent = app.agent_with(AnthropicModel(app.settings.model), lambda: today)
        except ModelError as error:
            print(f"opsbot eval: {error.user_message}", file=sys.stderr)
            return 2
    started = datetime.now(UTC)
    cases, broken = prepare(bank, app.registry, context)
    for case in broken:
        print(f"opsbot eval: case {case.case_id} does not fit this store: {case.reason}", file=sys.stderr)
    print(
        f"Evaluating {len(cases)} case(s) on {today.isoformat()} with {', '.join(models)}…", file=sys.stderr
    )
    runs: list[ModelRun] = []
    progress = _reporter(args.verbose, args.repeat * sum(len(p.case.turns) for p in cases))
    for model in models:
        if model in SCRIPTED:
            agent = app.agent_with(scripted_model(bank, wrong=model == "scripted-wrong"), lambda: today)
        else:
            agent = anthropic_agent
        assert agent is not None
        try:
            runs.append(
                run_model(
                    agent,
                    model,
                    cases,
                    today=today,
                    repeat=args.repeat,
                    on_outcome=progress,
                )
            )
        finally:
            if agent is not anthropic_agent:
                agent.close()
    if anthropic_agent is not None:
        anthropic_agent.close()
    summaries = [summarize(run) for run in runs]
    print(render_table(summaries))
    directory = (
        Path(args.report)
        if args.report
        else app.settings.data_dir / "eval" / started.strftime("%Y%m%d-%H%M%S")
    )
    info = RunInfo(bank.path, app.store.url.render_as_string(hide_password=True), today, started, args.repeat)
    paths = write_reports(directory, info, runs, broken)
    print(f"Report: {', '.join(str(p) for p in paths)}", file=sys.stderr)
    if args.fail_under is not None and any(100 * s.accuracy < args.fail_under for s in summaries):
        return 1
    return 0


def _repeat(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 100:
        raise argparse.ArgumentTypeError("--repeat must be between 1 and 100")
    return value


def add_parser(sub) -> None:
    """Register ``eval`` on the ``opsbot`` sub-command parser."""
    parser = sub.add_parser("eval", help="score the agent's answers on the evaluation bank, per model")
    parser.add_argument("--bank", metavar="FILE", help="a YAML bank (default: the bank shipped with opsbot)")
    parser.add_argument(
        "--model",
        action="append",
        metavar="M",
        help="a model to evaluate (repeat for several); 'scripted' / 'scripted-wrong' rehearse offline "
        "(default: OPSBOT_MODEL with a key, else scripted)",
    )
    parser.add_argument("--repeat", type=_repeat, default=1, metavar="N", help="run every case N times")
    parser.add_argument("--report", metavar="DIR", help="where to write report.md and report.json")
    parser.add_argument("--case", action="append", metavar="ID", help="only this case (repeatable)")
    parser.add_argument("--family", action="append", metavar="F", help="only cases of this family")
    parser.add_argument("--today", help="the business day to evaluate on (YYYY-MM-DD; default: today)")
    parser.add_argument(
        "--fail-under",
        type=float,
        metavar="PCT",
        help="exit 1 when a model gets fewer cases right than PCT %%",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="a line per question while it runs")
    parser.set_defaults(handler=cmd_eval)
