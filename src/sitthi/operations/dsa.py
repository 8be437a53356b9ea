"""Data Sharing Agreements (ข้อตกลงการแบ่งปันข้อมูล) as validated data.

A DSA says which partner system may receive which registry fields of which people, in
which areas, for what purpose, on what legal ground, and for how long. It is a YAML file
a person writes; a mistake reads ``dep.yaml:12: fields.3: unknown registry field …``.
An agreement that has expired or not yet begun loads (it may be registered ahead of
time) but allows nothing on a day outside its term.

Example:
    >>> from importlib.resources import files
    >>> dsa = load_dsa(files("sitthi.operations") / "dsas" / "dep-disability-registry.yaml")
    >>> dsa.allows_field("disability"), dsa.allows_field("national_id"), dsa.real_ids
    (True, False, False)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sitthi.errors import ValidationError
from sitthi.operations.roles import area_covers, validate_area
from sitthi.yaml_models import parse_yaml_model, read_user_file

#: Registry fields an agreement may name, with what each one is. A DSA naming anything
#: else is refused: a typo must not silently share nothing, nor a new field slip through.
REGISTRY_FIELDS: dict[str, str] = {
    "national_id": "เลขประจำตัวประชาชน (the real ID: only with real_ids: true)",
    "pid_hash": "นามแฝงของเลขประจำตัวประชาชน (keyed pseudonym)",
    "person_id": "รหัสบุคคลของทะเบียน (stable person ID)",
    "household_id": "รหัสครัวเรือน",
    "title": "คำนำหน้าชื่อ",
    "first_name": "ชื่อ",
    "last_name": "นามสกุล",
    "sex": "เพศ",
    "birth_date": "วันเกิด",
    "age": "อายุ",
    "nationality": "สัญชาติ",
    "vital_status": "สถานะบุคคล (alive or dead)",
    "death_date": "วันที่เสียชีวิต",
    "house_code": "รหัสประจำบ้าน",
    "address": "ที่อยู่ (house number, moo, street)",
    "province_code": "รหัสจังหวัด",
    "district_code": "รหัสอำเภอ",
    "subdistrict_code": "รหัสตำบล",
    "phone": "โทรศัพท์",
    "disability": "ความพิการ (type, card and its dates)",
    "health": "สุขภาพ (health scheme, bedridden)",
    "income": "รายได้ (income, deposits, land, pension)",
    "employment": "การทำงาน (occupation, social security)",
    "education": "การศึกษา",
    "welfare_card": "บัตรสวัสดิการแห่งรัฐ",
    "state_care": "สถานสงเคราะห์ของรัฐ",
    "entitlements": "สิทธิที่ได้รับและที่ควรได้รับ",
    "gaps": "สิทธิที่ตกหล่น (exclusion gaps)",
    "notices": "การแจ้งเตือนสิทธิ",
    "poverty": "ผลการประเมินความยากจน",
    "household": "สมาชิกในครัวเรือน (their names and ages, as far as the other fields allow)",
    "links": "ประวัติการเชื่อมโยงระเบียน (which agencies' records make the person)",
}
#: Sensitive data under PDPA s.26 (health and disability among them): lawful only on a
#: ground of s.26, never on s.24 alone (พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562 มาตรา 26).
SENSITIVE_FIELDS = frozenset({"disability", "health"})
#: Groups of people an agreement may cover, besides named programmes.
POPULATION_GROUPS: dict[str, str] = {
    "all": "ทุกคนในทะเบียน",
    "elderly": "ผู้สูงอายุ (60 ปีขึ้นไป)",
    "disabled": "คนพิการ",
    "children": "เด็ก (ต่ำกว่า 18 ปี)",
    "low_income": "ผู้มีรายได้น้อย",
    "welfare_card_holders": "ผู้ถือบัตรสวัสดิการแห่งรัฐ",
    "bedridden": "ผู้ป่วยติดเตียง",
    "state_care": "ผู้อยู่ในสถานสงเคราะห์ของรัฐ",
}
#: ``areas: [all]`` covers the whole country; otherwise DOPA codes.
ALL_AREAS = "all"

# "PDPA s.24(4)", "PDPA s.26(5)(c)" (or (ค)): the lawful bases of s.24 and, for sensitive
# data, s.26.
_PDPA_SECTION = re.compile(r"PDPA s\.(24|26)\(\d\)(\([a-eก-จ]\))?")
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,63}")
_DSA_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_WHAT = (
    "a DSA is a mapping of keys (id, name, partner, purpose, legal_basis, fields, "
    "population, areas, valid_from, valid_to, real_ids)"
)


class DsaError(ValidationError):
    """A DSA file is malformed (named by file, line and field)."""


def _nfc(value: Any) -> Any:
    """Thai text in NFC everywhere, so the same words are the same bytes."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        return {k: _nfc(v) for k, v in value.items()}
    return value


def _registry_field(name: str) -> str:
    if name not in REGISTRY_FIELDS:
        raise ValueError(f"unknown registry field {name!r}; expected one of {_known()}")
    return name


def _known() -> str:
    return ", ".join(REGISTRY_FIELDS)


def _group(name: str) -> str:
    if name not in POPULATION_GROUPS:
        known = ", ".join(POPULATION_GROUPS)
        raise ValueError(f"unknown population group {name!r}; expected one of {known}")
    return name


