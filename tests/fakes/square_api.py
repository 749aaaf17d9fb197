"""A local fake of Square's REST API (the parts opsbot reads), in Square's wire format: ListLocations,
ListCatalog (cursor pages), SearchOrders (≤ 10 location ids, one date-time filter sorted on the same field,
cursor pages over a snapshot taken by the first request, the original query required with every cursor),
Bearer-token auth, and Square's error bodies for 400/401/429."""

from __future__ import annotations

import copy
import itertools
from datetime import datetime
from typing import Any

from tests.fakes.json_http import Answer, Fault, JsonApiServer, Recorded

VALID_TOKEN = "EAAA-test-square-token"
MAX_LOCATION_IDS = 10
_SORT_FIELDS = {"CREATED_AT": "created_at", "UPDATED_AT": "updated_at", "CLOSED_AT": "closed_at"}


def square_error(status: int, category: str, code: str, detail: str, field: str | None = None) -> Answer:
    error = {"category": category, "code": code, "detail": detail}
    if field:
        error["field"] = field
    return status, {"errors": [error]}, {}


UNAUTHORIZED = square_error(
    401, "AUTHENTICATION_ERROR", "UNAUTHORIZED", "This request could not be authorized."
)


def rate_limited(path: str = "/v2/orders/search", retry_after: str | None = None) -> Fault:
    """Square's 429 for ``path`` (with a Retry-After header if given)."""
    status, body, _ = square_error(429, "RATE_LIMIT_ERROR", "RATE_LIMITED", "Rate limit exceeded.")
    return Fault(path, status, body, {"retry-after": retry_after} if retry_after else {})


