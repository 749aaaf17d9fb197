"""``opsbot trace``: a stored conversation, step by step."""

from __future__ import annotations

import argparse
import sys

from bot.application import Application


def cmd_trace(app: Application, args: argparse.Namespace) -> int:
    """Print a conversation's questions, model calls, tool calls and answers (default: the latest)."""
    conversation_id = args.conversation
    if conversation_id is None:
        latest = app.history.conversations(limit=1)
        if not latest:
            print('No conversations yet. Ask something: opsbot ask "What were sales yesterday?"')
            return 0
        conversation_id = latest[0].id
    trace = app.trace(conversation_id)
    if trace is None:
        print(f"opsbot: no conversation {conversation_id!r}", file=sys.stderr)
        return 2
    print(trace)
    return 0


def add_parser(sub) -> None:
    """Register ``trace`` on the ``opsbot`` sub-command parser."""
    trace = sub.add_parser("trace", help="print a conversation: questions, model calls, tool calls, answers")
    trace.add_argument("conversation", nargs="?", metavar="ID", help="conversation id (default: the latest)")
    trace.set_defaults(handler=cmd_trace)
