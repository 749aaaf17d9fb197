"""A local fake of Deliverect's API (the parts opsbot reads), in Deliverect's wire format: the OAuth
client-credentials token endpoint and ``GET /orders`` with ``where`` (``_updated`` range, ``account``),
``sort``, ``max_results`` (≤ 500), and cursor paging (``cursor=new``, then ``_meta.cursor`` with ``page``)
over a snapshot taken by the first page."""

from __future__ import annotations

import copy
import itertools
import json
import time
from datetime import datetime
from typing import Any

from tests.fakes.json_http import Answer, Fault, JsonApiServer, Recorded

CLIENT_ID = "test-client-id"
CLIENT_SECRET = "test-client-secret"
_UNAUTHORIZED: Answer = (
    401,
    {"_status": "ERR", "_error": {"code": 401, "message": "Please provide proper credentials"}},
    {},
)


def rate_limited(path: str = "/orders") -> Fault:
    return Fault(path, 429, {"_status": "ERR", "_error": {"code": 429, "message": "Too Many Requests"}})


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class FakeDeliverect(JsonApiServer):
    """``with FakeDeliverect(orders) as api: … api.url …``; ``put_order`` adds or replaces an order."""

    def __init__(self, orders: list[dict], *, token_lifetime: int = 3600):
        super().__init__()
        self.orders: dict[str, dict] = {}
        for order in orders:
            self.put_order(order)
        self.token_lifetime = token_lifetime
        self.tokens: dict[str, float] = {}  # token → expires_at
        self._token_ids = itertools.count(1)
        self._cursors: dict[str, list[dict]] = {}
        self._cursor_ids = itertools.count(1)

    def put_order(self, order: dict) -> None:
        self.orders[order["_id"]] = copy.deepcopy(order)

    def revoke_tokens(self) -> None:
        self.tokens.clear()

    def answer(self, request: Recorded) -> Answer:
        route = (request.method, request.path)
        if route == ("POST", "/oauth/token"):
            return self._token(request.body if isinstance(request.body, dict) else {})
        token = (request.headers.get("authorization") or "").removeprefix("Bearer ")
        if self.tokens.get(token, 0) < time.time():
            return _UNAUTHORIZED
        if route == ("GET", "/orders"):
            return self._orders(request.query)
        return (
            404,
            {"_status": "ERR", "_error": {"code": 404, "message": "The requested URL was not found"}},
            {},
        )

    def _token(self, body: dict) -> Answer:
        if (
            body.get("client_id") != CLIENT_ID
            or body.get("client_secret") != CLIENT_SECRET
            or body.get("grant_type") != "client_credentials"
        ):
            return 401, {"error": "access_denied", "error_description": "Unauthorized"}, {}
        if body.get("audience") != self.url:
            return (
                403,
                {"error": "access_denied", "error_description": "Service not enabled within domain"},
                {},
            )
        token = f"token-{next(self._token_ids)}"
        expires_at = int(time.time()) + self.token_lifetime
        self.tokens[token] = expires_at
        return (
            200,
            {
                "access_token": token,
                "expires_at": expires_at,
                "expires_in": self.token_lifetime,
                "scope": "genericPOS",
                "token_type": "Bearer",
            },
            {},
        )

    def _orders(self, query: dict[str, str]) -> Answer:
        max_results = int(query.get("max_results", 25))
        if not 1 <= max_results <= 500:
            return (
                422,
                {"_status": "ERR", "_error": {"code": 422, "message": "max_results must be 1..500"}},
                {},
            )
        page = int(query.get("page", 1))
        cursor = query.get("cursor")
        if cursor and cursor != "new":
            if cursor not in self._cursors:
                return 400, {"_status": "ERR", "_error": {"code": 400, "message": "Unknown cursor"}}, {}
            matches = self._cursors[cursor]
        else:
            matches = self._matching(json.loads(query.get("where") or "{}"), query.get("sort"))
            if cursor == "new":
                cursor = f"cursor-{next(self._cursor_ids)}"
                self._cursors[cursor] = matches
        offset = (page - 1) * max_results
        meta: dict[str, Any] = {"page": page, "max_results": max_results, "total": len(matches)}
        if cursor:
            meta["cursor"] = cursor
        body: dict[str, Any] = {"_items": matches[offset : offset + max_results], "_meta": meta}
        if not cursor and not query.get("sort"):
            body["warning"] = "For more correct paged results, please use sort, cursor or preference"
        return 200, body, {}

    def _matching(self, where: dict, sort: str | None) -> list[dict]:
        window = where.get("_updated") or {}
        low = _moment(window["$gte"]) if "$gte" in window else None
        high = _moment(window["$lte"]) if "$lte" in window else None
        found = []
        for order in self.orders.values():
            if where.get("account") and order.get("account") != where["account"]:
                continue
            updated = _moment(order.get("_updated") or order["_created"])
            if (low and updated < low) or (high and updated > high):
                continue
            found.append(order)
        if sort:
            field = sort.lstrip("-")
            found.sort(key=lambda o: (o.get(field) or "", o["_id"]), reverse=sort.startswith("-"))
        return copy.deepcopy(found)
