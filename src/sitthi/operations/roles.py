"""The five roles, and the DOPA area codes that scope them.

Roles decide which routes a user or client may call; areas decide whose records a
caseworker sees; a Data Sharing Agreement decides what an agency's system receives.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

from sitthi.errors import ValidationError


class Role(StrEnum):
    """Who someone is to the registry. Deny by default: a route names the roles it admits."""

    ADMIN = "admin"
    """ผู้ดูแลระบบ: manages accounts, agreements and releases; no person-level reads by role."""
    ANALYST = "analyst"
    """นักวิเคราะห์: aggregates and pseudonymised records, across every area."""
    CASEWORKER = "caseworker"
    """เจ้าหน้าที่ภาคสนาม: named people of their own areas, to help them claim their rights."""
    AGENCY = "agency"
    """ระบบของหน่วยงานคู่สัญญา: an API client reading only what its DSA allows."""
    AUDITOR = "auditor"
    """ผู้ตรวจสอบ: reads the audit log, never the registry."""


#: Roles whose scope is a set of areas: without one they would see nobody (or, worse, a
#: careless check would let them see everybody).
AREA_ROLES = frozenset({Role.CASEWORKER})
#: Roles that act only under a Data Sharing Agreement, and so only as API clients.
DSA_ROLES = frozenset({Role.AGENCY})

# DOPA codes: 2 digits a province (จังหวัด), 4 a district (อำเภอ/เขต), 6 a subdistrict
# (ตำบล/แขวง); each begins with the code of the area holding it.
_AREA_CODE = re.compile(r"[0-9]{2}(?:[0-9]{2}){0,2}")
_SEPARATORS = re.compile(r"[\s,;]+")


def parse_role(text: str) -> Role:
    """The role named ``text`` (any case), or a one-line error listing the roles.

    Example:
        >>> parse_role("Caseworker")
        <Role.CASEWORKER: 'caseworker'>
    """
    try:
        return Role(text.strip().lower())
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise ValidationError(f"unknown role {text!r}; expected one of {known}") from None


def validate_area(code: str) -> str:
    """``code`` as a known DOPA area code (ASCII digits), or an error naming it.

    Thai digits are accepted (๘๔ is 84); a code must be 2, 4 or 6 digits and name an
    area that exists (geothai's list of provinces, districts and subdistricts).

    Example:
        >>> validate_area("๘๔๐๑")
        '8401'
    """
    from sitthi.thai.areas import area_names
    from sitthi.thai.digits import to_ascii_digits

    ascii_code = to_ascii_digits(code.strip())
    if not _AREA_CODE.fullmatch(ascii_code):
        raise ValidationError(
            f"area code {code!r}: expected 2 digits (province), 4 (district) or 6 (subdistrict)"
        )
    if not area_names(ascii_code):
        raise ValidationError(f"area code {code!r}: no such province, district or subdistrict")
    return ascii_code


def validate_areas(codes: Iterable[str]) -> list[str]:
    """Known area codes, sorted and without repeats; the first bad one is an error."""
    return sorted({validate_area(c) for c in codes})


def parse_area_list(text: str | None) -> list[str]:
    """Area codes as a user types them: ``"84,8401 500101"`` (commas or spaces).

    Example:
        >>> parse_area_list("84, 5001")
        ['5001', '84']
    """
    if not text:
        return []
    return validate_areas(c for c in _SEPARATORS.split(text) if c)


def area_covers(scope: str, code: str) -> bool:
    """True when area ``scope`` contains area ``code``: a province holds its districts and
    subdistricts, a district its subdistricts, and every area holds itself.

    Example:
        >>> area_covers("84", "840101"), area_covers("840101", "84")
        (True, False)
    """
    return code.startswith(scope)


def check_role_scope(role: Role, areas: list[str], *, has_dsa: bool, who: str) -> None:
    """Refuse a role without what it needs: a caseworker needs areas, an agency a DSA.

    ``who`` names the account in the error (``user somchai``, ``client DEP``).
    """
    if role in AREA_ROLES and not areas:
        raise ValidationError(f"{who}: role {role} needs at least one area (--areas)")
    if role in DSA_ROLES and not has_dsa:
        raise ValidationError(
            f"{who}: role {role} acts only under a Data Sharing Agreement; "
            "make it an API client with --dsa FILE"
        )
