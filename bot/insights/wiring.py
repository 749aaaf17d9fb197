"""The scheduler as ``opsbot serve`` and ``opsbot slack`` run it: the brief built by ``bot.insights.brief``
and posted by ``bot.insights.post`` (imported when the schedule starts; without them no schedule runs),
the alerts from the ``anomalies`` tool, all posted with the bot token."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from slack_sdk import WebClient

from bot.application import Application
from bot.insights.schedule import (
    Alerts,
    BriefScheduler,
    PostAlert,
    PostBrief,
    Posted,
    SystemClock,
    location_zone,
)
from tools.registry import ToolRegistry

log = logging.getLogger(__name__)


def start_brief_schedule(app: Application) -> BriefScheduler | None:
    """The scheduler, started; None when OPSBOT_BRIEF_CHANNEL or SLACK_BOT_TOKEN is not set."""
    settings = app.settings
    if not (settings.brief.channel and settings.slack.bot_token):
        return None
    client = WebClient(token=settings.slack.bot_token, base_url=settings.slack.api_url)
    post = brief_poster(app, client)
    scheduler = BriefScheduler(
        app, SystemClock(), post, alerts=anomaly_alerts(app), post_alert=alert_poster(client)
    )
    return scheduler.start()


def brief_poster(app: Application, client: WebClient) -> PostBrief:
    """post(channel, day, late) with the real brief, built from the tools and posted with its chart."""
    # Imported here: the brief draws its chart with matplotlib, which `opsbot serve` loads only when a
    # brief channel is configured.
    from bot.insights.brief import brief_for
    from bot.insights.post import post_brief

    def post(channel: str, day: date, late: bool) -> Posted:
        brief = brief_for(app, day)
        ts = str(post_brief(client, channel, brief))
        text = brief.text()
        if late:
            note = late_note(app)
            client.chat_postMessage(channel=channel, thread_ts=ts, text=note)
            text = f"{note}\n{text}"
        return Posted(ts, text)

    return post


def late_note(app: Application) -> str:
    """ "(late: posted at 10:42)", in Location 1's local time."""
    zone = location_zone(app.store)
    now = datetime.now(UTC)
    return f"(late: posted at {(now.astimezone(zone) if zone else now):%H:%M})"


def anomaly_alerts(app: Application, registry: ToolRegistry | None = None) -> Alerts:
    """alerts(day): the high-severity anomalies of ``day`` from the ``anomalies`` tool (of ``registry``,
    default the application's), as (key, text)."""

    def alerts(day: date) -> list[tuple[str, str]]:
        arguments = {"start_date": day.isoformat(), "end_date": day.isoformat()}
        tools = registry or app.registry
        result = tools.call("anomalies", arguments, app.tool_context(day + timedelta(days=1)))
        if not result.ok:
            log.info("no anomaly alerts for %s: %s", day, result.error)
            return []
        found = [a for a in result.content.get("anomalies", []) if a.get("severity") == "high"]
        return [(alert_key(a), alert_text(a)) for a in found]

    return alerts


def alert_key(anomaly: dict) -> str:
    """One alert per location and measure (and day, by its row)."""
    return f"{anomaly.get('location', '?')}|{anomaly.get('measure', '?')}"


def alert_text(anomaly: dict) -> str:
    """One line an owner reads at a glance, every figure as the tool gave it."""
    label = anomaly.get("label") or anomaly.get("measure", "")
    text = f":rotating_light: *{anomaly.get('location', '')}*, {anomaly.get('day', '')}: {label} "
    text += f"{anomaly.get('value', '')}, expected {anomaly.get('expected', '')}"
    change = anomaly.get("change_percent")
    if isinstance(change, int | float):
        text += f" ({change:+.1f} %)"
    if anomaly.get("cause"):
        text += f" — {anomaly['cause']}"
    return text


def alert_poster(client: WebClient) -> PostAlert:
    """post_alert(channel, text) with chat.postMessage."""

    def post_alert(channel: str, text: str) -> Posted:
        response = client.chat_postMessage(channel=channel, text=text)
        return Posted(str(response["ts"]), text)

    return post_alert
