"""``opsbot brief``: the morning brief of one business day, printed as text or posted to a Slack channel."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from bot.application import Application
from bot.insights.brief import BriefError, brief_for, default_brief_date
from tools.registry import ToolError


def _fail(message: str, status: int) -> int:
    print(f"opsbot: {message}", file=sys.stderr)
    return status


def cmd_brief(app: Application, args: argparse.Namespace) -> int:
    """Gather the brief of ``--date`` (default yesterday) and print it, or post it with ``--post``; the exit
    status: 0 done, 1 the brief could not be made or posted, 2 a usage or configuration problem."""
    if args.date is not None:
        try:
            day = date.fromisoformat(args.date)
        except ValueError:
            return _fail(f"--date must be a date YYYY-MM-DD, got {args.date!r}", 2)
    else:
        day = default_brief_date(app.tools_engine)
    slack = app.settings.slack
    if args.post is not None and not slack.bot_token:
        return _fail(
            "--post needs SLACK_BOT_TOKEN (the app's Bot User OAuth Token, xoxb-…); put it in .env", 2
        )
    try:
        brief = brief_for(app, day, args.location)
    except ToolError as exc:  # an unknown --location, named with the known ones
        return _fail(str(exc), 2)
    except BriefError as exc:
        return _fail(f"no brief for {day.isoformat()}: {exc}", 1)
    if args.post is None:
        print(brief.text(), end="")
        return 0
    # Imported here: Slack's SDK takes ~0.2 s to import, paid only when posting.
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    from bot.insights.post import post_brief

    client = WebClient(token=slack.bot_token, base_url=slack.api_url)
    try:
        ts = post_brief(client, args.post, brief)
    except SlackApiError as exc:
        return _fail(f"Slack refused the brief: {exc.response.get('error', exc)}", 1)
    print(ts)
    return 0


def add_parser(sub) -> None:
    """Register ``brief`` on the ``opsbot`` sub-command parser."""
    brief = sub.add_parser("brief", help="the morning brief of one day: print it, or post it to Slack")
    brief.add_argument("--date", help="the business date (YYYY-MM-DD); default yesterday")
    brief.add_argument("--location", help="one location by name or number; default all")
    brief.add_argument("--post", metavar="CHANNEL", help="post it to this Slack channel (an id) instead")
    brief.set_defaults(handler=cmd_brief)
