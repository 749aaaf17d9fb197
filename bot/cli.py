"""The ``opsbot`` command line: the parser of every subcommand (``bot/commands/``, one module each) and
``main``, which builds the process's one ``Application`` and hands it to the chosen command."""

from __future__ import annotations

import argparse
import logging
import sys

from bot.application import Application
from bot.commands import (
    ask,
    db,
    demo,
    evaluate,
    prompt_size,
    repl,
    serve,
    slack,
    status,
    sync,
    tools,
    trace,
    usage,
)
from bot.settings import SettingsError, load_settings
from tools.sources.records import PayloadError
from tools.store.database import StoreError
from tools.top_level_packages import TopLevelNameClash


def build_parser() -> argparse.ArgumentParser:
    """The ``opsbot`` argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="opsbot", description="A chat-based operations assistant for multi-location restaurants."
    )
    sub = parser.add_subparsers(dest="command")
    sync.add_parser(sub)
    tools.add_parsers(sub)
    ask.add_parser(sub)
    trace.add_parser(sub)
    usage.add_parser(sub)
    evaluate.add_parser(sub)
    prompt_size.add_parser(sub)
    serve.add_parser(sub)
    slack.add_parser(sub)
    repl.add_parser(sub)
    status.add_parser(sub)
    db.add_parser(sub)
    demo.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``opsbot`` with ``argv`` (default: the command line); the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"opsbot: configuration error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    handler = getattr(args, "handler", None) or repl.cmd_repl
    app = Application(settings)
    try:
        return handler(app, args)
    except (StoreError, PayloadError, FileNotFoundError, TopLevelNameClash) as exc:
        print(f"opsbot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nopsbot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    finally:
        app.close()


if __name__ == "__main__":
    sys.exit(main())
