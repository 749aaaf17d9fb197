"""``opsbot slack``: the Slack app over Socket Mode — no public URL needed (for HTTP mode see
``opsbot serve``)."""

from __future__ import annotations

import argparse
import sys

from bot.settings import Settings


def cmd_slack(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.agent.model import ModelError
    from bot.slack.app import SlackSetupError
    from bot.slack.runtime import build_slack_app
    from tools.store.database import open_store

    app_token = settings.slack.app_token
    if not app_token or not app_token.startswith("xapp-"):
        print(
            "opsbot: SLACK_APP_TOKEN is not set (or is not an xapp- token) — Socket Mode needs the app-level "
            "token with the connections:write scope (Basic Information → App-Level Tokens); put it in .env",
            file=sys.stderr,
        )
        return 2
    try:
        app = build_slack_app(settings, open_store(settings.database_url), http_mode=False)
    except (SlackSetupError, ModelError) as exc:
        print(f"opsbot: {getattr(exc, 'user_message', None) or exc}", file=sys.stderr)
        return 2
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(app, app_token)
    print("opsbot is connecting to Slack over Socket Mode (Ctrl-C stops it)…", file=sys.stderr, flush=True)
    try:
        handler.start()
    except KeyboardInterrupt:
        handler.close()
    return 0


def add_parser(sub) -> None:
    slack = sub.add_parser("slack", help="run the Slack app over Socket Mode (no public URL needed)")
    slack.set_defaults(handler=cmd_slack)
