"""What the Slack app needs before it starts, checked without loading Slack's SDKs: the tokens, and who may
ask."""

from __future__ import annotations

from bot.settings import SlackSettings


class SlackSetupError(Exception):
    """Slack is not configured well enough to start; the message says what to set."""


def check_settings(settings: SlackSettings, *, http_mode: bool) -> None:
    """Raise ``SlackSetupError`` naming the missing token: the bot token, and in HTTP mode the signing
    secret."""
    if not settings.bot_token:
        raise SlackSetupError(
            "SLACK_BOT_TOKEN is not set — put the app's Bot User OAuth Token (xoxb-…) in .env"
        )
    if http_mode and not settings.signing_secret:
        raise SlackSetupError(
            "SLACK_SIGNING_SECRET is not set — HTTP mode verifies every request with the app's "
            "Signing Secret (Basic Information → App Credentials)"
        )


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
