"""A registry record as a DCI ``reg_record``: a social-registry ``Person`` or ``Group``.

The record given here is already cut to what the caller's agreement allows
(`sitthi.registry.access.person_record` with the agreement's fields); this module only
renames. What the DCI Person object has a place for goes there (``name``, ``sex``,
``birth_date``, ``address``, ``phone_number``, ``is_disabled``, ``disability_type``,
``is_deceased``, ``death_date``, ``nationality``, ``household_identifier``); every other
allowed value goes into ``additional_attributes`` as name/value pairs, the standard's
place for a country's own attributes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sitthi.registry.access import PersonRecord, shown_detail, shown_reason

#: Identifier types Sitthi answers with (the standard leaves the list to implementers).
UIN = "UIN"  # the national ID: only under an agreement with real_ids and national_id
UIN_HMAC = "UIN_HMAC"  # its keyed pseudonym (pid_hash)
PERSON_ID = "PERSON_ID"  # the registry's stable person ID
HOUSEHOLD_ID = "HOUSEHOLD_ID"

_SEX = {"M": "male", "F": "female"}
# Fields whose columns the Person object has its own places for.
_PLACED = {
    "person_id",  # an identifier
    "title",
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "province_code",
    "district_code",
    "subdistrict_code",
    "address",
    "phone",
    "nationality",
    "vital_status",
    "death_date",
    "household_id",
}


def jsonable(value: Any) -> Any:
    """Dates as ISO text, containers recursively; JSON values unchanged."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def identifier(kind: str, value: str) -> dict[str, str]:
    return {"@type": "Identifier", "identifier_type": kind, "identifier_value": value}


def person(
    record: PersonRecord, identifiers: list[dict[str, str]], allowed: frozenset[str]
) -> dict[str, Any]:
    """The DCI ``Person`` of ``record`` with the given identifiers; ``allowed`` are the
    agreement's fields (an entitlement's reason quotes profile values, cut to those)."""
    fields = record.fields
    out: dict[str, Any] = {"@type": "Person"}
    if identifiers:
        out["identifier"] = identifiers
    name = {
        key: fields[field][column]
        for key, field, column in (
            ("prefix", "title", "title"),
            ("given_name", "first_name", "first_name"),
            ("surname", "last_name", "last_name"),
        )
        if fields.get(field, {}).get(column) is not None
    }
    if name:
        out["name"] = {"@type": "Name", **name}
    sex = fields.get("sex", {}).get("sex")
    if sex is not None:
        out["sex"] = _SEX.get(str(sex), "unknown")
    extra: list[dict[str, Any]] = []
    if "birth_date" in fields:
        born = fields["birth_date"]
        if born.get("birth_date") is not None:
            out["birth_date"] = born["birth_date"]
        if born.get("birth_precision") is not None:
            extra.append({"name": "birth_date_precision", "value": born["birth_precision"]})
    address = _address(fields)
    if address:
        out["address"] = [address]
    if fields.get("phone", {}).get("phone") is not None:
        out["phone_number"] = [fields["phone"]["phone"]]
    if fields.get("nationality", {}).get("nationality") is not None:
        out["nationality"] = [fields["nationality"]["nationality"]]
    if "vital_status" in fields and fields["vital_status"].get("alive") is not None:
        out["is_deceased"] = not fields["vital_status"]["alive"]
    if fields.get("death_date", {}).get("death_date") is not None:
        out["death_date"] = fields["death_date"]["death_date"]
    if fields.get("household_id", {}).get("household_id") is not None:
        out["household_identifier"] = fields["household_id"]["household_id"]
    if "disability" in fields:
        disability = dict(fields["disability"])
        if disability.get("disability") is not None:
            out["is_disabled"] = bool(disability.pop("disability"))
        kind = disability.pop("disability_type", None)
        if kind is not None:
            out["disability_type"] = [kind]
        extra += [{"name": k, "value": v} for k, v in disability.items() if v is not None]
    for field_name in sorted(set(fields) - _PLACED - {"disability"}):
        extra += [{"name": k, "value": v} for k, v in fields[field_name].items() if v is not None]
    for section in ("entitlements", "gaps", "notices"):
        found = getattr(record, section)
        if found is not None:
            extra.append({"name": section, "value": _reasons(section, found, allowed)})
    if extra:
        out["additional_attributes"] = extra
    return jsonable(out)  # type: ignore[no-any-return]


def _reasons(
    section: str, rows: list[dict[str, Any]], allowed: frozenset[str]
) -> list[dict[str, Any]]:
    """Entitlements and gaps without the values the agreement does not share (the same
    filter the persons API applies, `sitthi.registry.access.shown_reason`)."""
    out = []
    for row in rows:
        row = dict(row)
        if section == "entitlements":
            row["reason"] = shown_reason(row.get("reason"), allowed)
        if section == "gaps":
            row["detail"] = shown_detail(row.get("detail"), allowed)
        out.append({k: v for k, v in row.items() if v is not None})
    return out


def _address(fields: dict[str, dict[str, Any]]) -> dict[str, Any]:
    parts = {
        key: fields[field][field]
        for key, field in (
            ("region_code", "province_code"),
            ("sub_region_code", "district_code"),
            ("locality_code", "subdistrict_code"),
        )
        if fields.get(field, {}).get(field) is not None
    }
    where = fields.get("address", {})
    line = " ".join(
        str(v)
        for v in (where.get("house_no"), f"หมู่ {where['moo']}" if where.get("moo") else None)
        if v
    )
    if line:
        parts["address_line1"] = line
    return {"@type": "Address", **parts, "country_code": "TH"} if parts else {}


def group(
    household_id: str,
    *,
    size: int | None,
    area: dict[str, str | None],
    allowed: frozenset[str],
    members: list[dict[str, Any]],
) -> dict[str, Any]:
    """The DCI ``Group`` of one household: its ID, size, area (as allowed), members."""
    out: dict[str, Any] = {
        "@type": "Group",
        "group_identifier": [identifier(HOUSEHOLD_ID, household_id)],
        "group_type": "household",
    }
    if size is not None:
        out["group_size"] = size
    place = {
        key: area.get(field)
        for key, field in (
            ("region_code", "province_code"),
            ("sub_region_code", "district_code"),
            ("locality_code", "subdistrict_code"),
        )
        if field in allowed and area.get(field)
    }
    if place:
        out["place"] = {"@type": "Place", **place, "country_code": "TH"}
    out["member_list"] = [
        {
            "@type": "Member",
            **({"member_identifier": m["identifier"]} if m.get("identifier") else {}),
            "demographic_info": m,
        }
        for m in members
    ]
    return out
