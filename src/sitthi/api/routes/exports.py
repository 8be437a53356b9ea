"""Gap and outreach lists of an area, as CSV (streamed) or Excel, audited before the
first row leaves: who asked, for what, under which agreement, and everyone listed."""

from __future__ import annotations

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
from sitthi.api.problems import Problem
from sitthi.api.routes.list_access import Area, Gap, ListPurpose, Programme, open_list
from sitthi.api.routes.registry import ReleaseQuery
from sitthi.registry.list_files import about_list, csv_chunks, write_xlsx
from sitthi.registry.lists import LIST_TITLES, ListKind, ListTooLong

router = APIRouter(prefix="/api/v1/exports", tags=["exports"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    programme: Programme = None,
    gap: Gap = None,
    purpose: ListPurpose = None,
    release: ReleaseQuery = None,
) -> StreamingResponse | FileResponse:
    """An area's gap list (who misses a right, or holds one wrongly, with the amount) or
    outreach list (members of poor households without a welfare card). Pseudonymised
    unless the caller's agreement allows real IDs; a case worker states the purpose."""
    s = state(request)
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
    found, listed, wanted = opened.release, opened.listed, opened.wanted
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
        "real_ids": opened.scope.real_ids,
    }
    s.record(
        caller,
        request,
        action="export",
        persons=persons,
        fields=sorted({c.field for c in listed.columns}),
        release=found.number,
        purpose=opened.purpose,
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
        dsa_id=opened.view.dsa.id if opened.view.dsa else None,
        purpose=opened.purpose,
        real_ids=opened.scope.real_ids,
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
