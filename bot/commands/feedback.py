"""``opsbot feedback``: the votes people gave answers, and ``opsbot feedback export FILE``: the bad ones as
evaluation cases for ``opsbot eval --bank FILE``."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.application import Application
from bot.feedback.export import ExportError, check_target, export_bad_votes, write_bank
from bot.feedback.store import MAX_DAYS, FeedbackRow

ANSWER_CHARS = 300
MARKS = {"good": "👍 good", "bad": "👎 bad"}


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_DAYS:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of days from 1 to {MAX_DAYS}, got {text!r}"
        )
    return value


def _flat(text: str | None, limit: int | None = None) -> str:
    flat = " ".join((text or "").split())
    return flat[:limit] + "…" if limit is not None and len(flat) > limit else flat


def vote_block(row: FeedbackRow) -> list[str]:
    """One vote as printed: when, the vote, who; the question, the answer (its start), the comment, and
    the command that shows its trace."""
    lines = [
        f"{row.updated_at:%Y-%m-%d %H:%M} UTC · {MARKS[row.vote]} · {row.user_id} ({row.platform})",
        f"  question: {_flat(row.question)}",
        f"  answer: {_flat(row.answer, ANSWER_CHARS) or '(no answer)'}",
    ]
    if row.comment:
        lines.append(f"  comment: {_flat(row.comment)}")
    lines.append(f"  trace: opsbot trace {row.conversation_id}")
    return lines


def cmd_feedback(app: Application, args: argparse.Namespace) -> int:
    """Print the votes of the last ``--days`` days (``--bad``: only the bad ones), newest first."""
    rows = app.feedback.votes(days=args.days, bad_only=args.bad)
    kind = "bad votes" if args.bad else "votes"
    if not rows:
        print(f"No {kind} in the last {args.days} days.")
        return 0
    bad = sum(row.vote == "bad" for row in rows)
    counts = f"{bad} bad" if args.bad else f"{len(rows) - bad} good, {bad} bad"
    lines = [f"{len(rows)} {kind if len(rows) > 1 else kind[:-1]} in the last {args.days} days ({counts}):"]
    for row in rows:
        lines += ["", *vote_block(row)]
    print("\n".join(lines))
    return 0


def cmd_export(app: Application, args: argparse.Namespace) -> int:
    """Write the bad votes of the last ``--days`` days as evaluation cases to FILE."""
    path = Path(args.file)
    try:
        check_target(path)
        export = export_bad_votes(app.feedback.votes(days=args.days, bad_only=True), app.history)
        for line in export.skipped:
            print(f"opsbot feedback export: skipped {line}", file=sys.stderr)
        if not export.cases:
            print(f"No bad votes to export in the last {args.days} days: nothing written.")
            return 0
        write_bank(path, export, now=datetime.now(UTC))
    except ExportError as exc:
        print(f"opsbot feedback export: {exc}", file=sys.stderr)
        return 2
    print(f"Wrote {export.cases} case(s) to {path}; check their expected facts, then run")
    print(f"  opsbot eval --bank {path}")
    return 0


def add_parser(sub) -> None:
    """Register ``feedback`` and ``feedback export`` on the ``opsbot`` sub-command parser."""
    feedback = sub.add_parser("feedback", help="the votes people gave answers; export the bad ones")
    days_help = f"how many days back (1 to {MAX_DAYS}, default 30)"
    feedback.add_argument("--days", type=_days, default=30, metavar="N", help=days_help)
    feedback.add_argument("--bad", action="store_true", help="only the answers voted bad")
    feedback.set_defaults(handler=cmd_feedback)
    actions = feedback.add_subparsers(dest="feedback_command", metavar="{export}")
    export = actions.add_parser("export", help="write the bad votes as evaluation cases (opsbot eval --bank)")
    export.add_argument("file", metavar="FILE", help="the YAML bank to write (replaced if it exists)")
    # SUPPRESS: `opsbot feedback --days 7 export F` keeps the 7 (a default here would replace it).
    export.add_argument("--days", type=_days, default=argparse.SUPPRESS, metavar="N", help=days_help)
    export.set_defaults(handler=cmd_export)
