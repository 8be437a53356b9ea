"""The lists an area works from: who misses a right (or holds one wrongly), and the poor
households' members to reach (outreach: poor by the จปฐ. index, no welfare card).

One query per list over a release, with only the columns the caller may receive (their
role's fields or their agreement's) and only the people their scope covers; real national
IDs only where an agreement allows them (``real_ids``), pseudonyms otherwise. The rows
come in batches so that a list of a whole province streams; `persons` answers the
pseudonyms of everyone listed first, so the audit can name them before a row leaves.
Shared by the API's exports and `sitthi export`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

from sitthi.engines.duckdb import rows
from sitthi.errors import ValidationError
from sitthi.operations.roles import validate_area
from sitthi.registry.access import population_condition
from sitthi.rights.engine import GAP_TYPES

if TYPE_CHECKING:
    import duckdb

ListKind = Literal["gaps", "outreach"]
LIST_KINDS: tuple[str, ...] = get_args(ListKind)
#: What each list is about, as a registry field: a caller without it gets no such list.
LIST_FIELD: dict[str, str] = {"gaps": "gaps", "outreach": "poverty"}
LIST_TITLES: dict[str, str] = {
    "gaps": "รายชื่อผู้ตกหล่นสิทธิและผู้รับสิทธิโดยไม่ถูกต้อง",
    "outreach": "รายชื่อครัวเรือนยากจนเป้าหมายที่ยังไม่ได้รับบัตรสวัสดิการแห่งรัฐ",
}
#: A list at most this long; beyond it, ask for a smaller area (Excel holds 1,048,576).
MAX_ROWS = 500_000

GAP_NAMES_TH = {
    "eligible_not_receiving": "มีสิทธิแต่ยังไม่ได้รับ",
    "receiving_not_eligible": "ได้รับโดยไม่มีสิทธิ",
    "paid_twice": "ได้รับซ้ำซ้อน",
    "paid_after_death": "จ่ายหลังเสียชีวิต",
}


class BadListRequest(ValidationError):
    """A list asked for wrongly; ``parameter`` names what is wrong."""

    def __init__(self, message: str, parameter: str) -> None:
        super().__init__(message)
        self.parameter = parameter


class ListTooLong(ValidationError):
    """More rows than `MAX_ROWS`: ask for a smaller area."""


@dataclass(frozen=True)
class Column:
    name: str
    field: str  # the registry field the column belongs to
    label_th: str
    sql: str


_KEY = (
    Column("national_id", "national_id", "เลขประจำตัวประชาชน", "n.national_id"),
    Column("pid_hash", "pid_hash", "นามแฝงเลขประจำตัวประชาชน", "i.pid_hash"),
)
_PERSON = (
    Column("person_id", "person_id", "รหัสบุคคล", "f.person_id"),
    Column("title", "title", "คำนำหน้า", "g.title"),
    Column("first_name", "first_name", "ชื่อ", "g.first_name"),
    Column("last_name", "last_name", "นามสกุล", "g.last_name"),
    Column("sex", "sex", "เพศ", "f.sex"),
    Column("birth_date", "birth_date", "วันเกิด", "g.birth_date"),
    Column("age", "age", "อายุ", "f.age"),
    Column("house_code", "house_code", "รหัสประจำบ้าน", "g.house_code"),
    Column("house_no", "address", "บ้านเลขที่", "g.house_no"),
    Column("moo", "address", "หมู่ที่", "g.moo"),
    Column("phone", "phone", "โทรศัพท์", "g.phone"),
    Column("province_code", "province_code", "รหัสจังหวัด", "f.province_code"),
    Column("district_code", "district_code", "รหัสอำเภอ", "f.district_code"),
    Column("subdistrict_code", "subdistrict_code", "รหัสตำบล", "f.subdistrict_code"),
)
_GAP = (
    Column("programme", "gaps", "รหัสโครงการ", "x.programme"),
    Column("programme_th", "gaps", "โครงการ", "json_extract_string(r.definition, 'name_th')"),
    Column("gap", "gaps", "รหัสประเภท", "x.gap"),
    Column(
        "gap_th",
        "gaps",
        "ประเภท",
        "case x.gap "
        + " ".join(f"when '{k}' then '{v}'" for k, v in GAP_NAMES_TH.items())
        + " end",
    ),
    Column("amount", "gaps", "จำนวนเงิน (บาท/เดือน)", "x.amount"),
    Column("detail", "gaps", "รายละเอียด", "x.detail"),
    Column("unknown", "gaps", "ข้อมูลที่ยังไม่ทราบ", "x.unknown"),
)
_OUTREACH = (
    Column("household_id", "household_id", "รหัสครัวเรือน", "x.household_id"),
    Column("failed_indicators", "poverty", "ตัวชี้วัด จปฐ. ที่ไม่ผ่าน", "array_to_string(h.failed, ', ')"),
    Column(
        "failed_dimensions",
        "poverty",
        "มิติที่ไม่ผ่าน",
        "array_to_string(h.failed_dimensions, ', ')",
    ),
)
_FROM = {
    "gaps": """from gaps x
        join profiles f using (person_id)
        join persons g using (person_id)
        join rights_programmes r using (programme)""",
    "outreach": """from person_poverty x
        join profiles f using (person_id)
        join persons g using (person_id)
        left join household_poverty h on h.household_id = x.household_id""",
}
_ORDER = {
    "gaps": "f.subdistrict_code, x.programme, x.gap, g.last_name, g.first_name, f.person_id",
    "outreach": "f.subdistrict_code, x.household_id, f.age desc nulls last, f.person_id",
}


@dataclass(frozen=True)
class ListRequest:
    """Which list, of which area (a DOPA province, district or subdistrict code)."""

    kind: ListKind
    area: str
    programme: str | None = None  # gaps only
    gap: str | None = None  # gaps only

    def __post_init__(self) -> None:
        if self.kind not in LIST_KINDS:
            raise BadListRequest(
                f"no list {self.kind!r}: expected one of {', '.join(LIST_KINDS)}", "kind"
            )
        try:
            object.__setattr__(self, "area", validate_area(self.area))
        except ValidationError as exc:
            raise BadListRequest(str(exc), "area") from None
        if self.gap is not None and self.gap not in GAP_TYPES:
            raise BadListRequest(
                f"no gap {self.gap!r}: expected one of {', '.join(GAP_TYPES)}", "gap"
            )
        if self.kind != "gaps" and (self.programme or self.gap):
            raise BadListRequest(
                "programme and gap choose among gaps: the outreach list has none", "programme"
            )


@dataclass(frozen=True)
class ListScope:
    """What the caller may receive: registry fields, and whose rows."""

    fields: frozenset[str]
    real_ids: bool = False
    #: An agreement's population (groups, programmes); both empty: everyone of the area.
    groups: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    #: A case worker's or an agreement's areas; empty: the whole country.
    areas: tuple[str, ...] = ()


class AreaList:
    """One list of one release, for one caller: its columns, its people, its rows."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, request: ListRequest, scope: ListScope
    ) -> None:
        if LIST_FIELD[request.kind] not in scope.fields:
            raise ValidationError(
                f"the {request.kind} list needs the field {LIST_FIELD[request.kind]!r}, "
                "which the caller may not receive"
            )
        self.con, self.request, self.scope = con, request, scope
        key = [c for c in _KEY if c.field in scope.fields]
        if not scope.real_ids:
            key = [c for c in key if c.name != "national_id"]
        extra = _GAP if request.kind == "gaps" else _OUTREACH
        self.columns = [*key[:1], *(c for c in (*_PERSON, *extra) if c.field in scope.fields)]
        self._params: dict[str, Any] = {"area": request.area}
        self._where = self._conditions()

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def labels_th(self) -> list[str]:
        return [c.label_th for c in self.columns]

    def _conditions(self) -> str:
        q, s = self.request, self.scope
        where = [
            "(f.province_code = $area or f.district_code = $area or f.subdistrict_code = $area)"
        ]
        if q.kind == "outreach":
            where.append("x.outreach")
        if q.programme:
            where.append("x.programme = $programme")
            self._params["programme"] = q.programme
        if q.gap:
            where.append("x.gap = $gap")
            self._params["gap"] = q.gap
        if s.areas:
            where.append(
                "(f.province_code in $scope or f.district_code in $scope "
                "or f.subdistrict_code in $scope)"
            )
            self._params["scope"] = list(s.areas)
        if s.groups or s.programmes:
            where.append(population_condition("f", groups=s.groups, programmes=s.programmes))
            if s.programmes:
                self._params["programmes"] = list(s.programmes)
        if "death_date" not in s.fields and q.kind == "gaps":
            # a gap's detail may be a death date: only for a caller who may see one
            self.columns = [
                Column(c.name, c.field, c.label_th, _no_death(c.sql)) if c.name == "detail" else c
                for c in self.columns
            ]
        return " and ".join(where)

    def _query(self, select: str, *, order: bool = True) -> str:
        joins = "left join person_pids i on i.person_id = f.person_id"
        if any(c.name == "national_id" for c in self.columns):
            joins += " left join identities.national_ids n on n.pid_hash = i.pid_hash"
        sql = f"select {select} {_FROM[self.request.kind]} {joins} where {self._where}"
        return sql + (f" order by {_ORDER[self.request.kind]}" if order else "")

    def persons(self) -> list[str]:
        """Everyone the list names, by pseudonym (person ID where none), for the audit.

        Raises:
            ListTooLong: the list is longer than `MAX_ROWS`.
        """
        inner = self._query("f.person_id, i.pid_hash", order=False)
        total, listed = rows(
            self.con,
            f"select count(*), list(distinct coalesce(pid_hash, person_id)) from ({inner})",
            self._params,
        )[0]
        if total > MAX_ROWS:
            raise ListTooLong(
                f"the list has {total:,} rows, more than {MAX_ROWS:,}: ask for a smaller area"
            )
        return sorted(map(str, listed or []))

    def total(self) -> int:
        """How many rows the whole list has."""
        inner = self._query("f.person_id", order=False)
        return int(rows(self.con, f"select count(*) from ({inner})", self._params)[0][0])

    def page(self, offset: int, limit: int) -> tuple[list[tuple[Any, ...]], list[str]]:
        """Rows ``offset`` to ``offset + limit`` in the list's order, and the pseudonyms
        (person ID where none) of everyone they name, for the audit."""
        select = ", ".join(f"{c.sql} as {c.name}" for c in self.columns)
        found = rows(
            self.con,
            self._query(f"{select}, coalesce(i.pid_hash, f.person_id) as _listed")
            + " limit $limit offset $offset",
            {**self._params, "limit": limit, "offset": offset},
        )
        persons = sorted({str(r[-1]) for r in found})
        return [r[:-1] for r in found], persons

    def batches(self, size: int = 10_000) -> Iterator[list[tuple[Any, ...]]]:
        """The rows, in order, ``size`` at a time (one cursor of its own)."""
        cur = self.con.cursor()
        try:
            select = ", ".join(f"{c.sql} as {c.name}" for c in self.columns)
            cur.execute(self._query(select), self._params)
            while batch := cur.fetchmany(size):
                yield batch
        finally:
            cur.close()


def _no_death(sql: str) -> str:
    return f"case when starts_with({sql}, 'died ') then null else {sql} end"
