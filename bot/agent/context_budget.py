"""Keep a long conversation inside the model's context window.

Before each call the request's size is estimated; when it is over the budget, the oldest tool results from
earlier questions are replaced by a short note (which tool, which arguments, the start of the result) until
it fits. The user's and the assistant's words are never removed; only the copy sent is changed, the stored
conversation keeps everything.
"""

from __future__ import annotations

import json

from tools.result_tables import parse_result

CHARS_PER_TOKEN = 3.5  # JSON-heavy text tokenizes denser than prose; err on the side of more tokens
PREVIEW_CHARS = 160


class ContextTooLong(Exception):
    """Even with every earlier tool result summarised the conversation is over the budget."""


def estimate_tokens(value: object) -> int:
    """A rough token count of any JSON-able value (no tokenizer call, no network)."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return int(len(text) / CHARS_PER_TOKEN) + 1


def _summary(tool_use: dict | None, content: str) -> str:
    if tool_use is None:
        described = "a tool"
    else:
        arguments = ", ".join(f"{k}={v!r}" for k, v in (tool_use.get("input") or {}).items())
        described = f"{tool_use.get('name')}({arguments})"
    preview = content[:PREVIEW_CHARS].replace("\n", " ")
    return (
        f"[Earlier result of {described}, shortened to keep the conversation within the context window "
        f"({len(content):,} characters). It began: {preview}… Call the tool again for the full figures.]"
    )


def tool_result_text(block: dict) -> str:
    """The text of a tool_result block (its content is a string or a list of text parts)."""
    content = block.get("content")
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content or [] if isinstance(part, dict))


def tool_results(message: dict) -> list[tuple[dict, bool]]:
    """The ``(parsed result, is_error)`` pairs of a user message's tool_result blocks, in order; a result's
    tables (``tools.result_tables``) come back as rows of dicts, whichever shape it was stored in."""
    found = []
    for block in message.get("content", []):
        if isinstance(block, dict) and block.get("type") == "tool_result":
            found.append((parse_result(tool_result_text(block)), bool(block.get("is_error"))))
    return found


def fit_to_budget(
    messages: list[dict],
    *,
    budget_tokens: int,
    fixed_tokens: int,
    protected_from: int,
    messages_tokens: int | None = None,
) -> tuple[list[dict], int]:
    """``messages`` (or a shortened copy) whose estimate plus ``fixed_tokens`` (system + tools) is within
    ``budget_tokens``, and how many tool results were summarised. Messages from index ``protected_from`` on
    (the current question's) are never shortened. ``messages_tokens``: the sum of the messages' estimates
    when the caller keeps it (the loop adds each message's once), else it is computed here."""
    if messages_tokens is None:
        messages_tokens = sum(estimate_tokens(m) for m in messages)
    total = fixed_tokens + messages_tokens
    if total <= budget_tokens:
        return messages, 0
    shortened = list(messages)
    tool_uses: dict[str, dict] = {}
    compacted = 0
    for index, message in enumerate(messages[:protected_from]):
        if total <= budget_tokens:
            break
        blocks = message.get("content")
        if not isinstance(blocks, list):
            continue
        if message["role"] == "assistant":
            tool_uses.update({b["id"]: b for b in blocks if b.get("type") == "tool_use"})
            continue
        new_blocks = []
        for block in blocks:
            text = tool_result_text(block) if block.get("type") == "tool_result" else ""
            if text and not text.startswith("[Earlier result of") and len(text) > 2 * PREVIEW_CHARS:
                block = {**block, "content": _summary(tool_uses.get(block.get("tool_use_id")), text)}
                compacted += 1
            new_blocks.append(block)
        new_message = {**message, "content": new_blocks}
        total += estimate_tokens(new_message) - estimate_tokens(message)
        shortened[index] = new_message
    if total > budget_tokens:
        raise ContextTooLong(
            f"the conversation needs about {total:,} tokens even with earlier tool results shortened "
            f"(budget {budget_tokens:,})"
        )
    return shortened, compacted
