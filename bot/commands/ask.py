"""``opsbot ask``: one question to the agent from the command line."""

from __future__ import annotations

import argparse
import json
import sys

from bot.agent.events import Answer
from bot.agent.model import ModelError
from bot.application import Application
from bot.services.plain_answer import PlainStream


def _answer_json(answer: Answer) -> str:
    stats = answer.stats
    return json.dumps(
        {
            "conversation_id": answer.conversation_id,
            "turn_id": answer.turn_id,
            "status": answer.status,
            "answer": answer.text if answer.ok else None,
            "error": None if answer.ok else answer.text,
            "error_kind": answer.error_kind,
            "provenance": None if answer.provenance is None else answer.provenance.to_json(),
            "sources": None if answer.sources is None else answer.sources.to_json(),
            "usage": {
                "model_calls": stats.model_calls,
                "tool_calls": stats.tool_calls,
                "input_tokens": stats.usage.input_tokens,
                "output_tokens": stats.usage.output_tokens,
                "cache_write_tokens": stats.usage.cache_write_tokens,
                "cache_read_tokens": stats.usage.cache_read_tokens,
                "cost_usd": None if stats.cost_microusd is None else stats.cost_microusd / 1e6,
                "seconds": round(stats.total_seconds, 3),
                "model_seconds": round(stats.model_seconds, 3),
                "tool_seconds": round(stats.tool_seconds, 3),
            },
        },
        indent=2,
        ensure_ascii=False,
    )


def cmd_ask(app: Application, args: argparse.Namespace) -> int:
    """Answer one question, streamed to stdout (``--json``: printed whole with its usage); the exit status."""
    if not app.summary().locations:
        print(
            "opsbot: the store is empty — run `opsbot` (loads the demo) or `opsbot sync` first",
            file=sys.stderr,
        )
        return 1
    try:
        agent = app.agent()
    except ModelError as error:
        print(f"opsbot: {error.user_message}", file=sys.stderr)
        return 2
    if args.conversation and not app.conversations.exists(args.conversation):
        print(
            f"opsbot: no conversation {args.conversation!r} — start one without --conversation; "
            "its id is printed after the answer",
            file=sys.stderr,
        )
        return 2
    printer = PlainStream(sys.stdout, sys.stderr, stream_text=not args.json)
    answer = agent.answer(args.conversation, args.question, printer, source="cli", model=args.model)
    if args.json:
        print(_answer_json(answer))
    else:
        printer.finish(answer)
    print(
        f"conversation: {answer.conversation_id}  (follow up with --conversation {answer.conversation_id})",
        file=sys.stderr,
    )
    return 0 if answer.ok else 1


def add_parser(sub) -> None:
    """Register ``ask`` on the ``opsbot`` sub-command parser."""
    ask = sub.add_parser("ask", help="ask one question; the answer streams to stdout")
    ask.add_argument("question")
    ask.add_argument(
        "--conversation", metavar="ID", help="continue an earlier conversation (its id is printed)"
    )
    ask.add_argument("--model", help="the model for this question (default: OPSBOT_MODEL)")
    ask.add_argument("--json", action="store_true", help="print the answer, status and usage as JSON")
    ask.set_defaults(handler=cmd_ask)
