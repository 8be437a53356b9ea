"""Clean Thai text typed into government forms before any comparison.

Registry exports carry the marks of many keyboards and encoders: invisible characters,
nikhahit + sara aa typed instead of sara am, tone marks typed before the vowel,
doubled vowels, non-breaking spaces. This module folds all of them to one spelling.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# Invisible characters that word processors and web forms leave inside names:
# ZWSP, ZWNJ, ZWJ, word joiner, BOM (also used as ZWNBSP) and the soft hyphen.
_ZERO_WIDTH = str.maketrans(dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad"))

_TONE_MARKS = "\u0e48\u0e49\u0e4a\u0e4b"
_NIKHAHIT = "\u0e4d"
_SARA_AA = "\u0e32"
_SARA_AM = "\u0e33"

# Sara am is one code point, but many keyboards (and PDF extractors) produce nikhahit +
# sara aa, with the tone mark before, between or after the nikhahit. The two spellings
# look identical on screen and must compare equal.
_RE_SARA_AM = re.compile(
    f"([{_TONE_MARKS}]*){_NIKHAHIT}([{_TONE_MARKS}]*){_SARA_AA}([{_TONE_MARKS}]*)"
)

# Everything pythainlp.util.normalize could rewrite once whitespace is collapsed: เเ, a
# tone mark or thanthakhat before a vowel, nikhahit, a tone mark after a following vowel,
# lakkhangyao, a repeated vowel or sign, stacked tone marks, a mark at the start of a word.
# Clean names (nearly all of them) skip its ~50 us of regex passes; a property test checks
# that the shortcut never changes the result.
_NON_BASE = "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"
_RE_NEEDS_PYTHAINLP = re.compile(
    "\u0e40\u0e40|[\u0e48-\u0e4c][\u0e31\u0e34-\u0e39\u0e47\u0e4d]|\u0e4d|\u0e45"
    "|[\u0e30\u0e32\u0e33][\u0e48-\u0e4b]|[\u0e48-\u0e4b]{2}"
    f"|([\u0e30-\u0e3a\u0e40-\u0e44\u0e47\u0e4c-\u0e4e]) *\\1|(?:^| )[{_NON_BASE}]"
)

# A few passes always reach a fixed point; the bound only guards against a
# pathological input that keeps rewriting itself.
_MAX_PASSES = 8


def _sara_am(match: re.Match[str]) -> str:
    # Keep the last tone mark typed: it is the one the writer saw on screen.
    tones = match.group(1) + match.group(2) + match.group(3)
    return f"{tones[-1:]}{_SARA_AM}"


def _one_pass(text: str) -> str:
    # Imported here: pythainlp.util pulls in the tokenizers (~0.2 s), which the CLI
    # should not pay for at start-up.
    from pythainlp.util import normalize as pythainlp_normalize

    text = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH)
    # str.split() splits on every Unicode space (NBSP, U+3000, tabs, line breaks).
    text = " ".join(text.split())
    text = _RE_SARA_AM.sub(_sara_am, text)
    # PyThaiNLP: เเ -> แ, tone mark after its vowel, repeated vowels and tone marks
    # dropped (last tone kept), lakkhangyao -> sara aa, dangling marks removed.
    if _RE_NEEDS_PYTHAINLP.search(text):
        text = unicodedata.normalize("NFC", pythainlp_normalize(text))
    return text


def until_stable(step: Callable[[str], str], text: str, max_passes: int = _MAX_PASSES) -> str:
    """Apply ``step`` until the text stops changing (one fix can uncover another), at most
    ``max_passes`` times, so the result is idempotent in practice."""
    for _ in range(max_passes):
        cleaned = step(text)
        if cleaned == text:
            break
        text = cleaned
    return text


def normalize_thai_text(text: str) -> str:
    """Return the canonical spelling of a piece of Thai text.

    Applies Unicode NFC, removes zero-width characters, rewrites nikhahit + sara aa as
    sara am (tone mark first), reorders tone marks and vowels and drops repeated ones
    (via ``pythainlp.util.normalize``), collapses every kind of whitespace to one space
    and strips. The result is NFC, idempotent, and the function never raises.

    Args:
        text: any string, typically a name or an address cell.

    Returns:
        The normalized text.

    Example:
        >>> normalize_thai_text("  น\\u0e4d\\u0e49\\u0e32\\u200bฝน\\u00a0เเก้ว ")
        'น้ำฝน แก้ว'
    """
    return until_stable(_one_pass, text)


def display_width(text: str) -> int:
    """Terminal cells: Thai vowel and tone marks above or below a letter take none."""
    return sum(1 for c in text if unicodedata.category(c) != "Mn")


def thai_wrap(text: str, width: int) -> str:
    """``text`` broken into lines of at most ``width`` cells between words.

    Thai writes no spaces between words, so a terminal table can only cut it mid-word;
    PyThaiNLP's dictionary tokenizer (newmm, bundled, no network) finds the word ends.
    A word longer than ``width`` keeps a line of its own.

    Example:
        >>> print(thai_wrap("การเข้าถึงบริการรัฐ", 10))
        การเข้าถึง
        บริการรัฐ
    """
    if display_width(text) <= width:
        return text
    from pythainlp.tokenize import word_tokenize

    lines: list[str] = []
    line = ""
    for word in word_tokenize(text, engine="newmm", keep_whitespace=True):
        if line and display_width(line + word) > width:
            lines.append(line.rstrip())
            line = word.lstrip()
        else:
            line += word
    lines.append(line.rstrip())
    return "\n".join(x for x in lines if x)
