"""The Messages API's rules about a conversation's shape, as the real API enforces them (400
invalid_request_error): the fake server rejects what Anthropic rejects, and tests check stored conversations
with the same function."""

from __future__ import annotations


def _blocks(message: dict) -> list[dict]:
    content = message.get("content")
    return [{"type": "text", "text": content}] if isinstance(content, str) else list(content or [])


def conversation_problem(messages: list[dict]) -> str | None:
    """The API's error message for ``messages``, or None when the API would accept them."""
    if not messages:
        return "messages: at least one message is required"
    if messages[0].get("role") != "user":
        return 'messages: first message must use the "user" role'
    for index, message in enumerate(messages):
        role = message.get("role")
        if role not in ("user", "assistant"):
            return f"messages.{index}.role: Input should be 'user' or 'assistant'"
        blocks = _blocks(message)
        if not blocks:
            return f"messages.{index}: all messages must have non-empty content"
        for position, block in enumerate(blocks):
            if block.get("type") == "text" and not block.get("text"):
                return f"messages.{index}.content.{position}.text: text content blocks must be non-empty"
        if role == "assistant":
            ids = [b["id"] for b in blocks if b.get("type") == "tool_use"]
            if not ids:
                continue
            following = messages[index + 1] if index + 1 < len(messages) else None
            answered = (
                {b.get("tool_use_id") for b in _blocks(following) if b.get("type") == "tool_result"}
                if following and following.get("role") == "user"
                else set()
            )
            missing = [i for i in ids if i not in answered]
            if missing:
                return (
                    f"messages.{index + 1 if following else index}: `tool_use` ids were found without "
                    f"`tool_result` blocks immediately after: {', '.join(missing)}. Each `tool_use` block "
                    "must have a corresponding `tool_result` block in the next message."
                )
        else:
            previous = messages[index - 1] if index else None
            offered = (
                {b["id"] for b in _blocks(previous) if b.get("type") == "tool_use"}
                if previous and previous.get("role") == "assistant"
                else set()
            )
            for position, block in enumerate(blocks):
                if block.get("type") == "tool_result" and block.get("tool_use_id") not in offered:
                    return (
                        f"messages.{index}.content.{position}: unexpected `tool_use_id` found in "
                        f"`tool_result` blocks: {block.get('tool_use_id')}. Each `tool_result` block must "
                        "have a corresponding `tool_use` block in the previous message."
                    )
    return None


EFFORT_LEVELS = ("low", "medium", "high", "xhigh", "max")


def thinking_signature(model: str) -> str:
    """The signature the fake gives a thinking block ``model`` wrote (the API binds them to their model)."""
    return f"fake-signature:{model}"


def _thinking_problem(body: dict) -> str | None:
    for index, message in enumerate(body.get("messages") or []):
        for position, block in enumerate(_blocks(message)):
            if block.get("type") != "thinking":
                continue
            if block.get("signature") != thinking_signature(body["model"]):
                return (
                    f"messages.{index}.content.{position}: Invalid `signature` in `thinking` block: it was "
                    f"not produced by {body['model']} in this conversation"
                )
    return None


def request_problem(body: dict, *, counting: bool = False) -> str | None:
    """The API's error message for a whole request body (``counting``: a count_tokens body, which has no
    max_tokens), or None."""
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "model: Field required"
    if not counting and (not isinstance(body.get("max_tokens"), int) or body["max_tokens"] < 1):
        return "max_tokens: Field required"
    output_config = body.get("output_config") or {}
    if "effort" in output_config and output_config["effort"] not in EFFORT_LEVELS:
        return "output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'"
    if problem := _thinking_problem(body):
        return problem
    breakpoints = sum(
        1
        for section in (body.get("tools") or [], body.get("system") or [])
        for block in (section if isinstance(section, list) else [])
        if isinstance(block, dict) and "cache_control" in block
    ) + sum(
        1
        for m in body.get("messages") or []
        for b in _blocks(m)
        if isinstance(b, dict) and "cache_control" in b
    )
    if breakpoints > 4:
        return f"A maximum of 4 blocks with cache_control may be provided. Found {breakpoints}."
    return conversation_problem(body.get("messages") or [])
