"""``opsbot`` / ``opsbot repl``: the interactive session, or plain question-per-line mode when piped."""

from __future__ import annotations

import argparse
import sys

from bot.application import Application
from bot.commands.sync import sync_fixture_folder
from bot.repl.demo_load import DemoLoad
from bot.repl.demo_template import load_built_demo
from bot.repl.piped import run_piped
from bot.repl.session import ReplSession
from bot.repl.terminal import run_terminal
from tools.sync.store_origin import fixture_business


def cmd_repl(app: Application, args: argparse.Namespace) -> int:
    """Load the demo on first run — behind the interactive session's prompt, or before the first line of
    plain question-per-line mode (stdin or stdout not a terminal) — then run the session."""
    settings = app.settings
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    notes = sys.stdout if interactive else sys.stderr  # piped: stdout carries only the answers
    summary = app.summary()
    demo: DemoLoad | None = None
    if not summary.locations and settings.sources.configured:
        print("The store is empty: load your own data with `opsbot sync` first.", file=notes)
    elif settings.sources.configured and (fixtures := fixture_business(app.store)):
        print(
            f"Answering from {fixtures}, not your own data: `opsbot sync --replace-demo` replaces it.",
            file=notes,
        )
    elif not summary.locations:
        print(
            "First run: loading the demo business — Copperline Kitchen, a fictional four-location "
            "restaurant chain with in-store (Square) and delivery (Deliverect) orders.",
            file=notes,
        )
        if interactive:  # loaded behind the prompt, which shows its progress; questions wait for it
            demo = DemoLoad(app)
        else:  # a script's lines are answered after the load, its report on stderr
            copied = load_built_demo(settings, app.store, settings.fixtures_dir)
            if copied is not None:
                print(f"Copied the built demo ({copied:,} orders); bringing it up to date:", file=notes)
            if sync_fixture_folder(app, None, out=notes) != 0:
                return 1
            print(file=notes)
            summary = app.summary()
    session = ReplSession(app, demo)
    session.model_name = getattr(args, "model", None) or session.model_name
    conversation = getattr(args, "conversation", None)
    if conversation:
        if not session.conversation_exists(conversation):
            print(
                f"opsbot: no conversation {conversation!r} — /history in the REPL lists them", file=sys.stderr
            )
            return 2
        session.conversation_id = conversation
    if interactive:
        return run_terminal(session, summary)
    return run_piped(session, sys.stdin, sys.stdout, sys.stderr)


def add_parser(sub) -> None:
    """Register ``repl`` on the ``opsbot`` sub-command parser."""
    repl = sub.add_parser("repl", help="the interactive session (the same as `opsbot` with no command)")
    repl.add_argument("--model", help="the model for this session (default: OPSBOT_MODEL)")
    repl.add_argument("--conversation", metavar="ID", help="continue an earlier conversation")
    repl.set_defaults(handler=cmd_repl)
