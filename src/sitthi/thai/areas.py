"""Thai administrative areas from free-text names: province, district, subdistrict.

Lists write areas by hand ("ต.ตลาด อ.เมือง จ.สุราษฎร์ธานี", "แขวงลุมพินี เขตปทุมวัน กทม",
"Chiang Mai", "สุราษฏร์ธานี"); `resolve_area` turns them into DOPA codes (2-digit province,
4-digit district/อำเภอ/เขต, 6-digit subdistrict/ตำบล/แขวง).

Administrative area codes and names: geothai (https://github.com/GeoThai), CC BY 4.0.

Reason codes: ``empty``, ``unknown_province``, ``unknown_district``, ``unknown_subdistrict``,
``ambiguous``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import geothai
from rapidfuzz import fuzz, process

AREA_CREDIT = "Administrative area codes and names: geothai (CC BY 4.0)"

# A correction is accepted only when it is close (one wrong letter in a name of ~7+ Thai
# characters scores >= 85 with the Indel ratio) and clearly beats any other area; short
# names with a typo are too easily another real name, so they stay unresolved.
MIN_FUZZY_SCORE = 85.0
MIN_FUZZY_MARGIN = 5.0

_CACHE_SIZE = 1 << 16
_BANGKOK = "10"

# Level words people put before a name. Short forms need a dot or a space, because without
# one "อ"/"ต"/"จ" is the first letter of real names (อ่างทอง, ตลาด, จอมทอง).
_PREFIX = re.compile(
    r"^(?:จังหวัด|กิ่งอำเภอ|อำเภอ|ตำบล|แขวง|เขต|จว\.|กิ่ง\s*อ\.|[จอตข][.\s]"
    r"|(?:changwat|king\s+amphoe|amphoe|amphur|tambon|tambol|khwaeng|khet)\s)\s*"
)
_SUFFIX = re.compile(r"\s(?:province|sub-?district|district)$")
_MARKS = re.compile(r"[\s.,'()\-ฯ]+")
# Typing habits that change the bytes but not what a reader sees: แ typed as เเ, and ำ as
# ํ+า (NFKC also splits ำ that way, so it is joined back after NFKC).
_LOOKALIKES = (("เเ", "แ"), ("\u0e4d\u0e32", "\u0e33"))

# Short names people use for provinces (beyond the Thai and English names in geothai).
_PROVINCE_ALIASES = {
    "กทม": _BANGKOK,
    "กรุงเทพ": _BANGKOK,
    "กรุงเทพมหานคร": _BANGKOK,
    "bangkok": _BANGKOK,
    "bkk": _BANGKOK,
    "อยุธยา": "14",
    "ayutthaya": "14",
    "โคราช": "30",
}
# "อ.เมือง" + a province is the capital district, always code XX01 (Bangkok has none).
_CAPITAL_WORDS = ("เมือง", "mueang", "muang")


@dataclass(frozen=True, slots=True)
class AreaMatch:
    """What `resolve_area` found. Codes are set as deep as the names allow.

    ``exact`` is True when every name given matched a known name after clean-up (prefixes,
    spaces, case, aliases) and the result is complete; False when a misspelling was
    corrected or something was not resolved. ``reason`` is None on success.
    """

    province_code: str | None
    district_code: str | None
    subdistrict_code: str | None
    exact: bool
    reason: str | None


def name_key(text: str) -> str:
    """The form names are compared in: no level words, marks, spaces or case.

    Example:
        >>> name_key("อ. เมือง"), name_key("Amphoe Ko Pha-ngan"), name_key("กรุงเทพฯ")
        ('เมือง', 'kophangan', 'กรุงเทพ')
    """
    return _key(text)


@lru_cache(maxsize=_CACHE_SIZE)
def _key(text: str) -> str:
    text = "".join(
        c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c) != "Cf"
    )
    for typed, meant in _LOOKALIKES:
        text = text.replace(typed, meant)
    text = _SUFFIX.sub("", text.strip().lower())
    # Repeat: records hold "อ.อำเภอเมือง"; geothai names such as "จ.ป.ร." and "เขตพระนคร"
    # go through the same function, so index and query stay comparable.
    while (stripped := _PREFIX.sub("", text, count=1)) != text:
        text = stripped.lstrip()
    return _MARKS.sub("", text)


def _names(code: str) -> list[str]:
    """Every name an area can be written by, before `_key`."""
    if len(code) == 2:
        p = geothai.province(code)
        aliases = [k for k, v in _PROVINCE_ALIASES.items() if v == code]
        return [p.name_th, p.name_en, *aliases] if p else []
    if len(code) == 4:
        d = geothai.district(code)
        if d is None:
            return []
        names = [d.name_th, d.name_en]
        if code.endswith("01") and d.province_code != _BANGKOK:
            for word in _CAPITAL_WORDS:
                names += [word] + [word + _key(n) for n in _names(d.province_code)]
        return names
    s = geothai.subdistrict(code)
    if s is None:
        return []
    # "ปอภาร (ปอพาน)": either name alone is also right.
    parts = [p for p in re.split(r"[()]", s.name_th) if p.strip()]
    return [s.name_th, s.name_en, *(parts if len(parts) > 1 else [])]


@cache
def _codes(level: int, parent: str) -> tuple[str, ...]:
    """Codes of the areas at ``level`` (2, 4, 6 digits) under ``parent`` ("" = all)."""
    if level == 2:
        return tuple(p.code for p in geothai.provinces()) if parent == "" else ()
    if len(parent) == level - 2:
        children = geothai.districts(parent) if level == 4 else geothai.subdistricts(parent)
        return tuple(c.code for c in children)
    return tuple(c for mid in _codes(level - 2, parent) for c in _codes(level, mid))


@cache
def _keys(code: str) -> frozenset[str]:
    return frozenset(_key(n) for n in _names(code)) - {""}


@cache
def _index(level: int, parent: str) -> dict[str, tuple[str, ...]]:
    """Name key -> codes of the areas at ``level`` under ``parent``."""
    found: dict[str, list[str]] = {}
    for code in _codes(level, parent):
        for key in _keys(code):
            found.setdefault(key, []).append(code)
    return {k: tuple(v) for k, v in found.items()}


@lru_cache(maxsize=_CACHE_SIZE)
def _lookup(key: str, level: int, parent: str) -> tuple[tuple[str, ...], bool]:
    """Codes named ``key`` under ``parent``, and whether the match was exact.

    No code means unknown, several mean ambiguous. Misspellings are corrected only under a
    known parent (or for provinces): nationwide, too many areas share near-identical names.
    """
    index = _index(level, parent)
    if key in index:
        return index[key], True
    if not key or (parent == "" and level != 2):
        return (), False
    best: dict[str, float] = {}
    cutoff = MIN_FUZZY_SCORE - MIN_FUZZY_MARGIN
    for name, score, _ in process.extract(
        key, list(index), scorer=fuzz.ratio, limit=None, score_cutoff=cutoff
    ):
        for code in index[name]:
            best[code] = max(score, best.get(code, 0.0))
    ranked = sorted(best.items(), key=lambda item: -item[1])
    if not ranked or ranked[0][1] < MIN_FUZZY_SCORE:
        return (), False
    close = tuple(c for c, s in ranked if s > ranked[0][1] - MIN_FUZZY_MARGIN)
    return close, False


def _text(value: object) -> str:
    # Anything that is not text (None, pandas NaN, numbers) counts as a missing name.
    return value if isinstance(value, str) else ""


def resolve_area(
    *, subdistrict: str | None = None, district: str | None = None, province: str | None = None
) -> AreaMatch:
    """Find the DOPA codes of an address written by hand. Never raises.

    Works top-down (province, then district within it, then subdistrict within that) and
    bottom-up when a parent is missing but the child name is unique. Misspellings are
    corrected only within an already-known parent. A given name that cannot be resolved
    stops the descent: codes above it are kept, ``reason`` says what failed.

    Args:
        subdistrict: ตำบล/แขวง name, with or without prefix ("ต.ตลาด", "แขวงลุมพินี").
        district: อำเภอ/เขต name; "อ.เมือง"/"เมือง" is the province's capital district.
        province: จังหวัด name, Thai or English; "กทม"/"กรุงเทพฯ"/"Bangkok" are Bangkok.
        Values that are not ``str`` (None, NaN) count as missing.

    Returns:
        An `AreaMatch`.

    Example:
        >>> m = resolve_area(subdistrict="ต.ตลาด", district="อ.เมือง", province="จ.สุราษฎร์ธานี")
        >>> m.subdistrict_code, m.exact, m.reason
        ('840101', True, None)
        >>> m = resolve_area(district="อ.เมือง", province="สุราษฏร์ธานี")  # ฏ for ฎ
        >>> m.district_code, m.exact, m.reason
        ('8401', False, None)
        >>> resolve_area(subdistrict="วังทอง").reason
        'ambiguous'
    """
    return _resolve_raw(_text(subdistrict), _text(district), _text(province))


@lru_cache(maxsize=_CACHE_SIZE)
def _resolve_raw(subdistrict: str, district: str, province: str) -> AreaMatch:
    return _resolve(_key(subdistrict), _key(district), _key(province))


@lru_cache(maxsize=_CACHE_SIZE)
def _resolve(sub: str, dist: str, prov: str) -> AreaMatch:
    if not (sub or dist or prov):
        return AreaMatch(None, None, None, exact=False, reason="empty")
    exact = True
    pcode: str | None = None
    if prov:
        codes, exact = _lookup(prov, 2, "")
        if len(codes) != 1:
            return _fail(None, None, "ambiguous" if codes else "unknown_province")
        pcode = codes[0]

    dcode: str | None = None
    if dist:
        codes, dist_exact = _lookup(dist, 4, pcode or "")
        exact &= dist_exact
        if len(codes) > 1 and sub:
            # The same district name in several provinces: the subdistrict may tell which.
            hits = [s for d in codes for s in _index(6, d).get(sub, ())]
            if len(hits) == 1:
                return AreaMatch(hits[0][:2], hits[0][:4], hits[0], exact, None)
        if len(codes) != 1:
            reason = "ambiguous" if codes else "unknown_district"
            return _fail(pcode, None, reason)
        dcode = codes[0]
        pcode = dcode[:2]

    if not sub:
        return AreaMatch(pcode, dcode, None, exact, None)
    codes, sub_exact = _lookup(sub, 6, dcode or pcode or "")
    exact &= sub_exact
    if len(codes) != 1:
        return _fail(pcode, dcode, "ambiguous" if codes else "unknown_subdistrict")
    return AreaMatch(codes[0][:2], codes[0][:4], codes[0], exact, None)


def _fail(pcode: str | None, dcode: str | None, reason: str) -> AreaMatch:
    return AreaMatch(pcode, dcode, None, exact=False, reason=reason)


def province_code(name: str | None) -> str | None:
    """The 2-digit code of a province name, or None if unknown or ambiguous. Never raises.

    Example:
        >>> province_code("จ.สุราษฏร์ธานี"), province_code("Bangkok"), province_code("xyz")
        ('84', '10', None)
    """
    codes, _ = _lookup(_key(_text(name)), 2, "")
    return codes[0] if len(codes) == 1 else None


def area_names(code: str) -> tuple[str, ...]:
    """Thai names from the province down to the area ``code`` (2, 4 or 6 digits) names.

    Returns an empty tuple for an unknown code. Never raises.

    Example:
        >>> area_names("840101")
        ('สุราษฎร์ธานี', 'เมืองสุราษฎร์ธานี', 'ตลาด')
    """
    if not isinstance(code, str) or len(code) not in (2, 4, 6):
        return ()
    levels = (geothai.province(code[:2]), geothai.district(code[:4]), geothai.subdistrict(code))
    names = tuple(area.name_th for area in levels[: len(code) // 2] if area is not None)
    return names if len(names) == len(code) // 2 else ()


__all__ = [
    "AREA_CREDIT",
    "MIN_FUZZY_MARGIN",
    "MIN_FUZZY_SCORE",
    "AreaMatch",
    "area_names",
    "name_key",
    "province_code",
    "resolve_area",
]


def area_name(code: str) -> str | None:
    """The Thai name of a province (2 digits), district (4) or subdistrict (6) code.

    Example:
        >>> area_name("10")
        'กรุงเทพมหานคร'
    """
    names = _names(code) if code else []
    return names[0] if names else None
