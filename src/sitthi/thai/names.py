"""Split Thai personal names into titles, given name and surname.

Lists arrive as one cell such as ``ว่าที่ ร.ต. ดร. สมชาย ใจดี`` or ``นางสาวสมศรี มีสุข``:
titles stacked, abbreviated with or without dots, often glued to the given name. Titles
are data (`TITLES`); the parser strips a glued title only where that is unlikely to eat a real name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal, NamedTuple

from sitthi.thai.text import normalize_thai_text, until_stable

Sex = Literal["M", "F"]
TitleKind = Literal["civil", "child", "rank", "academic", "monastic", "royal", "english"]


@dataclass(frozen=True, slots=True)
class Title:
    """One title: its canonical full form, the other spellings seen in lists, what it implies."""

    canonical: str
    spellings: tuple[str, ...]
    sex: Sex | None
    kind: TitleKind


def _t(canonical: str, *spellings: str, sex: Sex | None = None, kind: TitleKind) -> Title:
    return Title(canonical, (canonical, *spellings), sex, kind)


# Ranks come in three grades, เอก/โท/ตรี, abbreviated อ/ท/ต after the stem's abbreviation.
_GRADES = (("เอก", "อ"), ("โท", "ท"), ("ตรี", "ต"))
_GRADED_RANKS: tuple[tuple[str, str | None], ...] = (
    # army
    ("พล", "พล"),
    ("พัน", "พ"),
    ("ร้อย", "ร"),
    ("จ่าสิบ", "จ.ส"),
    ("สิบ", "ส"),
    # navy
    ("พลเรือ", "พล.ร"),
    ("นาวา", "น"),
    ("เรือ", None),  # ร.อ. etc. are the army's abbreviations too
    ("พันจ่า", "พ.จ"),
    ("จ่า", "จ"),
    # air force
    ("พลอากาศ", "พล.อ"),
    ("นาวาอากาศ", None),
    ("เรืออากาศ", None),
    ("พันจ่าอากาศ", "พ.อ"),
    ("จ่าอากาศ", None),
    # police
    ("พลตำรวจ", "พล.ต"),
    ("พันตำรวจ", "พ.ต"),
    ("ร้อยตำรวจ", "ร.ต"),
    ("สิบตำรวจ", "ส.ต"),
)

# Sources: Child Title Act B.E. 2505 (1962: เด็กชาย, เด็กหญิง under 15), Women's Title Act
# B.E. 2551 (2008: นาง or นางสาว), the Royal Institute's standard abbreviations (คำย่อ) for
# ranks and academic titles. Navy and air force officers share the army abbreviations (ร.อ.
# is ร้อยเอก, เรือเอก and เรืออากาศเอก; จ.ส.ต. is also จ่าสิบตำรวจ): an abbreviation maps to
# the first row that lists it.
TITLES: tuple[Title, ...] = (
    _t("นาย", sex="M", kind="civil"),
    _t("นาง", sex="F", kind="civil"),
    _t("นางสาว", "น.ส.", "นส.", sex="F", kind="civil"),
    _t("เด็กชาย", "ด.ช.", "ดช.", sex="M", kind="child"),
    _t("เด็กหญิง", "ด.ญ.", "ดญ.", sex="F", kind="child"),
    *(
        _t(stem + grade, *([f"{abbr}.{letter}."] if abbr else []), kind="rank")
        for stem, abbr in _GRADED_RANKS
        for grade, letter in _GRADES
    ),
    _t("พลทหาร", "พลฯ", kind="rank"),
    _t("ดาบตำรวจ", "ด.ต.", kind="rank"),
    _t("จ่าสิบตำรวจ", "จ.ส.ต.", kind="rank"),
    _t("พลตำรวจ", kind="rank"),
    # acting rank (e.g. reserve officers, ว่าที่ร้อยตรี): merged with the rank that follows
    _t("ว่าที่", kind="rank"),
    # academic and professional
    _t("ดอกเตอร์", "ดร.", kind="academic"),
    _t("ศาสตราจารย์", "ศ.", kind="academic"),
    _t("รองศาสตราจารย์", "รศ.", "ร.ศ.", kind="academic"),
    _t("ผู้ช่วยศาสตราจารย์", "ผศ.", "ผ.ศ.", kind="academic"),
    _t("นายแพทย์", "นพ.", sex="M", kind="academic"),
    _t("แพทย์หญิง", "พญ.", sex="F", kind="academic"),
    _t("ทันตแพทย์", "ทพ.", sex="M", kind="academic"),
    _t("ทันตแพทย์หญิง", "ทพญ.", sex="F", kind="academic"),
    _t("เภสัชกร", "ภก.", sex="M", kind="academic"),
    _t("เภสัชกรหญิง", "ภญ.", sex="F", kind="academic"),
    # monastic: monks and novices are men, แม่ชี are women
    _t("พระ", sex="M", kind="monastic"),
    _t("พระครู", sex="M", kind="monastic"),
    _t("พระมหา", sex="M", kind="monastic"),
    _t("พระภิกษุ", "พระภิกขุ", sex="M", kind="monastic"),
    _t("สามเณร", "ส.ณ.", sex="M", kind="monastic"),
    _t("แม่ชี", sex="F", kind="monastic"),
    # royal and conferred
    _t("หม่อมเจ้า", "ม.จ.", kind="royal"),
    _t("หม่อมราชวงศ์", "ม.ร.ว.", kind="royal"),
    _t("หม่อมหลวง", "ม.ล.", kind="royal"),
    _t("ท่านผู้หญิง", sex="F", kind="royal"),
    _t("คุณหญิง", sex="F", kind="royal"),
    # English (passports, foreign workers' lists)
    _t("Mr.", "Mr", sex="M", kind="english"),
    _t("Mrs.", "Mrs", sex="F", kind="english"),
    _t("Miss", sex="F", kind="english"),
    _t("Ms.", "Ms", sex="F", kind="english"),
    _t("Dr.", "Dr", kind="english"),
)

_ACTING = "ว่าที่"
_FEMALE_SUFFIX = "หญิง"  # ร.ต.อ.หญิง: female officer (police and armed forces)
_BY_CANONICAL: dict[str, Title] = {t.canonical: t for t in TITLES}

# Given names missing from the PyThaiNLP corpora that start with a title word.
_EXTRA_GIVEN_NAMES = frozenset({"พระพาย", "นางนวล", "พระจันทร์", "พระพร"})


@dataclass(frozen=True, slots=True)
class _Spelling:
    pattern: re.Pattern[str]
    title: Title
    # May the spelling touch the name with no dot or space ("นายสมชาย")? Only full words
    # and dotted abbreviations; "ดร"/"Mr" glued to letters are more likely part of a name.
    may_glue: bool


def _compile(spelling: str, title: Title) -> _Spelling:
    parts = spelling.rstrip(".").split(".")
    # "น.ส." is also written "น. ส.", "น.ส" or "น.ส.สมศรี": spaces after dots, last dot optional.
    body = r"\.\s*".join(map(re.escape, parts))
    # A full word may carry a stray dot too ("นาย. สมชาย"): clerks type it out of habit.
    tail = r"\.?" if spelling.endswith(".") or title.kind != "english" else ""
    flags = re.IGNORECASE if title.kind == "english" else 0
    may_glue = title.kind != "english" and (len(parts) > 1 or not spelling.endswith("."))
    return _Spelling(re.compile(body + tail, flags), title, may_glue)


def _build_index() -> dict[str, tuple[_Spelling, ...]]:
    seen: set[str] = set()
    index: dict[str, list[_Spelling]] = {}
    for title in TITLES:
        for spelling in title.spellings:
            if spelling.casefold() not in seen:  # first row wins (ร.อ. is the army's)
                seen.add(spelling.casefold())
                index.setdefault(spelling[0].casefold(), []).append(_compile(spelling, title))
    return {first: tuple(found) for first, found in index.items()}


_INDEX = _build_index()
_RE_FEMALE = re.compile(r"\s*" + _FEMALE_SUFFIX)
_RE_SEPARATOR = re.compile(r"[\s.]")


@cache
def _known_names() -> frozenset[str]:
    from pythainlp.corpus.common import thai_family_names, thai_female_names, thai_male_names

    return thai_male_names() | thai_female_names() | thai_family_names() | _EXTRA_GIVEN_NAMES


def _may_strip(text: str, start: int, end: int, may_glue: bool) -> bool:
    """Whether a title found at text[start:end] can be cut off there."""
    if end == len(text) or text[end].isspace() or text[end - 1] in ".ฯ":
        return True
    if not may_glue:
        return False
    # Glued: the rest must look like the start of a Thai word (a consonant or a leading
    # vowel, not a following vowel or a tone mark), be at least two letters, and the whole
    # glued word must not be a name in its own right (surnames นายกชน, พระแก้ว).
    # The glued word starts after the title's last dot ("พ.ต.อนันต์" is พ.ต. + อนันต์).
    stop = _RE_SEPARATOR.search(text, end)
    word_end = stop.start() if stop else len(text)
    word_start = max((m.end() for m in _RE_SEPARATOR.finditer(text, start, end)), default=start)
    first = text[end]
    plausible = "\u0e01" <= first <= "\u0e2e" or "\u0e40" <= first <= "\u0e44"
    return plausible and word_end - end >= 2 and text[word_start:word_end] not in _known_names()


def _match_title(text: str, pos: int) -> tuple[Title, str, Sex | None, int] | None:
    """The longest title at text[pos:] that can be stripped: (title, canonical, sex, end)."""
    found = [
        (m.end(), s)
        for s in _INDEX.get(text[pos : pos + 1].casefold(), ())
        if (m := s.pattern.match(text, pos))
    ]
    for end, spelling in sorted(found, key=lambda f: -f[0]):
        title = spelling.title
        if title.kind == "rank" and title.canonical != _ACTING:
            female = _RE_FEMALE.match(text, end)
            if female and _may_strip(
                text, female.end() - len(_FEMALE_SUFFIX), female.end(), may_glue=True
            ):
                return title, title.canonical + _FEMALE_SUFFIX, "F", female.end()
        if _may_strip(text, pos, end, spelling.may_glue):
            return title, title.canonical, title.sex, end
    return None


class _Found(NamedTuple):
    canonical: str
    sex: Sex | None
    start: int  # where the title starts in the text


def _strip_titles(text: str) -> tuple[list[_Found], str]:
    found: list[_Found] = []
    pos = len(text) - len(text.lstrip())
    while (match := _match_title(text, pos)) is not None:
        title, canonical, sex, end = match
        acting = bool(found) and found[-1].canonical == _ACTING
        if acting and title.kind == "rank" and title.canonical != _ACTING:
            # ว่าที่ ร.ต. -> ว่าที่ร้อยตรี: an acting rank is one title.
            found[-1] = _Found(_ACTING + canonical, sex, found[-1].start)
        else:
            found.append(_Found(canonical, sex, pos))
        pos = end + len(text[end:]) - len(text[end:].lstrip())
    return found, text[pos:].strip()


def split_title(text: str) -> tuple[tuple[str, ...], str]:
    """Strip every leading title from a name and return (canonical titles, rest).

    Titles may be stacked and separated by spaces or dots, or glued to the name; a glued
    title is only cut off when what remains looks like a Thai name and the whole word is
    not a known name itself. The text is not normalized: see `parse_full_name`.

    Example:
        >>> split_title("ว่าที่ ร.ต. ดร.สมชาย ใจดี")
        (('ว่าที่ร้อยตรี', 'ดอกเตอร์'), 'สมชาย ใจดี')
        >>> split_title("นพดล")
        ((), 'นพดล')
    """
    found, rest = _strip_titles(text)
    return tuple(f.canonical for f in found), rest


def _combine_sex(sexes: list[Sex | None]) -> Sex | None:
    # Conflicting hints (a Mr. who is also แพทย์หญิง) are a data error: claim nothing.
    known = {s for s in sexes if s is not None}
    return known.pop() if len(known) == 1 else None


def sex_from_title(title: str | None) -> Sex | None:
    """The sex a title implies ('M', 'F') or None (ranks, academic titles, unknown text).

    Example:
        >>> sex_from_title("น.ส."), sex_from_title("ร.ต.อ.หญิง"), sex_from_title("พ.ต.อ.")
        ('F', 'F', None)
    """
    if not title:
        return None
    found, rest = _strip_titles(normalize_thai_text(title))
    return None if rest else _combine_sex([f.sex for f in found])


@dataclass(frozen=True, slots=True)
class ParsedName:
    """A full name split into canonical titles, given name and surname."""

    titles: tuple[str, ...]
    first_name: str
    last_name: str
    sex_hint: Sex | None

    @property
    def title(self) -> str | None:
        """The civil or child title (นาย, นางสาว, เด็กหญิง...), else the first title."""
        for canonical in self.titles:
            known = _BY_CANONICAL.get(canonical)
            if known is not None and known.kind in ("civil", "child"):
                return canonical
        return self.titles[0] if self.titles else None


def parse_full_name(text: str) -> ParsedName:
    """Parse one name cell: normalize, strip titles, split given name and surname.

    The surname is everything after the first space (compound surnames are kept). Never
    raises; an empty cell gives empty strings.

    Example:
        >>> parse_full_name("น.ส.สมศรี  ณ อยุธยา")
        ParsedName(titles=('นางสาว',), first_name='สมศรี', last_name='ณ อยุธยา', sex_hint='F')
    """
    clean = normalize_thai_text(text)
    found, rest = _strip_titles(clean)
    # A name that is itself a title word ("นาย นพ ใจดี": นพ is a given name, and an
    # abbreviation of นายแพทย์) leaves no surname: give the last title back as the name.
    if found and " " not in rest:
        candidate = clean[found[-1].start :].strip()
        word = candidate.partition(" ")[0]
        if " " in candidate and word in _known_names():
            found.pop()
            rest = candidate
    first, _, last = rest.partition(" ")
    return ParsedName(
        titles=tuple(f.canonical for f in found),
        first_name=first,
        last_name=last,
        sex_hint=_combine_sex([f.sex for f in found]),
    )


# Characters that differ between copies of the same name without changing it.
_RE_NAME_NOISE = re.compile(r"[\s.\-\u2010-\u2015'`\u2018\u2019\u02bc]")


def _normalize_name_once(text: str) -> str:
    text = normalize_thai_text(text)
    found, name = _strip_titles(text)
    if not name and found:
        # A part that is nothing but title words keeps the last one: นาย and นพ are also
        # given names, and "นาย นาย" is most likely Mr. Nai.
        name = text[found[-1].start :]
    return normalize_thai_text(_RE_NAME_NOISE.sub("", name.lower()))


def normalize_name(text: str) -> str:
    """The comparison form of one name part (given name or surname).

    Normalizes Thai text, strips titles, lowercases Latin letters and removes spaces,
    dots, hyphens and apostrophes. Idempotent.

    Example:
        >>> normalize_name("นาย สม-ชาย"), normalize_name("O'Brien")
        ('สมชาย', 'obrien')
    """
    return until_stable(_normalize_name_once, text)
