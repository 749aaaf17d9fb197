"""Square's Labor, Team and Catalog APIs through the official ``squareup`` SDK: SearchTimecards pages of one
location, every team member and every catalog ITEM (ListCatalog), as the JSON payloads Square sent.

Settings come from the environment mapping handed in (never ``os.environ``): ``SQUARE_ACCESS_TOKEN``,
``SQUARE_ENVIRONMENT`` (``production`` or ``sandbox``), ``SQUARE_BASE_URL`` (a test server in place of
Square's) and ``SQUARE_LOCATION_IDS`` (a comma list: only these locations). The SDK's own retries (which
sleep on the wall clock) are switched off; 429 and 5xx answers and dropped connections are retried here with
exponential backoff, waiting what ``Retry-After`` asks, through an injectable ``sleep``. Requests go through
the SDK's typed methods (its base URL, token, Square-Version header); the answer is read as the JSON body
Square sent, kept by a response hook on the SDK's HTTP client.

SearchTimecards filters on location, status, start, end, workday and team member, not on ``updated_at``
(Square's ``TimecardFilter``): an incremental read sorts on ``UPDATED_AT`` newest first and stops at the
first page that reaches back past the wanted time, dropping the older timecards of that page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from square import Square
from square.core.api_error import ApiError
from square.environment import SquareEnvironment

from opsbot_labor.square_timecards import updated_at
from tools.plugin_api import RetryPolicy, SourceError, TransientError, retry_after_seconds, retrying

TOKEN = "SQUARE_ACCESS_TOKEN"
ENVIRONMENT = "SQUARE_ENVIRONMENT"
BASE_URL = "SQUARE_BASE_URL"
LOCATION_IDS = "SQUARE_LOCATION_IDS"
# The Square-Version these requests and the parser are written against (Timecard needs 2025-05-21 or later).
SQUARE_API_VERSION = "2026-09-16"
# SearchTimecards pages hold at most 200 timecards (and 200 by default).
TIMECARD_PAGE_SIZE = 200
# ListCatalog's ``types``: items only (their variations, with the vendor costs, come inside them).
CATALOG_TYPES = "ITEM"
_NO_SDK_RETRIES: Any = {"max_retries": 0}
# The permissions each request needs, named when Square answers 403.
_PERMISSIONS = {
    "SearchTimecards": "the TIMECARDS_READ and EMPLOYEES_READ permissions",
    "SearchTeamMembers": "the TIMECARDS_READ and EMPLOYEES_READ permissions",
    "ListCatalog": "the ITEMS_READ permission",
}
_ENVIRONMENTS = {"production": SquareEnvironment.PRODUCTION, "sandbox": SquareEnvironment.SANDBOX}

T = TypeVar("T")


@dataclass(frozen=True)
class SquareLaborSettings:
    """The Square account to read: its token, ``production``/``sandbox``, a base URL override, and the
    Square location ids to keep to (empty: every store location with one)."""

    token: str
    environment: str = "production"
    base_url: str | None = None
    location_ids: tuple[str, ...] = ()

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> SquareLaborSettings | None:
        """The settings in ``environ``; None when SQUARE_ACCESS_TOKEN is absent or blank."""
        token = (environ.get(TOKEN) or "").strip()
        if not token:
            return None
        environment = (environ.get(ENVIRONMENT) or "production").strip().lower()
        if environment not in _ENVIRONMENTS:
            raise SourceError(f"{ENVIRONMENT}={environ.get(ENVIRONMENT)!r} — use production or sandbox")
        base_url = (environ.get(BASE_URL) or "").strip() or None
        ids = tuple(part.strip() for part in (environ.get(LOCATION_IDS) or "").split(",") if part.strip())
        return cls(token=token, environment=environment, base_url=base_url, location_ids=ids)


class NotPermitted(SourceError):
    """The account or token cannot use this API (403, or 404 where it is not offered): for the Labor API
    that means the business does not keep labor in Square, so the sync says so and goes on."""


def square_time(moment: datetime) -> str:
    """An RFC 3339 UTC timestamp the way Square's filters take it."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _error_detail(body: Any) -> str:
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        detail = f"{first.get('code', 'ERROR')}: {first.get('detail') or first.get('category') or ''}"
        return " ".join(detail.split()).rstrip(": ")
    text = " ".join(str(body).split())[:200] if body else ""
    return text or "no details"


