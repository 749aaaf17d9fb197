"""``opsbot ask``, ``opsbot trace`` and ``opsbot usage``: the agent from the command line."""

from __future__ import annotations

import argparse
import json
import sys

from bot.agent.events import Answer
from bot.plain_answer import PlainStream
from bot.settings import Settings


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


def cmd_ask(settings: Settings, args: argparse.Namespace) -> int:
    from bot.agent.factory import build_agent
    from bot.agent.model import ModelError
    from tools.store.database import open_store
    from tools.store.summary import summarize

    engine = open_store(settings.database_url)
    if not summarize(engine).locations:
        print(
            "opsbot: the store is empty — run `opsbot` (loads the demo) or `opsbot sync` first",
            file=sys.stderr,
        )
        return 1
    try:
        agent = build_agent(settings, model_name=args.model)
    except ModelError as error:
        print(f"opsbot: {error.user_message}", file=sys.stderr)
        return 2
    if args.conversation and not agent.store.exists(args.conversation):
        print(
            f"opsbot: no conversation {args.conversation!r} — start one without --conversation; "
            "its id is printed after the answer",
            file=sys.stderr,
        )
        return 2
    printer = PlainStream(sys.stdout, sys.stderr, stream_text=not args.json)
    try:
        answer = agent.answer(args.conversation, args.question, printer, source="cli")
    finally:
        agent.close()
    if args.json:
        print(_answer_json(answer))
    else:
        printer.finish(answer)
    print(
        f"conversation: {answer.conversation_id}  (follow up with --conversation {answer.conversation_id})",
        file=sys.stderr,
    )
    return 0 if answer.ok else 1


def cmd_trace(settings: Settings, args: argparse.Namespace) -> int:
    from bot.agent.conversation_store import ConversationReader
    from bot.agent.trace_report import render_trace
    from tools.store.database import open_store

    engine = open_store(settings.database_url)
    conversation_id = args.conversation
    if conversation_id is None:
        latest = ConversationReader(engine).conversations(limit=1)
        if not latest:
            print('No conversations yet. Ask something: opsbot ask "What were sales yesterday?"')
            return 0
        conversation_id = latest[0].id
    trace = render_trace(engine, conversation_id)
    if trace is None:
        print(f"opsbot: no conversation {conversation_id!r}", file=sys.stderr)
        return 2
    print(trace)
    return 0


def cmd_usage(settings: Settings, args: argparse.Namespace) -> int:
    from bot.agent.trace_report import render_usage
    from tools.store.database import open_store

    print(render_usage(open_store(settings.database_url), days=args.days))
    return 0


def add_parsers(sub) -> None:
    """Register ask, trace and usage on the ``opsbot`` sub-command parser."""
    ask = sub.add_parser("ask", help="ask one question; the answer streams to stdout")
    ask.add_argument("question")
    ask.add_argument(
        "--conversation", metavar="ID", help="continue an earlier conversation (its id is printed)"
    )
    ask.add_argument("--model", help="the model for this question (default: OPSBOT_MODEL)")
    ask.add_argument("--json", action="store_true", help="print the answer, status and usage as JSON")
    ask.set_defaults(handler=cmd_ask)

    trace = sub.add_parser("trace", help="print a conversation: questions, model calls, tool calls, answers")
    trace.add_argument("conversation", nargs="?", metavar="ID", help="conversation id (default: the latest)")
    trace.set_defaults(handler=cmd_trace)

    usage = sub.add_parser("usage", help="tokens and cost per day and model")
    usage.add_argument("--days", type=int, default=30, help="how many days back (default 30)")
    usage.set_defaults(handler=cmd_usage)
