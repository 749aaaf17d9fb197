"""What the live API clients share: their errors and bounded retries with backoff.

A client turns each failed request into one of three errors: ``SourceAuthError`` (bad or revoked
credentials — retrying cannot help), ``TransientError`` (429, 5xx, a dropped connection — worth retrying),
or ``SourceError`` (anything else). ``retrying`` retries transient failures a bounded number of times,
waiting what the server asked (``Retry-After``) or an exponentially growing delay.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

T = TypeVar("T")


class SourceError(RuntimeError):
    """A live source could not be read; the message says what failed and what to do."""


class SourceAuthError(SourceError):
    """The source rejected our credentials (HTTP 401/403)."""


class TransientError(SourceError):
    """A failure worth retrying; ``retry_after`` is the server's requested wait in seconds, if it gave one."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class RetryPolicy:
    """``retries`` more attempts after the first, waiting ``base_delay`` × 2ⁿ (at most ``max_delay``)."""

    retries: int = 4
    base_delay: float = 1.0
    max_delay: float = 30.0
    sleep: Callable[[float], object] = field(default=time.sleep, compare=False)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay)
        return min(self.base_delay * 2**attempt, self.max_delay)


def retrying(call: Callable[[], T], policy: RetryPolicy) -> T:
    """``call()``, retried on TransientError per ``policy``; the last failure says how often it was tried."""
    attempt = 0
    while True:
        try:
            return call()
        except TransientError as exc:
            if attempt >= policy.retries:
                raise SourceError(
                    f"{exc} — gave up after {attempt + 1} attempt{'s' if attempt else ''}; try again later"
                ) from exc
            policy.sleep(policy.delay(attempt, exc.retry_after))
            attempt += 1


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """The ``Retry-After`` header (seconds or an HTTP date) as seconds; None when absent or unreadable."""
    if not headers:
        return None
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max((moment - datetime.now(UTC)).total_seconds(), 0.0)
