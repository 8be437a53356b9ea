"""YAML files validated by pydantic, with errors that name the file, the line and the field.

Source specs, survivorship rules and programmes are all data a user writes by hand; a
mistake in any of them reads ``file.yaml:12: fields.birth_date.type: expected one of …``.
A user may also name the wrong file (a CSV, a device, a huge log): it is refused in a
line that never quotes what the file holds.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from sitthi.errors import SitthiError

Model = TypeVar("Model", bound=BaseModel)

#: A hand-written spec or programme is a few kilobytes; 1 MiB is certainly something else.
MAX_FILE_BYTES = 1 << 20
#: Values a file may hold, written out or once aliases are expanded: a spec has a few
#: hundred. Nested aliases ("billion laughs") make a 500-byte file stand for billions, and
#: pure-Python PyYAML composes ~100 KB/s, so 1 MiB of tiny values would cost seconds.
MAX_VALUES = 20_000
#: Mistakes listed in one error; a file that is not a spec at all would give hundreds.
MAX_ERRORS = 20
#: Longest piece of a file (a key, a YAML problem) repeated in a message.
MAX_QUOTE = 100


def read_user_file(
    path: str | Path, error: type[SitthiError], *, what: str, limit: int = MAX_FILE_BYTES
) -> str:
    """The UTF-8 text of a file a user named, or a one-line ``error`` saying why not.

    Only a regular file is read (a FIFO, a device such as /dev/zero or a folder would
    block or never end), and at most ``limit`` bytes of it. Messages read
    ``PATH: cannot read WHAT: why``, with ``path`` as the user gave it.

    Example:
        >>> read_user_file("/dev/zero", SitthiError, what="spec")
        Traceback (most recent call last):
        sitthi.errors.SitthiError: /dev/zero: cannot read spec: not a regular file (a device)
    """

    def refused(why: str) -> SitthiError:
        return error(f"{path}: cannot read {what}: {why}")

    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError as exc:
        raise refused(f"no such {what} file") from exc
    except OSError as exc:
        raise refused(exc.strerror or type(exc).__name__) from exc
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        device = stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        kind = "a folder" if stat.S_ISDIR(mode) else "a device" if device else "a pipe"
        raise refused(f"not a regular file ({kind})")
    with os.fdopen(fd, "rb") as f:
        try:
            data = f.read(limit + 1)  # one byte more tells "too large" without reading it all
        except OSError as exc:
            raise refused(exc.strerror or type(exc).__name__) from exc
    if len(data) > limit:
        raise refused(f"larger than {limit:,} bytes")
    if b"\0" in data:
        raise refused("a binary file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise refused(f"not UTF-8 text (byte {exc.start}); a {what} must be UTF-8") from exc


def _quote(text: object) -> str:
    text = str(text)
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1] + "…"


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


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


class _TooManyValues(Exception):
    pass


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, stopped at the `MAX_VALUES`-th node it composes."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self.nodes += 1
        if self.nodes > MAX_VALUES:
            raise _TooManyValues
        return super().compose_node(parent, index)


def _check_expansion(root: yaml.Node, name: str, error: type[SitthiError]) -> None:
    """Refuse a node graph whose aliases expand past `MAX_VALUES`, or that contains itself.

    An alias is the same node object as its anchor, so sizes are memoised by node: the
    count costs one visit per distinct node however large the expansion.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in on_path:
            raise error(f"{name}:{node.start_mark.line + 1}: an alias refers to a value holding it")
        if key not in sizes:
            on_path.add(key)
            sizes[key] = 1 + sum(size(child) for child in _children(node))
            on_path.discard(key)
            if sizes[key] > MAX_VALUES:
                raise error(
                    f"{name}: over {MAX_VALUES:,} values once its YAML aliases are expanded"
                )
        return sizes[key]

    size(root)


