"""Square's REST API through the official ``squareup`` SDK: locations, the catalog and SearchOrders pages,
returned as the JSON payloads ``square_parser`` reads (the same shapes the fixture files hold).

The Square API version is pinned here (``SQUARE_API_VERSION``) and sent with every request. The SDK's own
retries are switched off so ``api_calls.retrying`` bounds them for every request alike, connection errors
included.

Catalog and order pages are requested through the SDK's own HTTP client (its base URL, token, Square-Version
header and transport) but read as plain JSON: building the SDK's typed objects for one 500-order
SearchOrders page and dumping them back to JSON costs about 7 s of CPU (measured), against well under 0.1 s
for the JSON itself — too slow for a trailing-window re-read every few minutes. Small responses
(ListLocations) use the typed SDK method.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from square import Square
from square.core.api_error import ApiError
from square.environment import SquareEnvironment

from tools.sources.api_calls import (
    RetryPolicy,
    SourceAuthError,
    SourceError,
    TransientError,
    retry_after_seconds,
    retrying,
)

# The Square-Version these requests and square_parser are written against (Square dates its versions).
SQUARE_API_VERSION = "2026-09-16"
# SearchOrders accepts at most this many location ids per request.
MAX_SEARCH_LOCATIONS = 10
# The object types the menu needs from the catalog.
CATALOG_TYPES = "ITEM,CATEGORY"
_NO_SDK_RETRIES: Any = {"max_retries": 0}

T = TypeVar("T")


def as_payload(model: Any) -> dict[str, Any]:
    """An SDK response object back as the JSON the API sent (only the fields it sent)."""
    return model.model_dump(mode="json", by_alias=True, exclude_unset=True)


def square_time(moment: datetime) -> str:
    """An RFC 3339 UTC timestamp as Square's filters take it."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _error_detail(body: Any) -> str:
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        return f"{first.get('code', 'ERROR')}: {first.get('detail') or first.get('category') or ''}".rstrip(
            ": "
        )
    return str(body)[:200] if body else "no details"


class SquareClient:
    """One Square account; ``environment`` is ``production`` or ``sandbox``, ``base_url`` overrides it."""

    def __init__(
        self,
        token: str,
        *,
        environment: str = "production",
        base_url: str | None = None,
        policy: RetryPolicy | None = None,
        page_size: int = 500,
        timeout: float = 30.0,
        httpx_client: httpx.Client | None = None,
    ):
        env = SquareEnvironment.SANDBOX if environment == "sandbox" else SquareEnvironment.PRODUCTION
        self.environment = environment
        self.url = base_url or env.value
        self.policy = policy or RetryPolicy()
        self.page_size = page_size
        self._sdk = Square(
            token=token,
            environment=env,
            base_url=base_url,
            version=SQUARE_API_VERSION,
            timeout=timeout,
            httpx_client=httpx_client,
        )

    def list_locations(self) -> dict[str, Any]:
        """The ListLocations response."""
        return as_payload(
            self._call("ListLocations", lambda: self._sdk.locations.list(request_options=_NO_SDK_RETRIES))
        )

    def catalog_objects(self) -> list[dict[str, Any]]:
        """Every ITEM (with its variations) and CATEGORY object, all ListCatalog pages."""
        objects: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params = {"types": CATALOG_TYPES, **({"cursor": cursor} if cursor else {})}
            page = self._call(
                "ListCatalog", lambda params=params: self._json("GET", "v2/catalog/list", params=params)
            )
            objects += page.get("objects") or []
            cursor = page.get("cursor")
            if not cursor:
                return objects

    def search_orders(
        self, location_ids: Sequence[str], updated_from: datetime, updated_to: datetime
    ) -> Iterator[dict[str, Any]]:
        """SearchOrders pages of the orders updated in [from, to], oldest update first, cursor by cursor.

        Filter and sort use the same field (``updated_at``), as Square requires; every page repeats the
        original query with the cursor, as Square requires too."""
        if not 0 < len(location_ids) <= MAX_SEARCH_LOCATIONS:
            raise ValueError(
                f"SearchOrders takes 1 to {MAX_SEARCH_LOCATIONS} location ids, got {len(location_ids)}"
            )
        query = {
            "filter": {
                "date_time_filter": {
                    "updated_at": {"start_at": square_time(updated_from), "end_at": square_time(updated_to)}
                }
            },
            "sort": {"sort_field": "UPDATED_AT", "sort_order": "ASC"},
        }
        cursor: str | None = None
        while True:
            body = {
                "location_ids": list(location_ids),
                "query": query,
                "limit": self.page_size,
                "return_entries": False,
                **({"cursor": cursor} if cursor else {}),
            }
            page = self._call(
                "SearchOrders", lambda body=body: self._json("POST", "v2/orders/search", body=body)
            )
            yield page
            cursor = page.get("cursor")
            if not cursor:
                return

    def _json(
        self, method: str, path: str, *, params: dict | None = None, body: dict | None = None
    ) -> dict[str, Any]:
        """One request through the SDK's HTTP client, its JSON answer; non-2xx raises the SDK's ApiError."""
        http = self._sdk._client_wrapper.httpx_client
        response = http.request(
            path,
            method=method,
            params=params,
            json=body,
            headers={"content-type": "application/json"} if body is not None else None,
            request_options=_NO_SDK_RETRIES,
        )
        try:
            payload = response.json()
        except ValueError:
            payload = response.text
        if 200 <= response.status_code < 300 and isinstance(payload, dict):
            return payload
        raise ApiError(status_code=response.status_code, headers=dict(response.headers), body=payload)

    def _call(self, what: str, request: Callable[[], T]) -> T:
        return retrying(lambda: self._once(what, request), self.policy)

    def _once(self, what: str, request: Callable[[], T]) -> T:
        try:
            return request()
        except ApiError as exc:
            status = exc.status_code or 0
            detail = _error_detail(exc.body)
            if status == 401:
                raise SourceAuthError(
                    f"Square rejected the access token ({status} {detail}) — check SQUARE_ACCESS_TOKEN; "
                    f"it may be revoked or be for another environment (this is {self.environment}: "
                    "SQUARE_ENVIRONMENT)"
                ) from None
            if status == 403:
                raise SourceAuthError(
                    f"Square refused {what} ({status} {detail}) — the access token needs the "
                    "MERCHANT_PROFILE_READ, ITEMS_READ and ORDERS_READ permissions"
                ) from None
            if status == 429 or status >= 500:
                raise TransientError(
                    f"Square {what} answered {status} ({detail})", retry_after_seconds(exc.headers)
                ) from None
            raise SourceError(f"Square {what} failed: {status} {detail}") from None
        except httpx.TransportError as exc:
            raise TransientError(f"cannot reach Square at {self.url} ({type(exc).__name__}: {exc})") from None
