"""The evaluation's figures per model — accuracy, provenance, tool and model calls, latency, tokens, cost —
as a terminal table, a Markdown report and a JSON report."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

from bot.evaluation.runner import BrokenCase, ModelRun, TurnOutcome


@dataclass(frozen=True)
class ModelSummary:
    """One model's scores over the bank (per question = per turn)."""

    model: str
    cases: int
    cases_correct: int
    questions: int
    facts: int
    facts_found: int
    answered: int
    provenance_clean: int
    false_alarms: int  # answers scored correct whose figures the provenance check could not all trace
    correct_answers: int
    wrong_flagged: int  # answers scored wrong that the provenance check flagged too
    wrong_answers: int
    tool_calls_per_question: float
    model_calls_per_question: float
    p50_seconds: float
    p95_seconds: float
    input_tokens_per_question: float
    cache_write_tokens_per_question: float
    cache_read_tokens_per_question: float
    output_tokens_per_question: float
    cost_per_question_usd: float | None
    total_cost_usd: float | None

    @property
    def accuracy(self) -> float:
        return self.cases_correct / self.cases if self.cases else 0.0


def _percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` 0.5 = median) of ``values``; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


def summarize(run: ModelRun) -> ModelSummary:
    """The figures of one model's run."""
    outcomes = run.outcomes
    questions = len(outcomes) or 1
    cases = run.case_results()
    costs = [o.cost_microusd for o in outcomes]
    total_cost = None if any(c is None for c in costs) else sum(c for c in costs if c is not None) / 1e6
    checked = [o for o in outcomes if o.provenance_clean is not None]
    correct = [o for o in outcomes if o.correct]
    wrong = [o for o in outcomes if not o.correct]

    def mean(values: list[float]) -> float:
        return sum(values) / questions

    return ModelSummary(
        model=run.model,
        cases=len(cases),
        cases_correct=sum(cases.values()),
        questions=len(outcomes),
        facts=sum(len(o.found) + len(o.missing) for o in outcomes),
        facts_found=sum(len(o.found) for o in outcomes),
        answered=len(checked),
        provenance_clean=sum(1 for o in checked if o.provenance_clean),
        false_alarms=sum(1 for o in correct if o.provenance_clean is False),
        correct_answers=len(correct),
        wrong_flagged=sum(1 for o in wrong if o.provenance_clean is False),
        wrong_answers=len(wrong),
        tool_calls_per_question=mean([o.tool_calls for o in outcomes]),
        model_calls_per_question=mean([o.model_calls for o in outcomes]),
        p50_seconds=_percentile([o.seconds for o in outcomes], 0.5),
        p95_seconds=_percentile([o.seconds for o in outcomes], 0.95),
        input_tokens_per_question=mean([o.usage.input_tokens for o in outcomes]),
        cache_write_tokens_per_question=mean([o.usage.cache_write_tokens for o in outcomes]),
        cache_read_tokens_per_question=mean([o.usage.cache_read_tokens for o in outcomes]),
        output_tokens_per_question=mean([o.usage.output_tokens for o in outcomes]),
        cost_per_question_usd=None if total_cost is None else total_cost / questions,
        total_cost_usd=total_cost,
    )


def _usd(value: float | None) -> str:
    """Dollars to four places, or six below a cent (a question on a small model costs fractions of one)."""
    if value is None:
        return "—"
    return f"${value:,.{4 if abs(value) >= 0.01 or value == 0 else 6}f}"


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "—"


_COLUMNS = (
    ("model", lambda s: s.model),
    ("cases correct", lambda s: _share(s.cases_correct, s.cases)),
    ("facts found", lambda s: _share(s.facts_found, s.facts)),
    ("provenance clean", lambda s: _share(s.provenance_clean, s.answered)),
    ("false alarms", lambda s: _share(s.false_alarms, s.correct_answers)),
    ("wrong flagged", lambda s: _share(s.wrong_flagged, s.wrong_answers)),
    ("tools/q", lambda s: f"{s.tool_calls_per_question:.2f}"),
    ("model calls/q", lambda s: f"{s.model_calls_per_question:.2f}"),
    ("p50", lambda s: f"{s.p50_seconds:.2f} s"),
    ("p95", lambda s: f"{s.p95_seconds:.2f} s"),
    ("input/q", lambda s: f"{s.input_tokens_per_question:,.0f}"),
    ("cache write/q", lambda s: f"{s.cache_write_tokens_per_question:,.0f}"),
    ("cache read/q", lambda s: f"{s.cache_read_tokens_per_question:,.0f}"),
    ("output/q", lambda s: f"{s.output_tokens_per_question:,.0f}"),
    ("cost/q", lambda s: _usd(s.cost_per_question_usd)),
    ("total cost", lambda s: _usd(s.total_cost_usd)),
)


def summary_rows(summaries: list[ModelSummary]) -> list[list[str]]:
    """The models side by side: a header row of model names, then one row per measure."""
    return [["", *(s.model for s in summaries)]] + [
        [name, *(cell(s) for s in summaries)] for name, cell in _COLUMNS[1:]
    ]


def render_table(summaries: list[ModelSummary]) -> str:
    """The per-model table for a terminal: a measure per line, a model per column."""
    rows = summary_rows(summaries)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    )


def _markdown_table(rows: list[list[str]]) -> list[str]:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    return [line(rows[0]), "|" + "---|" * len(rows[0])] + [line(row) for row in rows[1:]]


@dataclass(frozen=True)
class RunInfo:
    """What the run was: which bank, store and day, when, how many repeats."""

    bank: str
    store: str
    today: date
    started_at: datetime
    repeat: int


def render_markdown(info: RunInfo, runs: list[ModelRun], broken: list[BrokenCase]) -> str:
    """The whole report: the per-model table, each case's result per model, what was missed."""
    summaries = [summarize(run) for run in runs]
    lines = [
        "# opsbot evaluation",
        "",
        f"- bank: `{info.bank}` · store: `{info.store}` · business day: {info.today.isoformat()}",
        f"- run at {info.started_at:%Y-%m-%d %H:%M UTC} · repeats: {info.repeat}",
        "- *cases correct*: every fact of every turn stated; *false alarms*: correct answers the provenance "
        "check flagged; *wrong flagged*: wrong answers it flagged too.",
        "",
        *_markdown_table(summary_rows(summaries)),
        "",
        "## Cases",
        "",
    ]
    case_rows = [["case", "family", *[run.model for run in runs]]]
    order: dict[str, str] = {}
    for run in runs:
        for outcome in run.outcomes:
            order.setdefault(outcome.case_id, outcome.family)
    for case_id, family in order.items():
        cells = []
        for run in runs:
            results = [v for (cid, _), v in run.case_results().items() if cid == case_id]
            cells.append(f"{sum(results)}/{len(results)}" if results else "—")
        case_rows.append([case_id, family, *cells])
    lines += _markdown_table(case_rows)
    misses = [
        (run.model, o) for run in runs for o in run.outcomes if not o.correct or o.provenance_clean is False
    ]
    if misses:
        lines += ["", "## Misses and provenance flags", ""]
        for model, outcome in misses:
            lines.append(_miss_line(model, outcome))
    if broken:
        lines += ["", "## Cases that do not fit this store", ""]
        lines += [f"- `{b.case_id}`: {b.reason}" for b in broken]
    return "\n".join(lines) + "\n"


def _miss_line(model: str, outcome: TurnOutcome) -> str:
    parts = [
        f"- **{model}** `{outcome.case_id}` turn {outcome.turn} (run {outcome.repeat}, {outcome.status})"
    ]
    if outcome.missing:
        parts.append(f"missing {', '.join(outcome.missing)}")
    if outcome.unmatched:
        parts.append(f"untraced figures {', '.join(outcome.unmatched)}")
    parts.append(f"conversation `{outcome.conversation_id}`")
    return " · ".join(parts)


def report_json(info: RunInfo, runs: list[ModelRun], broken: list[BrokenCase]) -> dict:
    """The whole report as JSON-ready data: the run, each model's summary and every question's outcome."""
    return {
        "bank": info.bank,
        "store": info.store,
        "today": info.today.isoformat(),
        "started_at": info.started_at.isoformat(),
        "repeat": info.repeat,
        "models": [
            {
                "summary": {**asdict(summarize(run)), "accuracy": summarize(run).accuracy},
                "questions": [
                    {
                        **asdict(o),
                        "usage": asdict(o.usage),
                        "correct": o.correct,
                        "provenance_clean": o.provenance_clean,
                    }
                    for o in run.outcomes
                ],
            }
            for run in runs
        ],
        "broken_cases": [asdict(b) for b in broken],
    }


def write_reports(
    directory: Path, info: RunInfo, runs: list[ModelRun], broken: list[BrokenCase]
) -> list[Path]:
    """Write ``report.md`` and ``report.json`` into ``directory`` (created); their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    markdown = directory / "report.md"
    markdown.write_text(render_markdown(info, runs, broken), encoding="utf-8")
    data = directory / "report.json"
    data.write_text(
        json.dumps(report_json(info, runs, broken), indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return [markdown, data]
