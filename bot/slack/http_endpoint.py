"""``POST /slack/events`` on ``opsbot serve``: Slack's signature is checked on the raw bytes first (401 and
one log line when it is missing, wrong or stale), then the body must be a JSON or form object (400
otherwise); only then is it handed to the Bolt app, which acknowledges at once and answers on its listener
threads. An event callback without an event object, and an interaction without the actions or view Bolt
routes it by, are acknowledged and dropped with a warning."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping

from slack_bolt import App, BoltRequest
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier

from bot.server.http_server import Endpoint, Request, Response, json_response

log = logging.getLogger(__name__)

PATH = "/slack/events"
_TIMESTAMP = re.compile(r"\d{1,12}")  # seconds since 1970; SignatureVerifier's int() takes anything
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


def signed_by_slack(verifier: SignatureVerifier, body: bytes, headers: Mapping[str, str]) -> bool:
    """Whether ``body`` carries Slack's signature, made within five minutes, of exactly these bytes."""
    timestamp = headers.get("x-slack-request-timestamp") or ""
    signature = headers.get("x-slack-signature") or ""
    if not (_TIMESTAMP.fullmatch(timestamp) and _SIGNATURE.fullmatch(signature)):
        return False
    try:
        return verifier.is_valid(body, timestamp, signature)
    except UnicodeDecodeError:  # Slack signs UTF-8 text; other bytes cannot be its request
        return False


def slack_request_object(text: str, content_type: str | None) -> dict | None:
    """The body as Bolt reads it (JSON, or a form with an optional JSON ``payload``); None when it is
    neither, not an object, or empty."""
    if not text.strip():
        return None
    try:
        parsed = parse_body(text, content_type)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def interaction_problem(parsed: dict) -> str | None:
    """What an interaction payload lacks that Bolt needs to route it (Bolt answers 500 to these shapes):
    a ``block_actions`` without a list of action objects, a view payload without a view object."""
    kind = parsed.get("type")
    if kind == "block_actions":
        actions = parsed.get("actions")
        if not (
            isinstance(actions, list)
            and actions
            and all(isinstance(a, dict) and "action_id" in a for a in actions)
        ):
            return "a block_actions payload without a list of actions with their action_id"
    if kind in ("view_submission", "view_closed") and not isinstance(parsed.get("view"), dict):
        return f"a {kind} payload without a view object"
    return None


def slack_events_endpoint(app: App, signing_secret: str) -> Endpoint:
    """The endpoint handing signed Slack requests to ``app``."""
    verifier = SignatureVerifier(signing_secret)

    def events(request: Request) -> Response:
        received = time.perf_counter()
        if not signed_by_slack(verifier, request.body, request.headers):
            log.warning("refused a Slack request without a valid signature (%d bytes)", len(request.body))
            return json_response(401, {"error": "invalid request signature"})
        text = request.body.decode("utf-8")  # the signature check decoded it already
        content_type = (request.headers.get("content-type") or "").split(";")[0] or None  # as Bolt reads it
        parsed = slack_request_object(text, content_type)
        if parsed is None:
            log.warning("refused a signed Slack request whose body is not a JSON or form object")
            return json_response(400, {"error": "the body is not a JSON or form object"})
        event = parsed.get("event")
        if parsed.get("type") == "event_callback" and not (
            isinstance(event, dict) and isinstance(event.get("type"), str)
        ):
            log.warning("ignored a Slack event callback without an event object with a type")
            return Response(200)
        problem = interaction_problem(parsed)
        if problem is not None:
            log.warning("ignored %s", problem)
            return Response(200)
        try:
            bolt_request = BoltRequest(
                body=text,
                query={key: values for key, values in request.query.items()},
                headers=dict(request.headers),
                context={"received_at": received},
            )
        except (TypeError, KeyError, AttributeError, ValueError, IndexError) as exc:
            # Bolt reads ids (team, channel, user…) from the body as it builds the request and trusts their
            # types: a signed body with, say, a number for a channel is acknowledged and dropped.
            log.warning("ignored a Slack request Bolt cannot read (%s: %s)", type(exc).__name__, exc)
            return Response(200)
        answer = app.dispatch(bolt_request)
        content_type = (answer.headers.get("content-type") or ["text/plain;charset=utf-8"])[0]
        headers = {
            name: ", ".join(values) for name, values in answer.headers.items() if name != "content-type"
        }
        return Response(answer.status, answer.body.encode("utf-8"), content_type, headers)

    return events
