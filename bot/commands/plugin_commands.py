"""The sub-commands data-source plugins add (``opsbot labor …``): registered from each installed plugin's
``add_commands`` hook and run with a CommandContext, never with the Application itself."""

from __future__ import annotations

import argparse
import logging
import sys

from bot.application import Application
from tools.data_sources import CommandContext, SourceError, installed_data_sources

log = logging.getLogger("opsbot.plugins")


def add_parsers(sub) -> None:
    """Let each installed data-source plugin add its commands; a plugin whose hook fails is logged and
    skipped (the rest of opsbot still works)."""
    for source in installed_data_sources():
        if source.add_commands is None:
            continue
        try:
            source.add_commands(sub)
        except Exception:
            log.exception("plugin %r could not add its commands; they are skipped", source.name)


def run_plugin_command(app: Application, args: argparse.Namespace) -> int:
    """Run a plugin command's handler (``plugin_handler``) on the opened store; a SourceError is one line."""
    context = CommandContext(
        engine=app.store, today=app.tool_context().today, week_start=app.settings.week_start
    )
    try:
        return int(args.plugin_handler(context, args) or 0)
    except SourceError as exc:
        print(f"opsbot: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
