"""``opsbot slack``: the Slack app over Socket Mode — no public URL needed (for HTTP mode see
``opsbot serve``)."""

from __future__ import annotations

import argparse
import sys

from bot.agent.model import ModelError
from bot.application import Application
from bot.commands.serve import start_brief_schedule
from bot.slack.setup import SlackSetupError


def cmd_slack(app: Application, _args: argparse.Namespace) -> int:
    """Connect to Slack and answer until Ctrl-C; the exit status."""
    # Imported here: Slack's SDKs take ~0.2 s to import (python -X importtime), which every `opsbot` start,
    # the REPL's included, would pay.
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.slack.runtime import build_slack_app

    app_token = app.settings.slack.app_token
    if not app_token or not app_token.startswith("xapp-"):
        print(
            "opsbot: SLACK_APP_TOKEN is not set (or is not an xapp- token) — Socket Mode needs the app-level "
            "token with the connections:write scope (Basic Information → App-Level Tokens); put it in .env",
            file=sys.stderr,
        )
        return 2
    try:
        bolt_app = build_slack_app(app, http_mode=False)
    except (SlackSetupError, ModelError) as exc:
        print(f"opsbot: {getattr(exc, 'user_message', None) or exc}", file=sys.stderr)
        return 2
    handler = SocketModeHandler(bolt_app, app_token)
    print("opsbot is connecting to Slack over Socket Mode (Ctrl-C stops it)…", file=sys.stderr, flush=True)
    schedule = start_brief_schedule(app)
    try:
        handler.start()
    except KeyboardInterrupt:
        handler.close()
    finally:
        if schedule:
            schedule.stop()
    return 0


def add_parser(sub) -> None:
    """Register ``slack`` on the ``opsbot`` sub-command parser."""
    slack = sub.add_parser("slack", help="run the Slack app over Socket Mode (no public URL needed)")
    slack.set_defaults(handler=cmd_slack)
