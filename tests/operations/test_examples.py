"""The examples in the operations modules' docstrings run as written."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from sitthi.operations import accounts, audit, chain, dsa, roles, store

MODULES = [roles, dsa, chain, audit, store, accounts]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_the_examples_run(module: ModuleType) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
