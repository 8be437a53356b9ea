"""Who to reach first when a disaster strikes: the vulnerable people living in the
affected areas, most vulnerable first, with how to reach them.

One query over a release. A person is listed when they are alive, live in one of the
areas (a province, district or subdistrict code takes every area inside it) and belong
to at least one group of `GROUPS`; their score is the sum of their groups' weights and
of `EXTRAS` (a poor household, no way to reach them by phone). The weights say who a
field team goes to first; they are data, documented in docs/DISASTER.md, not a model.
Each row carries the person's address, phone and household, and a household contact (the
adult of the household, 18 to 69, other than the person, with a phone if any has one,
the eldest such): that is who answers for a bedridden grandmother or a child.

Pregnancy is not recorded by any agency Sitthi links yet (the health ministry's antenatal
register would): the group is absent rather than guessed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sitthi.engines.duckdb import dict_rows, rows
from sitthi.errors import ValidationError
from sitthi.operations.roles import validate_areas
from sitthi.thai.areas import area_names

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class Group:
    name: str
    label_th: str
    label_en: str
    condition: str  # SQL over the profile ``f`` and the household ``h``
    weight: int


#: Disabilities that stop a person leaving on their own (DEP's categories).
DEPENDENT_DISABILITIES = (
    "ความพิการทางการเคลื่อนไหวหรือทางร่างกาย",
    "ความพิการทางการเห็น",
    "ความพิการทางสติปัญญา",
    "ความพิการทางออทิสติก",
)
_DEPENDENT = ", ".join(f"'{d}'" for d in DEPENDENT_DISABILITIES)

GROUPS: tuple[Group, ...] = (
    Group("bedridden", "ผู้ป่วยติดเตียง", "bedridden", "f.bedridden", 50),
    Group(
        "dependent_disabled",
        "คนพิการที่ช่วยเหลือตนเองได้น้อย",
        "disabled, dependent",
        f"f.disability and f.disability_type in ({_DEPENDENT})",
        35,
    ),
    Group(
        "elderly_alone",
        "ผู้สูงอายุที่อยู่ลำพัง",
        "elderly living alone",
        "f.age >= 60 and h.members = 1",
        30,
    ),
    Group("children_under_5", "เด็กอายุต่ำกว่า 5 ปี", "children under 5", "f.age < 5", 25),
    Group("oldest_old", "ผู้สูงอายุ 80 ปีขึ้นไป", "aged 80 or over", "f.age >= 80", 20),
    Group(
        "other_disabled",
        "คนพิการประเภทอื่น",
        "disabled, other",
        f"f.disability and coalesce(f.disability_type not in ({_DEPENDENT}), true)",
        15,
    ),
    Group("elderly", "ผู้สูงอายุ", "elderly (60 or over)", "f.age >= 60", 10),
)
#: Points that raise a listed person's place without listing anyone by themselves.
EXTRAS = (
    ("poor", "ครัวเรือนยากจน (จปฐ.)", "coalesce(pv.poor, false)", 10),
    ("unreachable", "ไม่มีโทรศัพท์ของตนและผู้ติดต่อ", "g.phone is null and c.phone is null", 10),
)
#: One list holds at most this many persons (a file for field teams, not the country).
MAX_PERSONS = 500_000

#: The file's columns: name, Thai label.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("rank", "ลำดับ"),
    ("score", "คะแนนความเปราะบาง"),
    ("groups_th", "กลุ่มเปราะบาง"),
    ("groups", "รหัสกลุ่ม"),
    ("person_id", "รหัสบุคคล"),
    ("title", "คำนำหน้า"),
    ("first_name", "ชื่อ"),
    ("last_name", "นามสกุล"),
    ("sex", "เพศ"),
    ("age", "อายุ"),
    ("disability_type", "ประเภทความพิการ"),
    ("house_no", "บ้านเลขที่"),
    ("moo", "หมู่ที่"),
    ("subdistrict_code", "รหัสตำบล"),
    ("subdistrict", "ตำบล"),
    ("district", "อำเภอ"),
    ("province", "จังหวัด"),
    ("phone", "โทรศัพท์"),
    ("household_id", "รหัสครัวเรือน"),
    ("household_members", "จำนวนสมาชิกในครัวเรือน"),
    ("contact_name", "ผู้ติดต่อในครัวเรือน"),
    ("contact_phone", "โทรศัพท์ผู้ติดต่อ"),
)


#: A person of the areas (``$areas``): by province, district or subdistrict.
_IN_AREAS = (
    "(f.province_code in $areas or f.district_code in $areas or f.subdistrict_code in $areas)"
)


def _base() -> str:
    """The listed persons with their groups, score and contact (a CTE chain)."""
    flags = ", ".join(f"coalesce({g.condition}, false) as is_{g.name}" for g in GROUPS)
    extras = ", ".join(f"coalesce({cond}, false) as is_{name}" for name, _, cond, _ in EXTRAS)
    listed = " or ".join(f"is_{g.name}" for g in GROUPS)
    weights = " + ".join(
        [f"is_{g.name}::int * {g.weight}" for g in GROUPS]
        + [f"is_{name}::int * {w}" for name, _, _, w in EXTRAS]
    )
    names = ", ".join(f"case when is_{g.name} then '{g.name}' end" for g in GROUPS)
    labels = ", ".join(f"case when is_{g.name} then '{g.label_th}' end" for g in GROUPS)
    return f"""
    with here as (select * from profiles f where f.alive and {_IN_AREAS}),
    adults as (
        select m.household_id, m.person_id, ag.title, ag.first_name, ag.last_name, ag.phone,
               row_number() over (partition by m.household_id
                                  order by ag.phone is null, af.age desc, m.person_id) as n
        from person_households m
        join profiles af using (person_id)
        join persons ag using (person_id)
        where af.alive and af.age between 18 and 69
          and m.household_id in (select household_id from here)),
    flagged as (
        select f.person_id, f.household_id, f.age, f.sex, f.disability_type,
               f.subdistrict_code, g.title, g.first_name, g.last_name, g.house_no, g.moo,
               g.phone, h.members as household_members,
               concat_ws(' ', c.title || c.first_name, c.last_name) as contact_name,
               c.phone as contact_phone,
               {flags}, {extras}
        from here f
        left join persons g using (person_id)
        left join households h using (household_id)
        left join person_poverty pv using (person_id)
        left join adults c
          on c.household_id = f.household_id and c.n <= 2 and c.person_id <> f.person_id
        qualify row_number() over (partition by f.person_id order by c.n nulls last) = 1),
    scored as (
        select *, {weights} as score,
               list_filter([{names}], lambda x: x is not null) as group_list,
               list_filter([{labels}], lambda x: x is not null) as label_list
        from flagged where {listed})
    """


@dataclass
class DisasterList:
    """The vulnerable people of ``areas`` in one release, most vulnerable first."""

    con: duckdb.DuckDBPyConnection
    areas: list[str]

    def __post_init__(self) -> None:
        if not self.areas:
            raise ValidationError("name at least one affected area (--areas 84 or 8401,8402)")
        self.areas = validate_areas(self.areas)
        self._sql = _base()
        self._params: dict[str, Any] = {"areas": self.areas}

    def total(self) -> int:
        found = rows(self.con, f"{self._sql} select count(*) from scored", self._params)
        return int(found[0][0])

    def persons(self) -> list[str]:
        """Everyone listed, as the audit names them (pseudonym, or person ID)."""
        found = rows(
            self.con,
            f"""{self._sql} select coalesce(p.pid_hash, s.person_id)
                from scored s left join person_pids p using (person_id)
                order by s.score desc, s.age desc nulls last, s.person_id""",
            self._params,
        )
        if len(found) > MAX_PERSONS:
            raise ValidationError(
                f"{len(found):,} persons: more than one list holds ({MAX_PERSONS:,}); "
                "name districts or subdistricts instead"
            )
        return [str(r[0]) for r in found]

    def counts(self) -> list[dict[str, Any]]:
        """Persons per district and group (a person in two groups counts in both)."""
        found = dict_rows(
            self.con,
            f"""{self._sql}
                select left(subdistrict_code, 4) as district_code, g.name as group_name,
                       count(*) as persons
                from scored, unnest(group_list) as g(name)
                group by all order by district_code, group_name""",
            self._params,
        )
        for row in found:
            names = area_names(row["district_code"] or "")
            row["district"] = " ".join(names) if names else row["district_code"]
        return found

    def batches(self, size: int = 50_000) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of the file (`COLUMNS`), in order, ``size`` at a time."""
        cur = self.con.execute(
            f"""{self._sql}
                select row_number() over (
                           order by score desc, age desc nulls last, person_id) as rank,
                       score, array_to_string(label_list, ', '),
                       array_to_string(group_list, ','), person_id, title, first_name,
                       last_name, sex, age, disability_type, house_no, moo, subdistrict_code,
                       household_id, household_members, contact_name, contact_phone, phone
                from scored order by rank""",
            self._params,
        )
        while batch := cur.fetchmany(size):
            yield [_row(r) for r in batch]


def _row(r: tuple[Any, ...]) -> tuple[Any, ...]:
    """A query row as a file row: the area's names added, the phone in its column."""
    *head, subdistrict, household, members, contact, contact_phone, phone = r
    # a subdistrict code names its province, district and subdistrict, or nothing
    province, district, sub = area_names(subdistrict or "") or ("", "", "")
    return (*head, subdistrict, sub, district, province, phone, household, members,
            contact or None, contact_phone)  # fmt: skip
