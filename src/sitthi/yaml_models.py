"""YAML files validated by pydantic, with errors that name the file, the line and the field.

Source specs, survivorship rules and programmes are all data a user writes by hand; a
mistake in any of them reads ``file.yaml:12: fields.birth_date.type: expected one of …``.
"""

from __future__ import annotations

from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from sitthi.errors import SitthiError

Model = TypeVar("Model", bound=BaseModel)


def line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (or of its closest parent)."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            match = node.value[key]
        else:
            match = None
        if match is None:
            break
        node = match
        line = node.start_mark.line + 1
    return line


def _duplicate_key(node: yaml.Node | None) -> tuple[int, str] | None:
    """The line and name of the first key a mapping repeats (YAML lets the last win)."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                return key.start_mark.line + 1, str(key.value)
            seen.add(key.value)
            if found := _duplicate_key(value):
                return found
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if found := _duplicate_key(item):
                return found
    return None


def parse_yaml_model(
    text: str, name: str, model: type[Model], error: type[SitthiError], what: str
) -> Model:
    """Validate YAML ``text`` as ``model``; every mistake is one line of the ``error``.

    ``name`` is used in messages (usually the file path); ``what`` says what the file is
    (``a spec is a mapping of keys (…)``) when it is not a mapping at all.
    """
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise error(f"{name}{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(data, dict):
        raise error(f"{name}:1: {what}")
    duplicate = _duplicate_key(root)
    if duplicate:
        twice, key = duplicate
        raise error(f"{name}:{twice}: {key!r} is given twice (the second would silently win)")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            is_key = bool(loc) and loc[-1] == "[key]"
            loc = loc[:-1] if is_key else loc
            field = ".".join(str(p) for p in loc) or "(file)"
            line = line_of(root, loc)
            expected = err["msg"]
            if err["type"] == "literal_error":
                expected = f"expected one of {err['ctx']['expected']}"
                if is_key:
                    expected = f"unknown field name; {expected}"
            where = f"{name}:{line}" if line else name
            lines.append(f"{where}: {field}: {expected}")
        raise error("\n".join(lines)) from exc
