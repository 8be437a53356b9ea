"""Keyed pseudonyms of national IDs: HMAC-SHA256(key, canonical ID), in Python and in SQL.

Every table but the identity table carries the pseudonym instead of the ID. The key lives
outside the database (configuration), so the store alone cannot be reversed by hashing
all 10^13 possible IDs, which a plain hash would allow.
"""

from __future__ import annotations

import hashlib
import hmac

_BLOCK = 64  # SHA-256 block size in bytes


def pseudonym(key: bytes, value: str) -> str:
    """HMAC-SHA256 of ``value`` as 64 hex digits.

    Example:
        >>> pseudonym(b"0123456789abcdef", "1101700203158")[:12]
        'd8ad020867be'
    """
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def pseudonym_sql(key: bytes, expression: str) -> tuple[str, dict[str, bytes]]:
    """SQL computing the same HMAC inside DuckDB, and its parameters.

    HMAC(k, m) = H((k ⊕ opad) ‖ H((k ⊕ ipad) ‖ m)); with a fixed key both padded keys are
    constants, so the whole thing is two native ``sha256`` calls per value: vectorised,
    no Python per row. The key is passed as a parameter, never written into the SQL text.
    """
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    padded = key.ljust(_BLOCK, b"\0")
    params = {
        "hmac_ipad": bytes(b ^ 0x36 for b in padded),
        "hmac_opad": bytes(b ^ 0x5C for b in padded),
    }
    sql = f"sha256($hmac_opad || unhex(sha256($hmac_ipad || encode({expression}))))"
    return sql, params