def server_error(path: str = "/v2/orders/search") -> Fault:
    status, body, _ = square_error(500, "API_ERROR", "INTERNAL_SERVER_ERROR", "An internal error occurred.")
    return Fault(path, status, body)


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class FakeSquare(JsonApiServer):
    """``with FakeSquare(locations, catalog, orders) as square: … square.url …``; mutate ``orders`` between
    syncs (``put_order``) to model late and updated orders."""

    def __init__(
        self,
        locations: list[dict],
        catalog: list[dict],
        orders: list[dict],
        *,
        token: str = VALID_TOKEN,
        max_page_size: int = 1000,
        catalog_page_size: int = 100,
    ):
        super().__init__()
        self.locations = locations
        self.catalog = catalog
        self.orders = {order["id"]: order for order in orders}
        self.token = token
        self.max_page_size = max_page_size
        self.catalog_page_size = catalog_page_size
        self._cursors: dict[str, tuple[dict, list[dict]]] = {}
        self._cursor_ids = itertools.count(1)

    def put_order(self, order: dict) -> None:
        """Add an order, or replace the one with its id (a new version)."""
        self.orders[order["id"]] = copy.deepcopy(order)

    @property
    def searches(self) -> list[Recorded]:
        return self.requests_to("/v2/orders/search")

    # -- the API ---------------------------------------------------------------------------------------

    def answer(self, request: Recorded) -> Answer:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return UNAUTHORIZED
        route = (request.method, request.path)
        if route == ("GET", "/v2/locations"):
            return 200, {"locations": self.locations}, {}
        if route == ("GET", "/v2/catalog/list"):
            return self._catalog(request)
        if route == ("POST", "/v2/orders/search"):
            return self._search(request)
        return square_error(404, "INVALID_REQUEST_ERROR", "NOT_FOUND", f"no route {request.path}")

    def _catalog(self, request: Recorded) -> Answer:
        types = set((request.query.get("types") or "").split(",")) - {""}
        objects = [o for o in self.catalog if not types or o["type"] in types]
        start = int(request.query.get("cursor") or 0)
        end = start + self.catalog_page_size
        page: dict[str, Any] = {"objects": objects[start:end]}
        if end < len(objects):
            page["cursor"] = str(end)
        return 200, page, {}

    def _search(self, request: Recorded) -> Answer:
        body = request.body if isinstance(request.body, dict) else {}
        location_ids = body.get("location_ids") or []
        if not location_ids:
            return square_error(
                400, "INVALID_REQUEST_ERROR", "MISSING_REQUIRED_PARAMETER", "", "location_ids"
            )
        if len(location_ids) > MAX_LOCATION_IDS:
            return square_error(
                400,
                "INVALID_REQUEST_ERROR",
                "INVALID_ARRAY_LENGTH",
                f"Expected `location_ids` to contain at most {MAX_LOCATION_IDS} items.",
                "location_ids",
            )
        known = {loc["id"] for loc in self.locations}
        if set(location_ids) - known:
            return square_error(
                400, "INVALID_REQUEST_ERROR", "NOT_FOUND", "Location not found.", "location_ids"
            )
        limit = body.get("limit", 500)
        if not 1 <= limit <= 1000:
            return square_error(400, "INVALID_REQUEST_ERROR", "INVALID_VALUE", "limit out of range", "limit")
        cursor = body.get("cursor")
        if cursor:
            if cursor not in self._cursors:
                return square_error(400, "INVALID_REQUEST_ERROR", "INVALID_CURSOR", "Invalid cursor.")
            original, matches = self._cursors[cursor]
            asked = {k: v for k, v in body.items() if k not in ("cursor", "limit")}
            if asked != original:
                return square_error(
                    400,
                    "INVALID_REQUEST_ERROR",
                    "INVALID_VALUE",
                    "The query must be the original query when a cursor is given.",
                    "query",
                )
            offset = int(cursor.split(":")[1])
        else:
            matches_or_error = self._matching(body, request)
            if isinstance(matches_or_error, tuple):
                return matches_or_error
            matches = matches_or_error
            original = {k: v for k, v in body.items() if k not in ("cursor", "limit")}
            offset = 0
        size = min(limit, self.max_page_size)
        page: dict[str, Any] = {}
        chunk = matches[offset : offset + size]
        if body.get("return_entries"):
            page["order_entries"] = [
                {"order_id": o["id"], "location_id": o["location_id"], "version": o.get("version", 1)}
                for o in chunk
            ]
        else:
            page["orders"] = chunk
        if offset + size < len(matches):
            token = f"c{next(self._cursor_ids)}:{offset + size}"
            self._cursors[token] = (original, matches)
            page["cursor"] = token
        return 200, page, {}

    def _matching(self, body: dict, request: Recorded) -> list[dict] | Answer:
        query = body.get("query") or {}
        time_filter = (query.get("filter") or {}).get("date_time_filter") or {}
        sort = query.get("sort") or {}
        sort_field = _SORT_FIELDS.get(sort.get("sort_field", "CREATED_AT"))
        if sort_field is None:
            return square_error(400, "INVALID_REQUEST_ERROR", "INVALID_ENUM_VALUE", "bad sort_field")
        if len(time_filter) > 1:
            return square_error(
                400, "INVALID_REQUEST_ERROR", "INVALID_VALUE", "Only one time range filter is allowed."
            )
        if time_filter and next(iter(time_filter)) != sort_field:
            return square_error(
                400,
                "INVALID_REQUEST_ERROR",
                "INVALID_VALUE",
                "The sort_field must match the field of the date_time_filter.",
                "query.sort.sort_field",
            )
        window = time_filter.get(sort_field) or {}
        start = _moment(window["start_at"]) if window.get("start_at") else None
        end = _moment(window["end_at"]) if window.get("end_at") else None
        wanted = set(body["location_ids"])
        matches = []
        for order in self.orders.values():
            if order["location_id"] not in wanted or not order.get(sort_field):
                continue
            moment = _moment(order[sort_field])
            if (start and moment < start) or (end and moment > end):
                continue
            matches.append(order)
        matches.sort(
            key=lambda o: (_moment(o[sort_field]), o["id"]), reverse=sort.get("sort_order") == "DESC"
        )
        return copy.deepcopy(matches)
