"""Fail when a public name, a parameter or a summary figure of disclosure is undocumented."""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path

import pytest

import sitthi.disclosure as disclosure

DOC = (Path(__file__).parents[2] / "docs" / "DISCLOSURE.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", disclosure.__all__)
def test_every_public_name_is_in_the_document(name: str) -> None:
    assert f"`{name}`" in DOC


@pytest.mark.parametrize(
    "name", [p for p in inspect.signature(disclosure.suppress).parameters if p != "cells"]
)
def test_every_option_of_suppress_is_in_the_document(name: str) -> None:
    assert name in DOC


@pytest.mark.parametrize("name", [f.name for f in dataclasses.fields(disclosure.Protection)])
def test_the_rule_names_its_parameters(name: str) -> None:
    assert f"{name}" in DOC


@pytest.mark.parametrize(
    "module",
    ["__init__", "attack", "protection", "publish", "rates"],
)
def test_the_examples_in_the_docstrings_run(module: str) -> None:
    import doctest
    import importlib

    name = "sitthi.disclosure" if module == "__init__" else f"sitthi.disclosure.{module}"
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0
    assert result.failed == 0