def _programme(name: str) -> str:
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"{name!r} is not a programme id (lower case, digits, _)")
    return name


def _area(code: str) -> str:
    if code == ALL_AREAS:
        return code
    try:
        return validate_area(str(code))
    except ValidationError as exc:
        raise ValueError(str(exc)) from None


RegistryField = Annotated[str, AfterValidator(_registry_field)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        return _nfc(data)


class LegalBasis(_Strict):
    """The ground the sharing rests on: a section of the PDPA and the law behind it."""

    pdpa_section: str
    """e.g. ``PDPA s.24(4)`` (a public task) or ``PDPA s.26(5)(c)`` (sensitive data for
    social protection)."""
    law: Text
    """The law giving the task, in Thai, e.g. ``พระราชบัญญัติผู้สูงอายุ พ.ศ. 2546 มาตรา 11``."""

    @field_validator("pdpa_section")
    @classmethod
    def _section(cls, value: str) -> str:
        if not _PDPA_SECTION.fullmatch(value):
            raise ValueError(
                "expected a PDPA lawful basis such as 'PDPA s.24(4)' or 'PDPA s.26(5)(c)'"
            )
        return value

    @property
    def covers_sensitive_data(self) -> bool:
        return self.pdpa_section.startswith("PDPA s.26")


class Population(_Strict):
    """Whose records the agreement covers: people of named programmes and/or groups."""

    programmes: list[Annotated[str, AfterValidator(_programme)]] = []
    groups: list[Annotated[str, AfterValidator(_group)]] = []

    @model_validator(mode="after")
    def _someone(self) -> Population:
        if not self.programmes and not self.groups:
            raise ValueError("name at least one programme or group")
        return self


class DataSharingAgreement(_Strict):
    """One agreement. Deny by default: what it does not name, it does not allow."""

    id: str
    """Unique and never reused: the audit log names the agreement by it."""
    name: Text
    """The agreement's title, in Thai."""
    partner: Text
    """The partner agency, in Thai (e.g. ``กรมส่งเสริมและพัฒนาคุณภาพชีวิตคนพิการ``)."""
    purpose: Text
    """What the partner will do with the data, in Thai; every read is logged with it."""
    legal_basis: LegalBasis
    real_ids: bool = False
    """False (the default): exports carry pseudonyms (``pid_hash``), never the real ID."""
    population: Population
    areas: list[Annotated[str, AfterValidator(_area)]] = Field(min_length=1)
    """DOPA codes (a province allows its districts and subdistricts), or ``[all]``."""
    valid_from: dt.date
    valid_to: dt.date
    fields: list[RegistryField] = Field(min_length=1)
    """Registry fields the partner may receive (`REGISTRY_FIELDS`)."""

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _DSA_ID.fullmatch(value):
            raise ValueError("expected letters, digits, '.', '_' or '-' (at most 100)")
        return value

    @field_validator("areas")
    @classmethod
    def _all_alone(cls, value: list[str]) -> list[str]:
        if ALL_AREAS in value and len(value) > 1:
            raise ValueError("'all' covers every area: list it alone")
        return sorted(set(value))

    @field_validator("valid_to")
    @classmethod
    def _after_start(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        start = info.data.get("valid_from")
        if start is not None and value < start:
            raise ValueError(f"the agreement ends ({value}) before it begins ({start})")
        return value

    @field_validator("fields")
    @classmethod
    def _lawful_fields(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if "national_id" in value and not info.data.get("real_ids"):
            raise ValueError("national_id is the real ID: allowed only with real_ids: true")
        basis = info.data.get("legal_basis")
        sensitive = sorted(SENSITIVE_FIELDS & set(value))
        if sensitive and isinstance(basis, LegalBasis) and not basis.covers_sensitive_data:
            raise ValueError(
                f"{', '.join(sensitive)}: sensitive data (PDPA s.26) needs a legal basis "
                f"of s.26, not {basis.pdpa_section}"
            )
        if len(set(value)) != len(value):
            raise ValueError("a field is listed twice")
        return value

    def is_valid_on(self, day: dt.date) -> bool:
        """True from ``valid_from`` to ``valid_to``, both included."""
        return self.valid_from <= day <= self.valid_to

    def allows_field(self, name: str) -> bool:
        """True when the agreement lists registry field ``name``."""
        return name in self.fields

    def allows_area(self, code: str) -> bool:
        """True when area ``code`` lies inside one of the agreement's areas."""
        return any(a == ALL_AREAS or area_covers(a, code) for a in self.areas)


def parse_dsa(text: str, name: str) -> DataSharingAgreement:
    """Validate DSA YAML ``text``; ``name`` (usually the file) starts every message."""
    return parse_yaml_model(text, name, DataSharingAgreement, DsaError, _WHAT)


def read_dsa(path: str | Path) -> tuple[DataSharingAgreement, str]:
    """The agreement in file ``path`` and its text (kept verbatim in the store)."""
    text = read_user_file(path, DsaError, what="DSA")
    return parse_dsa(text, str(path)), text


def load_dsa(path: str | Path) -> DataSharingAgreement:
    """The agreement in file ``path``; a `DsaError` naming the file, line and field."""
    return read_dsa(path)[0]


def fingerprint(text: str) -> str:
    """SHA-256 of the agreement's text: the same id with other text is another agreement."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
