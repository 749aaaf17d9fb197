"""The real model: Claude through the official ``anthropic`` SDK (Messages API, streamed).

The SDK retries 429, 5xx, 529 and connection errors itself (``max_retries``, honouring ``retry-after``); what
still fails becomes a ``ModelError`` with one sentence for the user and the detail for the log.
"""

from __future__ import annotations

import logging
import threading

import anthropic
import httpx2

from bot.agent.model import ModelError, ModelReply, ModelRequest, TextSink, Usage
from bot.settings import ModelSettings

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.anthropic.com"
MISSING_KEY = (
    "ANTHROPIC_API_KEY is not set, so opsbot cannot ask the model. Put ANTHROPIC_API_KEY=sk-ant-… in .env "
    "(see .env.example) or export it; the tools still work without it (opsbot call)."
)


class AnthropicModel:
    """A ``ModelClient`` backed by ``anthropic.Anthropic``; one instance serves many threads."""

    def __init__(self, settings: ModelSettings) -> None:
        if not settings.api_key:
            raise ModelError("no_api_key", MISSING_KEY)
        self.settings = settings
        self._attempts = threading.local()
        self.client = anthropic.Anthropic(
            api_key=settings.api_key,
            base_url=settings.base_url or DEFAULT_BASE_URL,  # explicit: the settings already read the env
            timeout=settings.timeout_seconds,
            max_retries=settings.max_retries,
            http_client=anthropic.DefaultHttpxClient(event_hooks={"request": [self._count_attempt]}),
        )

    def _count_attempt(self, request: httpx2.Request) -> None:
        self._attempts.value = int(request.headers.get("x-stainless-retry-count", "0")) + 1

    def complete(self, request: ModelRequest, on_text: TextSink) -> ModelReply:
        self._attempts.value = 0
        streamed: list[str] = []
        try:
            with self.client.messages.stream(**request.api_kwargs()) as stream:
                for event in stream:
                    if event.type == "text":
                        streamed.append(event.text)
                        on_text(event.text)
                message = stream.get_final_message()
                request_id = stream.request_id
            if message.stop_reason is None:  # the stream ended cleanly but without its message_stop
                raise httpx2.RemoteProtocolError("the event stream ended before message_stop")
        except Exception as exc:
            error = self._explain(exc, request.model)
            error.attempts = max(1, self._attempts.value)
            error.partial_text = "".join(streamed)
            # The user gets the sentence; the detail is stored with the call (opsbot trace), logged at INFO.
            log.info("model call failed (%s, %d attempt(s)): %s", error.kind, error.attempts, error.detail)
            raise error from exc
        usage = message.usage
        return ModelReply(
            content=[block.model_dump(mode="json", exclude_none=True) for block in message.content],
            stop_reason=message.stop_reason,
            usage=Usage(
                input_tokens=usage.input_tokens,
                output_tokens=usage.output_tokens,
                cache_write_tokens=usage.cache_creation_input_tokens or 0,
                cache_read_tokens=usage.cache_read_input_tokens or 0,
            ),
            model=message.model,
            request_id=request_id,
            attempts=max(1, self._attempts.value),
        )

    def count_tokens(self, request: ModelRequest) -> int:
        """The input tokens of ``request`` as the API counts them (``messages.count_tokens``, no answer
        generated, no charge); a failure is a ``ModelError`` like ``complete``'s."""
        kwargs = request.api_kwargs()
        del kwargs["max_tokens"]  # count_tokens takes everything but the output limit
        try:
            return self.client.messages.count_tokens(**kwargs).input_tokens
        except Exception as exc:
            raise self._explain(exc, request.model) from exc

    def _explain(self, exc: Exception, model: str) -> ModelError:
        """The user's sentence for an SDK or transport failure."""
        where = self.settings.base_url or DEFAULT_BASE_URL
        if isinstance(exc, anthropic.APITimeoutError):
            return ModelError(
                "timeout",
                f"The model service did not answer within {self.settings.timeout_seconds:g} s; try again.",
                repr(exc),
            )
        if isinstance(exc, anthropic.APIConnectionError):
            return ModelError(
                "connection",
                f"Could not reach the model service at {where}; check the network or ANTHROPIC_BASE_URL.",
                f"{exc!r} caused by {exc.__cause__!r}",
            )
        if isinstance(exc, anthropic.APIStatusError):
            return _status_error(exc, model)
        if isinstance(exc, httpx2.HTTPError):  # the stream broke after the answer had started
            return ModelError(
                "stream_cut",
                "The connection to the model service broke off in the middle of the answer; try again.",
                repr(exc),
            )
        return ModelError(
            "unexpected", "The model call failed unexpectedly; the details are in the log.", repr(exc)
        )


_STATUS_SENTENCES = {
    "overloaded_error": ("overloaded", "The model service is overloaded; try again in a minute."),
    "rate_limit_error": (
        "rate_limited",
        "The model service is rate-limiting this API key; try again in a minute.",
    ),
    "api_error": ("server_error", "The model service had an internal error; try again shortly."),
    "authentication_error": (
        "auth",
        "The model service rejected the API key; check ANTHROPIC_API_KEY in .env.",
    ),
    "permission_error": (
        "permission",
        "This API key is not allowed to use the model; check its permissions.",
    ),
    "billing_error": (
        "billing",
        "The model service refused the request for billing reasons; check the account.",
    ),
}


def _status_error(exc: anthropic.APIStatusError, model: str) -> ModelError:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    kind = error.get("type") or ""
    message = error.get("message") or str(exc)
    detail = f"HTTP {exc.status_code} {kind}: {message} (request id {exc.request_id})"
    if kind in _STATUS_SENTENCES:
        code, sentence = _STATUS_SENTENCES[kind]
        return ModelError(code, sentence, detail)
    if exc.status_code == 404 or kind == "not_found_error":
        return ModelError(
            "model_not_found",
            f"The model {model!r} is not available to this API key; check OPSBOT_MODEL.",
            detail,
        )
    if exc.status_code == 429:
        return ModelError(*_STATUS_SENTENCES["rate_limit_error"], detail)
    if exc.status_code == 529:
        return ModelError(*_STATUS_SENTENCES["overloaded_error"], detail)
    if exc.status_code >= 500:
        return ModelError(*_STATUS_SENTENCES["api_error"], detail)
    if exc.status_code == 401:
        return ModelError(*_STATUS_SENTENCES["authentication_error"], detail)
    return ModelError("rejected", f"The model service rejected the request: {message}", detail)
