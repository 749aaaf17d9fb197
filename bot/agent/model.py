"""What the loop needs from a model: a request in Messages API shape, a reply with its content blocks and
usage, and one error type carrying the sentence the user sees. ``AnthropicModel`` and ``ScriptedModel`` both
implement ``ModelClient``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from tools.secret_masking import mask_secrets


@dataclass(frozen=True)
class ModelRequest:
    """One Messages API request: exactly the fields sent (``stream`` is the transport's business)."""

    model: str
    max_tokens: int
    system: list[dict]
    tools: list[dict]
    messages: list[dict]
    effort: str | None = None  # output_config.effort; None: the model's default (nothing sent)

    def api_kwargs(self) -> dict:
        """Keyword arguments for ``client.messages.stream``: new lists of the same blocks. The SDK only reads
        them (it serialises them into the request body), and nothing changes a block once it is in a request,
        so the lists are copied — not every schema and message in them."""
        kwargs = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "system": list(self.system),
            "tools": list(self.tools),
            "messages": list(self.messages),
        }
        if self.effort:
            kwargs["output_config"] = {"effort": self.effort}
        return kwargs


@dataclass(frozen=True)
class Usage:
    """Tokens of one call, as the API reports them (input excludes cache reads and writes)."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_write_tokens + other.cache_write_tokens,
            self.cache_read_tokens + other.cache_read_tokens,
        )


@dataclass(frozen=True)
class ModelReply:
    """The assistant message the model produced."""

    content: list[dict]
    stop_reason: str | None
    usage: Usage
    model: str
    request_id: str | None = None
    attempts: int = 1

    @property
    def tool_uses(self) -> list[dict]:
        return [block for block in self.content if block.get("type") == "tool_use"]

    @property
    def text(self) -> str:
        return "".join(block.get("text", "") for block in self.content if block.get("type") == "text")


@dataclass
class ModelError(Exception):
    """A model call failed for good: ``user_message`` is the sentence shown, ``detail`` goes to the log."""

    kind: str
    user_message: str
    detail: str = ""
    attempts: int = 1
    partial_text: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        # Shown, stored with the call and logged: never with a credential from a URL or an error body.
        self.user_message = mask_secrets(self.user_message)
        self.detail = mask_secrets(self.detail)

    def __str__(self) -> str:
        return self.user_message


TextSink = Callable[[str], None]


class ModelClient(Protocol):
    """Anything that turns a request into a reply, streaming text pieces to ``on_text`` as they arrive."""

    def complete(self, request: ModelRequest, on_text: TextSink) -> ModelReply: ...
