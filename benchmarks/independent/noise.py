"""The text, ID and date noise of the independent world: how Thai registry values get
written wrong (typos, Thai digits, eras, glued titles, phonetic spellings).

Part of the independent generator (see README.md here): written from descriptions of Thai
registry problems, not from Sitthi's code; for measuring only, never for tuning.
"""

from __future__ import annotations

import random
from datetime import date

REF = date(2025, 10, 1)  # the "today" of the world: ages and titles are taken at this date
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
MONTHS_FULL = [
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
]
MONTHS_ABBR = [
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
]
RANKS = ("ร.ต.อ.", "พ.ต.ท.", "จ.ส.อ.", "ส.ต.ต.", "ร.ท.", "พ.อ.", "ด.ต.")
ROYAL = ("ม.ร.ว.", "ม.ล.")
PHONETIC = (("ศ", "ส"), ("ษ", "ส"), ("ส", "ศ"), ("ณ", "น"), ("น", "ณ"), ("ธ", "ท"))
PHONETIC += (("ท", "ธ"), ("ไ", "ใ"), ("ใ", "ไ"), ("ภ", "พ"), ("พ", "ภ"), ("ฒ", "ฒ"))
TONES = "่้๊๋"
# Kedmanee keyboard rows: a slip hits the key next to the intended one.
KEY_ROWS = ("ๆไำพะัีรนยบล", "ฟหกดเ้่าสวง", "ผปแอิืทมใฝ")
NEIGHBOURS: dict[str, str] = {}
for _row in KEY_ROWS:
    for _i, _ch in enumerate(_row):
        NEIGHBOURS[_ch] = _row[max(_i - 1, 0) : _i] + _row[_i + 1 : _i + 2]
ZWSP = ("\u200b", "\u200c", "\ufeff")


# ------------------------------------------------------------------------------ national IDs
def check_digit(d12: str) -> str:
    s = sum(int(c) * (13 - i) for i, c in enumerate(d12))
    return str((11 - s % 11) % 10)


def valid_id(pid: str) -> bool:
    return len(pid) == 13 and pid.isdigit() and check_digit(pid[:12]) == pid[12]


def id_typo(pid: str, rnd: random.Random, want_valid: bool) -> str:
    """One digit substituted or two adjacent digits swapped."""
    cands = []
    for i in range(13):
        for c in "0123456789":
            if c != pid[i] and not (i == 0 and c == "0"):
                cands.append(pid[:i] + c + pid[i + 1 :])
    for i in range(12):
        if pid[i] != pid[i + 1] and not (i == 0 and pid[1] == "0"):
            cands.append(pid[:i] + pid[i + 1] + pid[i] + pid[i + 2 :])
    valid = [c for c in cands if valid_id(c)]
    if want_valid and valid:
        return rnd.choice(valid)
    return rnd.choice([c for c in cands if not valid_id(c)])


def format_id(pid: str, style: str) -> str:
    if style == "dash":
        return f"{pid[0]}-{pid[1:5]}-{pid[5:10]}-{pid[10:12]}-{pid[12:]}"
    if style == "space":
        return f"{pid[0]} {pid[1:5]} {pid[5:10]} {pid[10:12]} {pid[12:]}"
    if style == "thai":
        return pid.translate(THAI_DIGITS)
    return pid


# ------------------------------------------------------------------------------------ dates
def format_date(d: date, style: str) -> str:
    be = d.year + 543
    if style == "be":
        return f"{d.day:02d}/{d.month:02d}/{be}"
    if style == "ce_iso":
        return d.isoformat()
    if style == "ce_slash":
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if style == "month_full":
        return f"{d.day} {MONTHS_FULL[d.month - 1]} {be}"
    if style == "month_abbr":
        return f"{d.day} {MONTHS_ABBR[d.month - 1]} {be}"
    if style == "year":
        return str(be)
    raise ValueError(style)


# ------------------------------------------------------------------------------------ names
def misspell(s: str, rnd: random.Random) -> str:
    if len(s) < 3:
        return s
    i = rnd.randrange(len(s))
    kind = rnd.random()
    if kind < 0.5 and NEIGHBOURS.get(s[i]):
        return s[:i] + rnd.choice(NEIGHBOURS[s[i]]) + s[i + 1 :]
    if kind < 0.8:
        return s[:i] + s[i + 1 :]  # a dropped character
    return s[:i] + s[i] + s[i:]  # a doubled character


def phonetic(s: str, rnd: random.Random) -> str:
    opts = [(a, b) for a, b in PHONETIC if a in s and a != b]
    tones = [i for i, c in enumerate(s) if c in TONES]
    r = rnd.random()
    if opts and (r < 0.6 or not tones):
        a, b = rnd.choice(opts)
        i = rnd.choice([k for k, c in enumerate(s) if c == a])
        return s[:i] + b + s[i + 1 :]
    if tones:
        i = rnd.choice(tones)
        return s[:i] + s[i + 1 :]  # tone mark omitted
    i = rnd.randrange(1, len(s) + 1) if len(s) > 1 else 1
    return s[:i] + "่" + s[i:]  # tone mark added


def zero_width(s: str, rnd: random.Random) -> str:
    i = rnd.randrange(len(s) + 1)
    return s[:i] + rnd.choice(ZWSP) + s[i:]


def extra_space(s: str, rnd: random.Random) -> str:
    r = rnd.random()
    if r < 0.4:
        return " " + s + "  "
    if r < 0.7 or len(s) < 3:
        return s + " "
    i = rnd.randrange(1, len(s))
    return s[:i] + " " + s[i:]
