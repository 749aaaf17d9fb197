"""A local fake of Square's Labor, Team and Catalog APIs (what opsbot-labor reads), in Square's wire
format, over real HTTP: SearchTimecards (``POST /v2/labor/timecards/search``: filter on location_ids,
status, start, end and team_member_ids; sort on START_AT, END_AT, CREATED_AT or UPDATED_AT; cursor pages
of ``limit`` ≤ 200 over a snapshot taken by the first request, the original query required with every
cursor), SearchTeamMembers (``POST /v2/team-members/search``, cursor pages), ListCatalog
(``GET /v2/catalog/list`` with ``types``, a case-insensitive comma list, and ``cursor`` query parameters;
pages of ``catalog_page_size``, 100 like Square's), Bearer-token auth, Square's error bodies, and scripted
faults (``rate_limited``, ``unauthorized``) through ``JsonApiServer.fail``.

A filter field Square's ``TimecardFilter`` does not have (``updated_at`` …) is answered 400, so a client
cannot believe it filtered on something Square would not."""

from __future__ import annotations

import copy
import itertools
from datetime import datetime
from typing import Any

from tests.fakes.json_http import Answer, Fault, JsonApiServer, Recorded
from tests.fakes.square_api import UNAUTHORIZED, VALID_TOKEN, rate_limited, square_error

TIMECARDS_PATH = "/v2/labor/timecards/search"
TEAM_MEMBERS_PATH = "/v2/team-members/search"
CATALOG_PATH = "/v2/catalog/list"
CATALOG_PAGE_SIZE = 100
# The CatalogObjectType values ListCatalog takes (those this fake knows of) and its default ``types``.
_CATALOG_TYPES = {
    "ITEM",
    "ITEM_VARIATION",
    "CATEGORY",
    "TAX",
    "DISCOUNT",
    "MODIFIER",
    "MODIFIER_LIST",
    "IMAGE",
}
_DEFAULT_CATALOG_TYPES = {"ITEM", "CATEGORY", "TAX", "DISCOUNT", "MODIFIER_LIST"}
MAX_TIMECARD_LIMIT = 200
DEFAULT_TIMECARD_LIMIT = 200
MAX_TEAM_MEMBER_LIMIT = 200
DEFAULT_TEAM_MEMBER_LIMIT = 100
_FILTER_FIELDS = {"location_ids", "status", "start", "end", "workday", "team_member_ids"}
_SORT_FIELDS = {
    "START_AT": "start_at",
    "END_AT": "end_at",
    "CREATED_AT": "created_at",
    "UPDATED_AT": "updated_at",
}

__all__ = [
    "CATALOG_PATH",
    "TEAM_MEMBERS_PATH",
    "TIMECARDS_PATH",
    "VALID_TOKEN",
    "FakeSquareLabor",
    "rate_limited",
    "unauthorized",
]


def unauthorized(path: str = TIMECARDS_PATH) -> Fault:
    """Square's 401 for ``path`` (a revoked token)."""
    status, body, _ = UNAUTHORIZED
    return Fault(path, status, body)


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _bad(detail: str, field: str | None = None, code: str = "INVALID_VALUE") -> Answer:
    return square_error(400, "INVALID_REQUEST_ERROR", code, detail, field)


