"""``POST /slack/events`` on ``opsbot serve``: Slack's Events API requests handed to the Bolt app, which
verifies the signature (401 when it is wrong), acknowledges at once and answers on its listener threads."""

from __future__ import annotations

import time

from slack_bolt import App, BoltRequest

from bot.server.http_server import Endpoint, Request, Response, json_response

PATH = "/slack/events"


def slack_events_endpoint(app: App) -> Endpoint:
    def events(request: Request) -> Response:
        received = time.perf_counter()
        try:
            body = request.body.decode("utf-8")
        except UnicodeDecodeError:
            return json_response(400, {"error": "the body is not UTF-8"})
        bolt_request = BoltRequest(
            body=body,
            query={key: values for key, values in request.query.items()},
            headers=dict(request.headers),
            context={"received_at": received},
        )
        answer = app.dispatch(bolt_request)
        content_type = (answer.headers.get("content-type") or ["text/plain;charset=utf-8"])[0]
        headers = {
            name: ", ".join(values) for name, values in answer.headers.items() if name != "content-type"
        }
        return Response(answer.status, answer.body.encode("utf-8"), content_type, headers)

    return events
