"""The ``opsbot`` command line: the parser of every subcommand (``bot/commands/``, one module each) and
``main``, which builds the process's one ``Application`` and hands it to the chosen command."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from bot.application import Application
from bot.commands import (
    ask,
    brief,
    db,
    demo,
    evaluate,
    feedback,
    plugin_commands,
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
from bot.services.internal_error import internal_error_line
from bot.settings import Settings, SettingsError, load_settings
from tools.secret_masking import install_log_masking, mask_secrets
from tools.sources.records import PayloadError
from tools.store.database import StoreError
from tools.top_level_packages import TopLevelNameClash

log = logging.getLogger("bot.cli")
LOG_FILE = "opsbot.log"  # in OPSBOT_DATA_DIR: the full log lines, tracebacks included
FILE_ONLY = "file_only"  # a record with this attribute set goes to the log file, not to stderr


class _OneLineFormatter(logging.Formatter):
    """Log lines on stderr stay one line each: an exception is named, its traceback is left to the file."""

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        line = self.formatMessage(record)
        if record.exc_info and record.exc_info[1] is not None:
            line += f" [{type(record.exc_info[1]).__name__}; traceback in {LOG_FILE}]"
        return line


def _configure_logging(settings: Settings) -> None:
    """stderr gets one line per record; ``<data dir>/opsbot.log`` every record with its traceback; every
    record is masked of credentials first (the settings' secret values and the shapes of any)."""
    install_log_masking(_secret_values(settings))
    stderr = logging.StreamHandler()
    stderr.setFormatter(_OneLineFormatter("%(levelname)s %(name)s: %(message)s"))
    handlers: list[logging.Handler] = [stderr]
    try:
        Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
        to_file = logging.FileHandler(Path(settings.data_dir) / LOG_FILE, delay=True, encoding="utf-8")
    except OSError:  # a read-only data directory: stderr alone
        stderr.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    else:
        to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handlers.append(to_file)
        stderr.addFilter(lambda record: not getattr(record, FILE_ONLY, False))
    logging.basicConfig(level=settings.log_level, handlers=handlers)


def _secret_values(settings: Settings) -> list[str]:
    """Every credential the settings hold, to be masked wherever it would appear."""
    sources, slack = settings.sources, settings.slack
    values = [
        settings.model.api_key,
        sources.square.access_token,
        sources.deliverect.webhook_secret,
        sources.deliverect.client_secret,
        slack.bot_token,
        slack.app_token,
        slack.signing_secret,
    ]
    return [value for value in values if value]


def build_parser() -> argparse.ArgumentParser:
    """The ``opsbot`` argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="opsbot", description="A chat-based operations assistant for multi-location restaurants."
    )
    sub = parser.add_subparsers(dest="command")
    sync.add_parser(sub)
    tools.add_parsers(sub)
    ask.add_parser(sub)
    brief.add_parser(sub)
    trace.add_parser(sub)
    usage.add_parser(sub)
    evaluate.add_parser(sub)
    feedback.add_parser(sub)
    prompt_size.add_parser(sub)
    serve.add_parser(sub)
    slack.add_parser(sub)
    repl.add_parser(sub)
    status.add_parser(sub)
    db.add_parser(sub)
    demo.add_parser(sub)
    plugin_commands.add_parsers(sub)
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
    _configure_logging(settings)
    handler = getattr(args, "handler", None) or repl.cmd_repl
    if getattr(args, "plugin_handler", None) is not None:
        handler = plugin_commands.run_plugin_command
    app = Application(settings)
    try:
        return handler(app, args)
    except (StoreError, PayloadError, FileNotFoundError, TopLevelNameClash) as exc:
        print(f"opsbot: {mask_secrets(str(exc), _secret_values(settings))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nopsbot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except Exception as exc:  # a bug or a broken store: one line here, the traceback in the log
        # The user gets the one line below; the traceback goes to the log file (stderr when there is none).
        log.exception("opsbot %s failed", args.command or "repl", extra={FILE_ONLY: True})
        print(f"opsbot: {internal_error_line(exc)}", file=sys.stderr)
        return 1
    finally:
        app.close()


if __name__ == "__main__":
    sys.exit(main())
