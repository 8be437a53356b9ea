"""Statistical disclosure control for every aggregate that leaves Sitthi.

The API, exports and the dashboard publish counts of persons by area and category only
through `suppress` (or `suppress_query` for a DuckDB result): cells counting fewer than
``k`` persons are suppressed, with enough complementary cells across categories and the
area hierarchy (subdistrict → district → province → country) that no suppressed cell can
be solved for from what is published, in one release or by differencing two. A
linear-programming audit proves it before anything is returned. See docs/DISCLOSURE.md.

Example:
    >>> import pandas as pd
    >>> from sitthi.disclosure import suppress
    >>> cells = pd.DataFrame({"subdistrict_code": ["100101", "100101", "100102", "100102"],
    ...     "category": ["elderly", "disabled", "elderly", "disabled"],
    ...     "persons": [40, 3, 35, 20]})
    >>> published = suppress(cells, k=10)
    >>> int(published.table.suppressed.sum())
    4
"""

from sitthi.disclosure.attack import attack
from sitthi.disclosure.audit import UnsafeTable
from sitthi.disclosure.protection import DEFAULT_K, Protection
from sitthi.disclosure.publish import (
    Pattern,
    Published,
    Summary,
    suppress,
    suppress_query,
    verify,
)
from sitthi.disclosure.rates import rate
from sitthi.disclosure.table import LEVELS, NATIONAL_CODE

__all__ = [
    "DEFAULT_K",
    "LEVELS",
    "NATIONAL_CODE",
    "Pattern",
    "Protection",
    "Published",
    "Summary",
    "UnsafeTable",
    "attack",
    "rate",
    "suppress",
    "suppress_query",
    "verify",
]
