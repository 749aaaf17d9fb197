"""Deliverect's REST API for backfill: an OAuth client-credentials token (cached until it expires) and the
orders list (``GET /orders``), paged with Deliverect's cursor, returned as the order bodies
``deliverect_parser`` reads — the same shape as the order webhook and the fixtures.

Paging follows Deliverect's query guide: ``where`` (a JSON filter), ``sort``, ``max_results`` (≤ 500),
``cursor=new`` on the first page and the returned ``_meta.cursor`` with ``page=N`` after it. Deliverect asks
integrators not to poll this endpoint frequently: the order webhook is the live feed, this is recovery.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx

from tools.sources.api_calls import (
    RetryPolicy,
    SourceAuthError,
    SourceError,
    TransientError,
    retry_after_seconds,
    retrying,
)

MAX_PAGE_SIZE = 500
_TOKEN_MARGIN_SECONDS = 60  # renew a token this long before it expires


def deliverect_time(moment: datetime) -> str:
    """A UTC timestamp as Deliverect's filters take it (``YYYY-MM-DDTHH:mm:ss.ffffffZ``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict):
        for key in ("error_description", "message", "error", "_error"):
            if body.get(key):
                value = body[key]
                return str(value.get("message", value) if isinstance(value, dict) else value)[:200]
    return str(body)[:200]


class DeliverectClient:
    """One set of Deliverect API credentials; ``base_url`` is the API (also the token's audience)."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        base_url: str = "https://api.deliverect.com",
        policy: RetryPolicy | None = None,
        page_size: int = MAX_PAGE_SIZE,
        timeout: float = 30.0,
        clock: Callable[[], float] = time.time,
    ):
        self.base_url = base_url.rstrip("/")
        self.policy = policy or RetryPolicy()
        self.page_size = min(page_size, MAX_PAGE_SIZE)
        self._credentials = {"client_id": client_id, "client_secret": client_secret}
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout)
        self._clock = clock
        self._token: str | None = None
        self._token_expires = 0.0

    def close(self) -> None:
        self._http.close()

    # -- orders ----------------------------------------------------------------------------------------

    def order_pages(
        self, updated_from: datetime, updated_to: datetime, *, account: str | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages of the orders updated in [from, to] (oldest update first), optionally of one account."""
        where: dict[str, Any] = {
            "_updated": {"$gte": deliverect_time(updated_from), "$lte": deliverect_time(updated_to)}
        }
        if account:
            where["account"] = account
        params: dict[str, Any] = {
            "where": json.dumps(where, separators=(",", ":")),
            "sort": "_updated",
            "max_results": self.page_size,
            "cursor": "new",
        }
        page = 1
        while True:
            body = retrying(lambda params=dict(params, page=page): self._get("/orders", params), self.policy)
            items = body.get("_items")
            meta = body.get("_meta") or {}
            if not isinstance(items, list):
                raise SourceError(f"Deliverect GET /orders page {page}: the answer has no _items list")
            yield items
            total = meta.get("total")
            if not items or (isinstance(total, int) and page * self.page_size >= total):
                return
            if meta.get("cursor"):
                params["cursor"] = meta["cursor"]
            page += 1

    # -- requests --------------------------------------------------------------------------------------

    def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        response = self._send("GET", path, params=params, headers={"authorization": f"Bearer {self.token()}"})
        if response.status_code == 401:
            # The token may have expired early or been revoked: one fresh token, then give up.
            self._token = None
            response = self._send(
                "GET", path, params=params, headers={"authorization": f"Bearer {self.token()}"}
            )
            if response.status_code == 401:
                raise SourceAuthError(
                    f"Deliverect refused a fresh access token on GET {path} (401 {_detail(response)}) — "
                    "check that the DELIVERECT_CLIENT_ID credentials may read orders"
                )
        return self._json(response, f"GET {path}")

    def token(self) -> str:
        """A valid access token: the cached one, or a new one from ``POST /oauth/token`` (call within
        ``retrying``: a 429 or 5xx raises TransientError)."""
        if self._token and self._clock() < self._token_expires - _TOKEN_MARGIN_SECONDS:
            return self._token
        body = {**self._credentials, "audience": self.base_url, "grant_type": "client_credentials"}
        response = self._send("POST", "/oauth/token", json=body)
        if response.status_code in (400, 401, 403):
            raise SourceAuthError(
                f"Deliverect rejected the client credentials ({response.status_code} {_detail(response)}) — "
                "check DELIVERECT_CLIENT_ID and DELIVERECT_CLIENT_SECRET, and that DELIVERECT_BASE_URL is "
                "the environment they were issued for (staging or production)"
            )
        payload = self._json(response, "POST /oauth/token")
        token = payload.get("access_token")
        if not isinstance(token, str) or not token:
            raise SourceError("Deliverect POST /oauth/token answered without an access_token")
        expires_at = payload.get("expires_at")
        expires_in = payload.get("expires_in")
        if isinstance(expires_at, int | float):
            self._token_expires = float(expires_at)
        else:
            self._token_expires = self._clock() + float(
                expires_in if isinstance(expires_in, int | float) else 3600
            )
        self._token = token
        return token

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request; transport errors, 429 and 5xx become TransientError."""
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise TransientError(
                f"cannot reach Deliverect at {self.base_url} ({type(exc).__name__}: {exc})"
            ) from None
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientError(
                f"Deliverect {method} {path} answered {response.status_code} ({_detail(response)})",
                retry_after_seconds(response.headers),
            )
        return response

    def _json(self, response: httpx.Response, what: str) -> dict[str, Any]:
        if response.status_code == 403:
            raise SourceAuthError(
                f"Deliverect refused {what} (403 {_detail(response)}) — the credentials lack the scope for it"
            )
        if not 200 <= response.status_code < 300:
            raise SourceError(f"Deliverect {what} failed: {response.status_code} {_detail(response)}")
        try:
            body = response.json()
        except ValueError:
            raise SourceError(f"Deliverect {what} answered with something that is not JSON") from None
        if not isinstance(body, dict):
            raise SourceError(f"Deliverect {what} answered with JSON that is not an object")
        return body
