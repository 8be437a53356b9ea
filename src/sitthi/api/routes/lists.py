"""An area's gap or outreach list a page at a time, as JSON (the dashboard's tables): the
same list, columns, scope and refusals as the exports, audited with everyone on the page
before it is answered."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from pydantic import BaseModel

from sitthi.api.auth import Principal, guarded, require, state
from sitthi.api.permissions import Permission
from sitthi.api.routes.list_access import Area, Gap, ListPurpose, Programme, open_list
from sitthi.api.routes.registry import ReleaseQuery
from sitthi.api.state import audited_persons
from sitthi.registry.lists import ListKind

router = APIRouter(prefix="/api/v1/lists", tags=["exports"])

#: Rows a page holds at most (a whole list is an export).
MAX_PAGE = 1000


class ListPage(BaseModel):
    release: int
    as_of: str
    kind: ListKind
    area: str
    columns: list[str]
    labels_th: list[str]
    rows: list[dict[str, Any]]
    total: int
    offset: int
    limit: int
    next_offset: int | None
    real_ids: bool


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@router.get("/{kind}", response_model=ListPage, **guarded(Permission.EXPORT_LISTS))
def list_page(
    request: Request,
    kind: Annotated[ListKind, PathParam(description="gaps or outreach")],
    area: Area,
    caller: Annotated[Principal, Depends(require(Permission.EXPORT_LISTS))],
    programme: Programme = None,
    gap: Gap = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Rows per page.")] = 100,
    purpose: ListPurpose = None,
    release: ReleaseQuery = None,
) -> ListPage:
    """A page of an area's gap or outreach list, with its total; the columns are the
    caller's (as in the exports), and everyone on the page is audited."""
    opened = open_list(
        request,
        caller,
        kind=kind,
        area=area,
        programme=programme,
        gap=gap,
        purpose=purpose,
        release=release,
    )
    listed = opened.listed
    total = listed.total()
    found, keys = listed.page(offset, limit)
    named, without_id = audited_persons(keys)
    query: dict[str, Any] = {
        "list": kind,
        "area": opened.wanted.area,
        "programme": programme,
        "gap": gap,
        "offset": offset,
        "limit": limit,
        "real_ids": opened.scope.real_ids,
        "persons_without_id": without_id or None,
    }
    state(request).record(
        caller,
        request,
        action="read",
        persons=named,
        fields=sorted({c.field for c in listed.columns}),
        release=opened.release.number,
        purpose=opened.purpose,
        query={k: v for k, v in query.items() if v is not None},
    )
    return ListPage(
        release=opened.release.number,
        as_of=opened.release.as_of,
        kind=kind,
        area=opened.wanted.area,
        columns=listed.header,
        labels_th=listed.labels_th,
        rows=[dict(zip(listed.header, map(_json, r), strict=True)) for r in found],
        total=total,
        offset=offset,
        limit=limit,
        next_offset=offset + limit if offset + limit < total else None,
        real_ids=opened.scope.real_ids,
    )
