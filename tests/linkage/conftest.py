"""The linkage tests use the shared synthetic world of tests/conftest.py."""

from tests.conftest import NOW

__all__ = ["NOW"]
