"""Posting the morning brief to Slack: the Block Kit message (with its fallback text), then its chart as a PNG
in the message's thread. A failed chart upload leaves the message as it is, with one log line; the message
itself failing raises the SDK's error. Used by ``opsbot brief --post`` and the scheduler."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError

from bot.insights.brief_blocks import blocks_payload, fallback_text
from bot.slack.charts import chart_alt_text

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.insights.brief import Brief

log = logging.getLogger("opsbot.insights")
CHART_FILENAME = "opsbot-brief-chart.png"


def post_brief(client: WebClient, channel: str, brief: Brief) -> str:
    """Post ``brief`` to ``channel`` (an id) and upload its chart into the message's thread; the message's
    ``ts``."""
    response = client.chat_postMessage(
        channel=channel, text=fallback_text(brief), blocks=blocks_payload(brief), unfurl_links=False
    )
    ts = str(response["ts"])
    if brief.chart is not None:
        try:
            client.files_upload_v2(
                channel=str(response.get("channel") or channel),
                thread_ts=ts,
                filename=CHART_FILENAME,
                title=brief.chart.title,
                alt_txt=chart_alt_text(brief.chart),
                file=brief.chart_png(),
            )
        except Exception as exc:  # the brief is posted; the chart is a bonus
            reason = exc.response.get("error") if isinstance(exc, SlackApiError) else None
            reason = reason or " ".join(str(exc).split()) or type(exc).__name__
            log.warning("the brief was posted without its chart: the upload failed (%s)", reason)
    return ts