class SquareLaborClient:
    """One Square account's timecards, team members and catalog items; ``close()`` when done (or use
    ``with``)."""

    def __init__(
        self,
        settings: SquareLaborSettings,
        *,
        backoff: RetryPolicy | None = None,
        page_size: int = TIMECARD_PAGE_SIZE,
        timeout: float = 30.0,
    ) -> None:
        self.settings = settings
        self.backoff = backoff or RetryPolicy(max_delay=60.0)
        self.page_size = page_size
        environment = _ENVIRONMENTS[settings.environment]
        self.url = settings.base_url or environment.value
        self._last_response: httpx.Response | None = None
        self._http = httpx.Client(timeout=timeout, event_hooks={"response": [self._keep_response]})
        self._sdk = Square(
            token=settings.token,
            environment=environment,
            base_url=settings.base_url,
            version=SQUARE_API_VERSION,
            timeout=timeout,
            httpx_client=self._http,
        )

    def __enter__(self) -> SquareLaborClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _keep_response(self, response: httpx.Response) -> None:
        self._last_response = response

    # -- the API ---------------------------------------------------------------------------------------

    def team_members(self) -> dict[str, Any]:
        """Every team member of the account (all SearchTeamMembers pages) as one ``{"team_members": […]}``."""
        members: list[Any] = []
        cursor: str | None = None
        while True:
            page = self._call(
                "SearchTeamMembers",
                lambda cursor=cursor: self._sdk.team_members.search(
                    **({"cursor": cursor} if cursor else {}), request_options=_NO_SDK_RETRIES
                ),
            )
            found = page.get("team_members") or []
            if not isinstance(found, list):
                raise SourceError("Square SearchTeamMembers answered team_members that is not a list")
            members += found
            cursor = page.get("cursor")
            if not cursor:
                return {"team_members": members}

    def catalog_items(self) -> list[dict[str, Any]]:
        """Every ITEM object of the catalog (all ListCatalog pages, ``types=ITEM``), each exactly as Square
        sent it, its variations inside ``item_data.variations``."""
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            page = self._call(
                "ListCatalog",
                lambda cursor=cursor: self._sdk.catalog.list(
                    types=CATALOG_TYPES,
                    **({"cursor": cursor} if cursor else {}),
                    request_options=_NO_SDK_RETRIES,
                ),
            )
            found = page.get("objects") or []
            if not isinstance(found, list):
                raise SourceError("Square ListCatalog answered objects that is not a list")
            items += [obj for obj in found if isinstance(obj, dict) and obj.get("type") == "ITEM"]
            cursor = page.get("cursor")
            if not cursor:
                return items

    def timecard_query(self, square_location_id: str, started_from: datetime | None) -> dict[str, Any]:
        """The SearchTimecards query for one location: newest update first, starting from ``started_from``
        when given."""
        search_filter: dict[str, Any] = {"location_ids": [square_location_id]}
        if started_from is not None:
            search_filter["start"] = {"start_at": square_time(started_from)}
        return {"filter": search_filter, "sort": {"field": "UPDATED_AT", "order": "DESC"}}

    def timecard_pages(
        self,
        square_location_id: str,
        *,
        started_from: datetime | None = None,
        updated_since: datetime | None = None,
    ) -> Iterator[list[Any]]:
        """The location's timecards page by page, most recently updated first: those that start from
        ``started_from``, and (``updated_since``) only those updated since then — reading stops at the
        first page that reaches past it. A timecard without a readable ``updated_at`` is kept (the parser
        rejects it)."""
        query = self.timecard_query(square_location_id, started_from)
        cursor: str | None = None
        while True:
            page = self._call(
                "SearchTimecards",
                lambda cursor=cursor: self._sdk.labor.search_timecards(
                    query=query,  # type: ignore[arg-type]
                    limit=self.page_size,
                    **({"cursor": cursor} if cursor else {}),
                    request_options=_NO_SDK_RETRIES,
                ),
            )
            timecards = page.get("timecards") or []
            if not isinstance(timecards, list):
                raise SourceError("Square SearchTimecards answered timecards that is not a list")
            cursor = page.get("cursor")
            if updated_since is None:
                yield timecards
            else:
                moments = [updated_at(timecard) for timecard in timecards]
                yield [
                    tc for tc, at in zip(timecards, moments, strict=True) if at is None or at >= updated_since
                ]
                if any(at is not None and at < updated_since for at in moments):
                    return
            if not cursor:
                return

    # -- requests, errors and retries ------------------------------------------------------------------

    def _call(self, what: str, request: Callable[[], Any]) -> dict[str, Any]:
        return retrying(lambda: self._once(what, request), self.backoff)

    def _once(self, what: str, request: Callable[[], Any]) -> dict[str, Any]:
        self._last_response = None
        try:
            request()
            return self._answer(what)
        except ApiError as exc:
            status = exc.status_code or 0
            detail = _error_detail(exc.body)
            if status == 401:
                raise SourceError(
                    f"Square rejected the access token on {what} ({status} {detail}) — check {TOKEN}; it "
                    f"may be revoked or be for another environment (this is {self.settings.environment}: "
                    f"{ENVIRONMENT})"
                ) from None
            if status == 403:
                raise NotPermitted(
                    f"Square refused {what} ({status} {detail}) — {TOKEN} needs {_PERMISSIONS[what]}"
                ) from None
            if status == 429 or status >= 500:
                raise TransientError(
                    f"Square {what} answered {status} ({detail})", retry_after_seconds(exc.headers)
                ) from None
            if status == 404:
                raise NotPermitted(f"Square {what} is not available at {self.url} (404 {detail})") from None
            raise SourceError(f"Square {what} failed: {status} {detail}") from None
        except httpx.TransportError as exc:
            raise TransientError(f"cannot reach Square at {self.url} ({type(exc).__name__}: {exc})") from None

    def _answer(self, what: str) -> dict[str, Any]:
        """The JSON body of the response the SDK just read, exactly as Square sent it (the SDK's typed copy
        of a malformed payload would not round-trip)."""
        response = self._last_response
        if response is None:
            raise SourceError(f"Square {what}: the SDK returned without a response")
        try:
            body = response.json()
        except ValueError:
            raise SourceError(
                f"Square {what} answered {response.status_code} with a body that is not JSON"
            ) from None
        if not isinstance(body, dict):
            raise SourceError(
                f"Square {what} answered {response.status_code} with JSON that is not an object"
            )
        return body
