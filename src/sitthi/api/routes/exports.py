"""Gap and outreach lists of an area, as CSV (streamed) or Excel, audited before the
first row leaves: who asked, for what, under which agreement, and everyone listed."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from starlette.background import BackgroundTask
from starlette.responses import FileResponse, StreamingResponse

from sitthi.api.auth import Principal, guarded, require, state
from sitthi.api.permissions import Permission
from sitthi.api.policy import list_scope, view_for
from sitthi.api.problems import Problem
from sitthi.api.routes.registry import ReleaseQuery, release_cursor
from sitthi.registry.list_files import about_list, csv_chunks, write_xlsx
from sitthi.registry.lists import (
    LIST_FIELD,
    LIST_TITLES,
    AreaList,
    BadListRequest,
    ListKind,
    ListRequest,
    ListTooLong,
)

router = APIRouter(prefix="/api/v1/exports", tags=["exports"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Area = Annotated[
    str,
    Query(
        pattern=r"^[0-9]{2}([0-9]{2}){0,2}$",
        description="A DOPA province, district or subdistrict code.",
    ),
]


@router.get(
    "/{kind}",
    response_class=StreamingResponse,
    response_model=None,
    **guarded(
        Permission.EXPORT_LISTS,
        responses={
            200: {
                "description": "The list: CSV (UTF-8 with BOM) or an Excel workbook.",
                "content": {"text/csv": {}, XLSX: {}},
            }
        },
    ),
)
def export(
    request: Request,
    kind: Annotated[ListKind, PathParam(description="gaps or outreach")],
    area: Area,
    caller: Annotated[Principal, Depends(require(Permission.EXPORT_LISTS))],
    format: Annotated[Literal["csv", "xlsx"], Query(description="csv or xlsx")] = "csv",
    programme: Annotated[str | None, Query(pattern=r"^[a-z0-9_]{1,64}$")] = None,
    gap: Annotated[str | None, Query(pattern=r"^[a-z_]{1,40}$")] = None,
    purpose: Annotated[str | None, Query(min_length=5, max_length=300)] = None,
    release: ReleaseQuery = None,
) -> StreamingResponse | FileResponse:
    """An area's gap list (who misses a right, or holds one wrongly, with the amount) or
    outreach list (members of poor households without a welfare card). Pseudonymised
    unless the caller's agreement allows real IDs; a case worker states the purpose."""
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
    listed = AreaList(cur, wanted, scope)
    try:
        persons = listed.persons()
    except ListTooLong as exc:
        raise Problem(
            422,
            "list-too-long",
            "รายชื่อยาวเกินไป โปรดขอเป็นพื้นที่ที่เล็กลง",
            str(exc),
            parameter="area",
        ) from None
    query = {
        "list": kind,
        "area": wanted.area,
        "format": format,
        "programme": programme,
        "gap": gap,
        "real_ids": scope.real_ids,
    }
    s.record(
        caller,
        request,
        action="export",
        persons=persons,
        fields=sorted({c.field for c in listed.columns}),
        release=found.number,
        purpose=view.dsa.purpose if view.dsa else purpose,
        query={k: v for k, v in query.items() if v is not None},
    )
    name = f"sitthi-{kind}-{wanted.area}-release{found.number}.{format}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format == "csv":
        return StreamingResponse(
            csv_chunks(listed.header, listed.batches()),
            media_type="text/csv; charset=utf-8",
            headers=disposition,
        )
    handle, path = tempfile.mkstemp(prefix="sitthi-export-", suffix=".xlsx")
    os.close(handle)
    about = about_list(
        title=LIST_TITLES[kind],
        area=wanted.area,
        release=found.number,
        as_of=found.as_of,
        filters={"programme": programme, "gap": gap},
        requested_by=f"{caller.subject} ({caller.role.value})",
        dsa_id=view.dsa.id if view.dsa else None,
        purpose=view.dsa.purpose if view.dsa else purpose,
        real_ids=scope.real_ids,
    )
    try:
        write_xlsx(
            Path(path),
            header=listed.header,
            labels_th=listed.labels_th,
            batches=listed.batches(),
            about=about,
        )
    except BaseException:
        Path(path).unlink(missing_ok=True)
        raise
    return FileResponse(
        path,
        media_type=XLSX,
        filename=name,
        background=BackgroundTask(Path(path).unlink, missing_ok=True),
    )
