"""Put the Slack app together for either transport: the agent, the responder and the Bolt app, and say at
start who may use it."""

from __future__ import annotations

import logging

from slack_bolt import App
from sqlalchemy import Engine

from bot.settings import Settings, SlackSettings
from bot.slack.app import build_app
from bot.slack.responder import SlackResponder

log = logging.getLogger(__name__)


def access_summary(settings: SlackSettings) -> str:
    """One line on who may ask; loud when anyone in the workspace may."""
    if not settings.allowed_users and not settings.allowed_channels:
        return (
            "OPSBOT_SLACK_ALLOWED_USERS and OPSBOT_SLACK_ALLOWED_CHANNELS are empty — ANYONE in the Slack "
            "workspace can ask this bot about the business's numbers."
        )
    users = ", ".join(sorted(settings.allowed_users)) or "anyone in the workspace"
    channels = ", ".join(sorted(settings.allowed_channels)) or "any channel the app is in"
    return f"Slack access: users {users}; channels {channels} (direct messages: the allowed users)."


def build_slack_app(settings: Settings, engine: Engine, *, http_mode: bool) -> App:
    """The configured Slack app over ``engine``; raises ``SlackSetupError`` or ``ModelError`` (no API key)
    with what to set."""
    from bot.agent.factory import build_agent

    agent = build_agent(settings)
    responder = SlackResponder(agent, engine, settings.slack)
    app = build_app(settings.slack, responder, http_mode=http_mode)
    line = access_summary(settings.slack)
    if settings.slack.allowed_users or settings.slack.allowed_channels:
        log.info(line)
    else:
        log.warning(line)
    return app