def _duplicate_key(node: yaml.Node | None) -> tuple[int, str] | None:
    """The line and name of the first key a mapping repeats (YAML lets the last win)."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
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


def _scalars(node: yaml.Node, path: str = "") -> Iterator[tuple[str, yaml.ScalarNode]]:
    if isinstance(node, yaml.ScalarNode):
        yield path, node
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _scalars(value, f"{path}.{_quote(key.value)}".lstrip("."))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _scalars(item, f"{path}.{i}".lstrip("."))


#: What a scalar of a YAML type should be, for messages (``valid_to: 2030-02-30``).
_KINDS = {
    "tag:yaml.org,2002:timestamp": "a valid date",
    "tag:yaml.org,2002:int": "a whole number",
    "tag:yaml.org,2002:float": "a number",
}


def _bad_scalar(root: yaml.Node, name: str) -> str:
    """Which scalar PyYAML could not construct (its errors, such as a ValueError for
    2030-02-30, carry no line): each scalar is tried again on its own."""
    loader = yaml.SafeLoader("")
    try:
        for path, node in _scalars(root):
            try:
                loader.construct_object(node)
            except Exception:
                kind = _KINDS.get(node.tag, f"a value of type {_quote(node.tag)}")
                return f"{name}:{node.start_mark.line + 1}: {path or '(file)'}: not {kind}"
    finally:
        loader.dispose()
    return f"{name}: not valid YAML"


def _not_yaml(exc: yaml.YAMLError, text: str, name: str) -> str:
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        where = f":{mark.line + 1}"
    elif isinstance(exc, yaml.reader.ReaderError):  # a control character: no mark, a position
        where = f":{text.count(chr(10), 0, exc.position) + 1}"
    else:
        where = ""
    problem = getattr(exc, "problem", None) or getattr(exc, "reason", None)
    return f"{name}{where}: not valid YAML: {_quote(problem or type(exc).__name__)}"


def _load(text: str, name: str, error: type[SitthiError]) -> tuple[yaml.Node | None, object]:
    """The node graph (for lines) and the data of ``text``, parsed once."""
    loader = None
    try:
        loader = _Loader(text)  # checks every character already
        root = loader.get_single_node()
        if root is None:
            return None, None
        _check_expansion(root, name, error)
        try:
            return root, loader.construct_document(root)
        except (yaml.YAMLError, RecursionError):
            raise
        except Exception as exc:  # a scalar PyYAML matched as a type but cannot build
            raise error(_bad_scalar(root, name)) from exc
    except yaml.YAMLError as exc:
        raise error(_not_yaml(exc, text, name)) from exc
    except _TooManyValues as exc:
        raise error(f"{name}: over {MAX_VALUES:,} values, more than a hand-written file") from exc
    except RecursionError as exc:
        raise error(f"{name}: nested too deeply to be a hand-written file") from exc
    finally:
        if loader is not None:
            loader.dispose()


def _known_keys(model: type[BaseModel]) -> set[str]:
    return {f.alias or n for n, f in model.model_fields.items()} | set(model.model_fields)


def _error_lines(exc: ValidationError, root: yaml.Node | None, name: str) -> list[str]:
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        is_key = bool(loc) and loc[-1] == "[key]"
        loc = loc[:-1] if is_key else loc
        field = ".".join(_quote(p) for p in loc) or "(file)"
        line = line_of(root, loc)
        # pydantic's messages name what was expected, never the input (kept out on purpose:
        # it could be a line of a file that is not a spec at all).
        expected = err["msg"]
        if err["type"] == "literal_error":
            expected = f"expected one of {err['ctx']['expected']}"
            if is_key:
                expected = f"unknown field name; {expected}"
        where = f"{name}:{line}" if line else name
        lines.append(f"{where}: {field}: {expected}")
    if len(lines) > MAX_ERRORS:
        lines[MAX_ERRORS:] = [f"… and {len(lines) - MAX_ERRORS} more"]
    return lines


def parse_yaml_model(
    text: str, name: str, model: type[Model], error: type[SitthiError], what: str
) -> Model:
    """Validate YAML ``text`` as ``model``; every mistake is one line of the ``error``.

    ``name`` is used in messages (usually the file path); ``what`` says what the file is
    (``a spec is a mapping of keys (…)``) when it is not a mapping at all, or shares no
    key with the model.
    """
    root, data = _load(text, name, error)
    if not isinstance(data, dict) or not _known_keys(model) & set(map(str, data)):
        raise error(f"{name}:1: {what}")
    duplicate = _duplicate_key(root)
    if duplicate:
        twice, key = duplicate
        raise error(
            f"{name}:{twice}: {_quote(key)!r} is given twice (the second would silently win)"
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise error("\n".join(_error_lines(exc, root, name))) from exc
    except RecursionError as exc:
        raise error(f"{name}: nested too deeply to be a hand-written file") from exc
