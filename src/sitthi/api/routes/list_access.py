"""What every request for an area's list goes through, whether it is exported as a file
(`exports`) or read a page at a time (`lists`): the caller's view, a stated purpose, the
list asked for, the part of it the caller may receive; refusals audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import Query, Request

from sitthi.api.auth import Principal, state
from sitthi.api.policy import View, list_scope, view_for
from sitthi.api.problems import Problem
from sitthi.api.routes.registry import release_cursor
from sitthi.registry.lists import (
    LIST_FIELD,
    AreaList,
    BadListRequest,
    ListKind,
    ListRequest,
    ListScope,
)
from sitthi.releases.catalog import Release

Area = Annotated[
    str,
    Query(
        pattern=r"^[0-9]{2}([0-9]{2}){0,2}$",
        description="A DOPA province, district or subdistrict code.",
    ),
]
Programme = Annotated[str | None, Query(pattern=r"^[a-z0-9_]{1,64}$")]
Gap = Annotated[str | None, Query(pattern=r"^[a-z_]{1,40}$")]
ListPurpose = Annotated[str | None, Query(min_length=5, max_length=300)]


@dataclass(frozen=True)
class OpenedList:
    """A list the caller may have, on the release asked for."""

    view: View
    wanted: ListRequest
    scope: ListScope
    release: Release
    listed: AreaList
    purpose: str | None  # as audited: an agency's is its agreement's, whatever it said


def open_list(
    request: Request,
    caller: Principal,
    *,
    kind: ListKind,
    area: str,
    programme: str | None,
    gap: str | None,
    purpose: str | None,
    release: int | None,
) -> OpenedList:
    """The list of ``area`` the caller may receive, or the problem to answer: 422 for a
    list asked for wrongly or without a purpose, 403 (audited) for one out of reach."""
    s = state(request)
    view = view_for(caller, s.ctx.operations, dt.date.today())
    if view.dsa is None and not purpose:
        raise Problem(
            422,
            "purpose-required",
            "ต้องระบุวัตถุประสงค์ของการขอรายชื่อ",
            "state the purpose of the list",
            parameter="purpose",
        )
    try:
        wanted = ListRequest(kind, area, programme, gap)
    except BadListRequest as exc:
        raise Problem(
            422,
            "bad-list",
            f"คำขอรายชื่อไม่ถูกต้อง ({exc.parameter})",
            str(exc),
            parameter=exc.parameter,
        ) from None
    try:
        scope = list_scope(view, caller, wanted.area)
        needed = LIST_FIELD[kind]
        if needed not in scope.fields:
            raise Problem(
                403,
                "list-not-allowed",
                f"ท่านไม่ได้รับอนุญาตให้รับข้อมูล {needed} จึงขอรายชื่อนี้ไม่ได้",
                f"the {kind} list needs the field {needed!r}, which you may not receive",
                parameter="kind",
            )
    except Problem as refused:
        s.audit_refusal(caller, request, refused.status, refused.en)
        raise
    found, cur = release_cursor(request, release)
    return OpenedList(
        view=view,
        wanted=wanted,
        scope=scope,
        release=found,
        listed=AreaList(cur, wanted, scope),
        purpose=view.dsa.purpose if view.dsa else purpose,
    )