class FakeSquareLabor(JsonApiServer):
    """``with FakeSquareLabor(timecards, team_members, catalog=[…]) as square: … square.url …``;
    ``put_timecard`` between syncs models edits (a new version); ``catalog`` holds CatalogObjects (ITEM
    objects with their variations inside) in list order."""

    def __init__(
        self,
        timecards: list[dict],
        team_members: list[dict],
        *,
        catalog: list[dict] | None = None,
        catalog_page_size: int = CATALOG_PAGE_SIZE,
        token: str = VALID_TOKEN,
    ):
        super().__init__()
        self.timecards = {timecard["id"]: copy.deepcopy(timecard) for timecard in timecards}
        self.team_members = copy.deepcopy(team_members)
        self.catalog = copy.deepcopy(catalog or [])
        self.catalog_page_size = catalog_page_size
        self.token = token
        self._cursors: dict[str, tuple[dict, list[dict]]] = {}
        self._cursor_ids = itertools.count(1)

    def put_timecard(self, timecard: dict) -> None:
        """Add a timecard, or replace the one with its id."""
        self.timecards[timecard["id"]] = copy.deepcopy(timecard)

    @property
    def timecard_searches(self) -> list[Recorded]:
        return self.requests_to(TIMECARDS_PATH)

    @property
    def catalog_lists(self) -> list[Recorded]:
        return self.requests_to(CATALOG_PATH)

    # -- the API ---------------------------------------------------------------------------------------

    def answer(self, request: Recorded) -> Answer:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return UNAUTHORIZED
        route = (request.method, request.path)
        body = request.body if isinstance(request.body, dict) else {}
        if route == ("POST", TIMECARDS_PATH):
            return self._paged(body, DEFAULT_TIMECARD_LIMIT, MAX_TIMECARD_LIMIT, "timecards", self._timecards)
        if route == ("POST", TEAM_MEMBERS_PATH):
            return self._paged(
                body, DEFAULT_TEAM_MEMBER_LIMIT, MAX_TEAM_MEMBER_LIMIT, "team_members", self._members
            )
        if route == ("GET", CATALOG_PATH):
            return self._catalog(request.query)
        return square_error(404, "INVALID_REQUEST_ERROR", "NOT_FOUND", f"no route {request.path}")

    def _catalog(self, params: dict[str, str]) -> Answer:
        """One ListCatalog page; the cursor is the offset of the next object (opaque to a client)."""
        if "types" in params:
            types = {part.strip().upper() for part in params["types"].split(",")} - {""}
            unknown = sorted(types - _CATALOG_TYPES)
            if unknown:
                return _bad(f"Unknown object type `{unknown[0]}`.", "types", "INVALID_ENUM_VALUE")
        else:
            types = _DEFAULT_CATALOG_TYPES
        objects = [obj for obj in self.catalog if obj.get("type") in types and not obj.get("is_deleted")]
        cursor = params.get("cursor") or ""
        if cursor and not (cursor.startswith("cat-") and cursor[4:].isdigit()):
            return _bad("Invalid cursor.", "cursor", "INVALID_CURSOR")
        offset = int(cursor[4:]) if cursor else 0
        page: dict[str, Any] = {"objects": copy.deepcopy(objects[offset : offset + self.catalog_page_size])}
        if offset + self.catalog_page_size < len(objects):
            page["cursor"] = f"cat-{offset + self.catalog_page_size}"
        return 200, page, {}

    def _paged(self, body: dict, default: int, maximum: int, key: str, matching) -> Answer:
        limit = body.get("limit", default)
        if not isinstance(limit, int) or not 1 <= limit <= maximum:
            return _bad(f"limit must be from 1 to {maximum}", "limit")
        original = {k: v for k, v in body.items() if k not in ("cursor", "limit")}
        cursor = body.get("cursor")
        if cursor:
            if cursor not in self._cursors:
                return _bad("Invalid cursor.", "cursor", "INVALID_CURSOR")
            asked, matches = self._cursors[cursor]
            if asked != original:
                return _bad("The query must be the original query when a cursor is given.", "query")
            offset = int(cursor.split(":")[1])
        else:
            found = matching(body.get("query") or {})
            if isinstance(found, tuple):
                return found
            matches, offset = found, 0
        page: dict[str, Any] = {key: matches[offset : offset + limit]}
        if offset + limit < len(matches):
            token = f"c{next(self._cursor_ids)}:{offset + limit}"
            self._cursors[token] = (original, matches)
            page["cursor"] = token
        return 200, page, {}

    def _members(self, query: dict) -> list[dict] | Answer:
        search = query.get("filter") or {}
        wanted = set(search.get("location_ids") or [])
        status = search.get("status")
        members = []
        for member in self.team_members:
            if status and member.get("status") != status:
                continue
            assigned = member.get("assigned_locations") or {}
            everywhere = assigned.get("assignment_type") == "ALL_CURRENT_AND_FUTURE_LOCATIONS"
            if wanted and not everywhere and not wanted & set(assigned.get("location_ids") or []):
                continue
            members.append(member)
        return copy.deepcopy(members)

    def _timecards(self, query: dict) -> list[dict] | Answer:
        search = query.get("filter") or {}
        unknown = sorted(set(search) - _FILTER_FIELDS)
        if unknown:
            return _bad(f"Unknown field `{unknown[0]}` in TimecardFilter.", f"query.filter.{unknown[0]}")
        if "workday" in search:
            return _bad("this fake does not filter on workday", "query.filter.workday")
        sort = query.get("sort") or {}
        sort_field = _SORT_FIELDS.get(sort.get("field", "START_AT"))
        if sort_field is None:
            return _bad("bad sort field", "query.sort.field", "INVALID_ENUM_VALUE")
        if sort.get("order", "DESC") not in ("ASC", "DESC"):
            return _bad("bad sort order", "query.sort.order", "INVALID_ENUM_VALUE")
        ranges = {}
        for name in ("start", "end"):
            window = search.get(name) or {}
            ranges[f"{name}_at"] = (
                _moment(window["start_at"]) if window.get("start_at") else None,
                _moment(window["end_at"]) if window.get("end_at") else None,
            )
        locations = set(search.get("location_ids") or [])
        members = set(search.get("team_member_ids") or [])
        status = search.get("status")
        matches = []
        for timecard in self.timecards.values():
            if locations and timecard.get("location_id") not in locations:
                continue
            if members and timecard.get("team_member_id") not in members:
                continue
            if status and timecard.get("status") != status:
                continue
            if not self._in_ranges(timecard, ranges):
                continue
            matches.append(timecard)
        matches.sort(
            key=lambda tc: self._sort_key(tc, sort_field), reverse=sort.get("order", "DESC") == "DESC"
        )
        return copy.deepcopy(matches)

    @staticmethod
    def _sort_key(timecard: dict, field: str) -> tuple:
        """By the field's time (a timecard without a readable one first), then by id."""
        try:
            return (1, _moment(timecard[field]), timecard["id"])
        except (KeyError, TypeError, ValueError, AttributeError):
            return (0, None, timecard["id"])

    @staticmethod
    def _in_ranges(timecard: dict, ranges: dict) -> bool:
        for field, (low, high) in ranges.items():
            if low is None and high is None:
                continue
            try:
                moment = _moment(timecard[field])
            except (KeyError, TypeError, ValueError, AttributeError):
                return False
            if (low and moment < low) or (high and moment > high):
                return False
        return True
