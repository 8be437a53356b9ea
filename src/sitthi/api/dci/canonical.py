"""One byte string for one JSON document, so that a signature means the same on both ends.

The DCI standard says the signature covers ``{header}+{message}`` but not how they are
serialised. Sitthi signs and verifies the JSON Canonicalization Scheme (JCS, RFC 8785) of
the object ``{"header": …, "message": …}``, as *received* (every field the sender sent,
none Sitthi's models added): keys sorted by their UTF-16 code units, no whitespace,
strings in UTF-8 with only ``"``, ``\\`` and control characters escaped, numbers written
as ECMAScript writes them (``1`` not ``1.0``, ``1e+21``, ``0.000001``). Any RFC 8785
library on the partner's side gives the same bytes.

A document with a key twice has no single meaning (parsers keep the first or the last),
so `parse_json` refuses it, as it refuses ``NaN`` and ``Infinity``.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any


class NotCanonical(ValueError):
    """The document cannot be canonicalised (a duplicate key, NaN, a non-JSON value)."""


def canonical_bytes(document: Any) -> bytes:
    """The RFC 8785 canonical form of ``document`` (JSON values only), in UTF-8.

    Example:
        >>> canonical_bytes({"b": 1.0, "a": ["ก", 1e21, 0.000001]})
        b'{"a":["\\xe0\\xb8\\x81",1e+21,0.000001],"b":1}'
    """
    out: list[str] = []
    _write(document, out)
    return "".join(out).encode("utf-8")


def _write(value: Any, out: list[str]) -> None:
    if value is None or isinstance(value, bool):
        out.append(json.dumps(value))
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(_number(value))
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out)
        out.append("]")
    elif isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise NotCanonical("object keys must be strings")
        out.append("{")
        # RFC 8785 §3.2.3: sort by UTF-16 code units (differs from code points only
        # above U+FFFF).
        for i, key in enumerate(sorted(value, key=lambda k: k.encode("utf-16-be"))):
            if i:
                out.append(",")
            out.append(json.dumps(key, ensure_ascii=False))
            out.append(":")
            _write(value[key], out)
        out.append("}")
    else:
        raise NotCanonical(f"not a JSON value: {type(value).__name__}")


def _number(value: float) -> str:
    """A double as ECMAScript's Number.prototype.toString writes it (RFC 8785 §3.2.2.3)."""
    if not math.isfinite(value):
        raise NotCanonical("NaN and Infinity are not JSON")
    if value == 0:
        return "0"
    # repr gives the shortest digits that round-trip, as ECMAScript does; only the
    # notation differs: fixed from 1e-6 up to 1e21, exponent (e+N / e-N) outside.
    digits, exponent = Decimal(repr(value)).normalize().as_tuple()[1:]
    assert isinstance(exponent, int)
    sign = "-" if value < 0 else ""
    text = "".join(map(str, digits))
    point = len(text) + exponent  # where the decimal point falls in ``text``
    if -6 < point <= 21:
        if point <= 0:
            return f"{sign}0.{'0' * -point}{text}"
        if point >= len(text):
            return f"{sign}{text}{'0' * (point - len(text))}"
        return f"{sign}{text[:point]}.{text[point:]}"
    mantissa = text[0] + (f".{text[1:]}" if len(text) > 1 else "")
    e = point - 1
    return f"{sign}{mantissa}e{'+' if e > 0 else '-'}{abs(e)}"


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise NotCanonical(f"the key {key!r} appears twice in one object")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise NotCanonical(f"{name} is not JSON")


def parse_json(body: bytes) -> Any:
    """Parse a request body strictly: UTF-8, no duplicate keys, no NaN or Infinity."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotCanonical("the body is not UTF-8") from exc
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise NotCanonical(f"not JSON (line {exc.lineno}, column {exc.colno})") from exc
