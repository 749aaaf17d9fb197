"""Put the Slack app together for either transport: the agent, the responder and the Bolt app, and say at
start who may use it."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.application import Application
from bot.slack.app import build_app
from bot.slack.responder import SlackResponder
from bot.slack.setup import access_summary

log = logging.getLogger(__name__)


def build_slack_app(app: Application, *, http_mode: bool) -> App:
    """The configured Slack app answering through ``app``; raises ``SlackSetupError`` or ``ModelError`` (no
    API key) with what to set."""
    settings = app.settings.slack
    app.agent()  # built now, so a missing API key stops the start, not the first question
    bolt_app = build_app(settings, SlackResponder(app, settings), http_mode=http_mode)
    line = access_summary(settings)
    if settings.allowed_users or settings.allowed_channels:
        log.info(line)
    else:
        log.warning(line)
    return bolt_app
