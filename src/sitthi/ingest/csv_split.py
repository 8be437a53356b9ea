"""Cut a CSV extract into records before any CSV parser sees it, and count them.

The count of records is the first guarantee of ingest (read = loaded + quarantined), so it
must not depend on the parser that loads them: a parser that guesses the dialect (line
endings, quoting) can silently take 19,000 lines for one. So Sitthi reads the bytes first.

`staged_csv` scans the file in one vectorised pass (`_scan`). A *plain* file — every line
after the header one record: no blank line, no line with an odd number of quotes (a
quoted line break or a stray quote), no NUL, no line over `MAX_RECORD_BYTES`, no lone
``\r`` — has as many records as lines, and a parser told the dialect (nothing guessed)
numbers them exactly as the file does. It is read as it is when it is UTF-8 with ``\n``
line ends; otherwise it is staged line for line, decoded to UTF-8 (cp874 too: a byte the
encoding does not define becomes U+FFFD and its row is quarantined as ``bad_encoding``),
its byte order mark dropped and its line ends made ``\n``.

Any other file is cut record by record (`split_csv`): a record is one line, or several
when a quoted field holds a line break — a line with an odd number of quote characters
opens such a field, the next one closes it. A record that does not come out as one CSV
row, spans more than `MAX_RECORD_LINES` lines or `MAX_RECORD_BYTES` bytes, or never
closes, leaves only its first line, quarantined as ``bad_quoting``; reading goes on from
the next line. A NUL byte counts as an undefined byte. Each record is written prefixed
with the file line it starts on, so every loaded or rejected row knows its line. The same
fault is handled the same way wherever it is in the file and whatever the file's size.

Staged bytes go to a file no other process can open and that disappears with the
process, even on ``kill -9`` (`private_file`).
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sitthi.errors import SourceSpecError

CHUNK_BYTES = 16 << 20
#: A quoted field may hold line breaks, but a record of more lines than this is a quote
#: that was never closed.
MAX_RECORD_LINES = 100
MAX_RECORD_BYTES = 1 << 20
_BOM = b"\xef\xbb\xbf"
_REPLACEMENT = "\ufffd".encode()


@dataclass
class Reject:
    """A record the splitter (or the parser after it) could not read, with its file line."""

    line: int
    reasons: list[str]
    raw: str


@dataclass
class Split:
    """What `split_csv` found in a file."""

    columns: list[str]
    records: int = 0  # data records in the file: written to the staging file + rejects
    written: int = 0
    undecodable: int = 0  # written records holding a byte the encoding does not define
    rejects: list[Reject] = field(default_factory=list)
    path: str = ""  # what the parser reads: the file itself, or the staging file
    prefixed: bool = True  # each record starts with its file line (else: line for line)


def unique_names(header: list[str]) -> list[str]:
    """Header cells as column names: blanks become column_N, repeats get _1, _2, so no
    column silently replaces another."""
    names: list[str] = []
    for i, cell in enumerate(header):
        name = cell.strip() or f"column_{i + 1}"
        base, n = name, 0
        while name in names or name == "_line":
            n += 1
            name = f"{base}_{n}"
        names.append(name)
    return names


@contextlib.contextmanager
def private_file(folder: Path) -> Iterator[tuple[int, str]]:
    """A file descriptor and a path to it that only this process can read.

    On Linux the file has no name at all (``O_TMPFILE``): the kernel frees it when the
    process ends, however it ends, so a killed load leaves no decoded extract on disk. The
    path ``/proc/self/fd/N`` lets DuckDB read it. Elsewhere it is an owner-only file in
    ``folder`` (the store's), removed on every exit path Python sees.
    """
    fd, name = -1, None
    try:
        fd = os.open(folder, os.O_TMPFILE | os.O_RDWR, 0o600)
        path = f"/proc/self/fd/{fd}"
        if not os.path.exists(path):
            raise OSError("no /proc")
    except (AttributeError, OSError):
        if fd >= 0:
            os.close(fd)
        fd, name = tempfile.mkstemp(dir=folder, prefix=".sitthi-staging-", suffix=".csv")
        path = name
    try:
        yield fd, path
    finally:
        os.close(fd)
        if name:
            Path(name).unlink(missing_ok=True)


class _Writer:
    """Buffers prefixed records and writes them to the staging file in large blocks."""

    def __init__(self, fd: int, delimiter: bytes) -> None:
        self.fd, self.delimiter = fd, delimiter
        self.parts: list[bytes] = []
        self.size = 0

    def add(self, data: bytes) -> None:
        self.parts.append(data)
        self.size += len(data)
        if self.size >= CHUNK_BYTES:
            self.flush()

    def flush(self) -> None:
        data = b"".join(self.parts)
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]
        self.parts, self.size = [], 0


class _Splitter:
    """The record state machine over physical lines (see the module docstring)."""

    def __init__(self, out: _Writer, quote: bytes, delimiter: str, quotechar: str) -> None:
        self.out, self.quote = out, quote
        self.delimiter, self.quotechar = delimiter, quotechar
        self.pending: list[tuple[int, bytes]] = []  # lines of a record still open
        self.pending_bytes = 0
        self.result = Split(columns=[])

    def lines(self, numbered: list[tuple[int, bytes]]) -> None:
        work = numbered[::-1]  # a stack, so lines can be pushed back to be read again
        while work:
            number, line = work.pop()
            if self.pending:
                self.pending.append((number, line))
                self.pending_bytes += len(line) + 1
                if line.count(self.quote) & 1:
                    self._close(work)
                elif len(self.pending) > MAX_RECORD_LINES or self.pending_bytes > MAX_RECORD_BYTES:
                    self._fail(work)
            elif line:
                if self.quote in line and line.count(self.quote) & 1:
                    self.pending, self.pending_bytes = [(number, line)], len(line)
                else:
                    self._record(number, line)

    def end(self) -> None:
        """The file ended: a record still open never closed its quote."""
        while self.pending:
            work: list[tuple[int, bytes]] = []
            self._fail(work)
            self.lines(work[::-1])

    def _close(self, work: list[tuple[int, bytes]]) -> None:
        record = b"\n".join(line for _, line in self.pending)
        try:
            text = record.decode("utf-8")
            parsed = list(
                csv.reader(
                    io.StringIO(text, newline=""),
                    delimiter=self.delimiter,
                    quotechar=self.quotechar,
                    strict=True,
                )
            )
        except csv.Error:
            parsed = []
        if len(parsed) == 1:
            self._record(self.pending[0][0], record)
            self.pending = []
        else:
            self._fail(work)

    def _fail(self, work: list[tuple[int, bytes]]) -> None:
        """Quarantine the first line of the open record; read the others again."""
        (number, line), *rest = self.pending
        self.pending = []
        self._reject(number, "bad_quoting", line)
        work.extend(reversed(rest))

    def _record(self, number: int, record: bytes) -> None:
        self.result.records += 1
        if len(record) > MAX_RECORD_BYTES:
            self._reject(number, "line_too_long", record[:MAX_RECORD_BYTES], count=False)
        else:
            if b"\0" in record:  # never text: counted as a byte the encoding does not define
                record = record.replace(b"\0", _REPLACEMENT)
            self.result.written += 1
            self.result.undecodable += _REPLACEMENT in record
            self.out.add(b"%d%s%s\n" % (number, self.out.delimiter, record))

    def _reject(self, number: int, reason: str, line: bytes, *, count: bool = True) -> None:
        self.result.records += count
        self.result.rejects.append(Reject(number, [reason], line.decode("utf-8", "replace")))


def _chunks(path: Path, decode: Callable[[bytes], bytes] | None) -> Iterator[tuple[bytes, bool]]:
    """The file in blocks of whole lines, each with the file line it starts on: the byte
    order mark dropped, every line end made ``\\n``, decoded to UTF-8 by ``decode``."""
    carry, first, offset = b"", True, 0
    with path.open("rb") as f:
        while True:
            chunk = f.read(CHUNK_BYTES)
            buf = carry + chunk
            if first:
                buf, first = buf.removeprefix(_BOM), False
            if chunk:
                # Cut after the last line end; a final \r may be half of a \r\n.
                end = len(buf) - 1 if buf.endswith(b"\r") else len(buf)
                cut = max(buf.rfind(b"\n", 0, end), buf.rfind(b"\r", 0, end))
                if cut < 0:
                    if len(buf) > 4 * MAX_RECORD_BYTES + CHUNK_BYTES:
                        raise SourceSpecError(
                            f"{path}: more than {len(buf) >> 20} MB with no line break "
                            f"after byte {offset:,}: not a CSV file"
                        )
                    carry = buf
                    continue
                buf, carry = buf[: cut + 1], buf[cut + 1 :]
                offset += len(buf)
            elif not buf:
                return
            else:
                carry = b""
            data = decode(buf) if decode else buf
            had_cr = b"\r" in data
            if had_cr:
                data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            yield data, had_cr
            if not chunk:
                return


@dataclass
class _Scan:
    plain: bool = True  # every line after the header is one record: no blank lines, no
    # quoted line breaks or stray quotes, no NUL, no over-long line
    changed: bool = False  # the bytes differ from what the parser should read (BOM, \r)
    lines: int = 0
    first: bytes | None = None


def _scan(path: Path, quote: bytes) -> _Scan:
    """One vectorised pass over the raw bytes: is the file plain (see `_Scan`)?

    Blocks are read as they come (no copy to cut them at line ends): what a line
    carries over a block's end is its start and the parity of its quotes.
    """
    import numpy as np

    scan = _Scan()
    q = quote[0]
    last_end, parity, offset, previous = -1, 0, 0, b""
    with path.open("rb") as f:
        while block := f.read(CHUNK_BYTES):
            if offset == 0:
                scan.changed = block.startswith(_BOM)
            arr = np.frombuffer(block, np.uint8)
            ends = np.flatnonzero(arr == 10)
            scan.lines += len(ends)
            # A \r not before a \n ends a line that the \n count does not see.
            if previous.endswith(b"\r") and block[:1] != b"\n":
                scan.plain = False
            if b"\r" in block:
                scan.changed = True
                cr = np.flatnonzero(arr == 13)
                after = np.append(arr, 10 if cr[-1] == len(arr) - 1 else 0)[cr + 1]
                if (after != 10).any():
                    scan.plain = False
            if scan.plain and b"\0" in block:
                scan.plain = False
            if scan.plain and len(ends):
                starts = np.concatenate(([last_end + 1 - offset], ends[:-1] + 1))
                lengths = ends - starts
                blank = lengths == 0
                if scan.changed:  # "\r\n" alone is a blank line too
                    blank |= (lengths == 1) & (arr[np.maximum(ends - 1, 0)] == 13)
                if blank.any() or int(lengths.max()) > MAX_RECORD_BYTES:
                    scan.plain = False
            if scan.plain and quote in block:
                per_line = np.bincount(
                    np.searchsorted(ends, np.flatnonzero(arr == q)), minlength=len(ends) + 1
                )
                per_line[0] += parity
                if (per_line[: len(ends)] & 1).any():
                    scan.plain = False
                parity = int(per_line[len(ends)]) & 1
            elif len(ends):
                scan.plain = scan.plain and not parity  # an odd line ends in this block
                parity = 0
            if len(ends):
                last_end = offset + int(ends[-1])
            offset += len(block)
            previous = block
    if previous.endswith(b"\r"):
        scan.plain = False
    with path.open("rb") as f:
        head = f.read(MAX_RECORD_BYTES).removeprefix(_BOM)
    if offset:
        scan.first = head.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n", 1)[0]
    tail = offset - (last_end + 1)
    if tail:  # a last line without a line end
        scan.lines += 1
        scan.plain = scan.plain and tail <= MAX_RECORD_BYTES and not parity
    return scan


@contextlib.contextmanager
def staged_csv(
    path: Path,
    folder: Path,
    *,
    encoding: str,
    delimiter: str,
    quote: str,
    header: bool,
) -> Iterator[Split]:
    """The records of a CSV file, ready for the parser (see the module docstring).

    A plain UTF-8 file (every line after the header one record) is read as it is; a plain
    file in another encoding, or with a BOM or ``\\r`` line ends, is staged line for line,
    decoded; any other is cut into records by `split_csv`, each prefixed with its line.
    The staging file lives in ``folder`` only while the caller reads it.
    """
    scan = _scan(path, quote.encode())
    if scan.first is None or (header and scan.lines <= 1 and not scan.first.strip()):
        raise SourceSpecError(f"{path}: the file is empty")
    utf8 = encoding not in ("cp874", "tis-620")
    if scan.plain and scan.first.strip():
        columns = _columns(path, 1, _decoder(encoding)(scan.first), delimiter, quote, header)
        records = scan.lines - header
        if utf8 and not scan.changed:
            yield Split(columns, records, records, path=str(path), prefixed=False)
            return
        with private_file(folder) as (fd, staged):
            out = _Writer(fd, delimiter.encode())
            undecodable = 0
            for data, _ in _chunks(path, None if utf8 else _decoder(encoding)):
                if not utf8 and _REPLACEMENT in data:
                    undecodable += sum(_REPLACEMENT in line for line in data.split(b"\n"))
                out.add(data if data.endswith(b"\n") else data + b"\n")
            out.flush()
            yield Split(columns, records, records, undecodable, path=staged, prefixed=False)
        return
    with private_file(folder) as (fd, staged):
        split = split_csv(
            path, fd, encoding=encoding, delimiter=delimiter, quote=quote, header=header
        )
        split.path = staged
        yield split


def split_csv(
    path: Path,
    fd: int,
    *,
    encoding: str,
    delimiter: str,
    quote: str,
    header: bool,
) -> Split:
    """Split ``path`` into records written to ``fd``, each prefixed with its file line
    (see the module docstring).

    Returns the header's column names (``column0``, ``column1``… without a header), the
    number of data records and the records quarantined here.
    """
    out = _Writer(fd, delimiter.encode())
    splitter = _Splitter(out, quote.encode(), delimiter, quote)
    columns: list[str] | None = None
    line_no = 1
    for data, _ in _chunks(path, _decoder(encoding)):
        lines = data.split(b"\n")
        if data.endswith(b"\n"):
            lines.pop()
        start = 0
        if columns is None:
            while start < len(lines) and not lines[start].strip():
                start += 1
            if start == len(lines):
                line_no += len(lines)
                continue
            columns = _columns(path, line_no + start, lines[start], delimiter, quote, header)
            splitter.result.columns = columns
            start += header
        numbered = list(
            zip(range(line_no + start, line_no + len(lines)), lines[start:], strict=True)
        )
        line_no += len(lines)
        if not splitter.pending and quote.encode() not in data and b"\0" not in data:
            _fast(splitter, numbered)
        else:
            splitter.lines(numbered)
    splitter.end()
    out.flush()
    if columns is None:
        raise SourceSpecError(f"{path}: the file is empty")
    return splitter.result


def _fast(splitter: _Splitter, numbered: list[tuple[int, bytes]]) -> None:
    """Lines with no quote and no NUL: every non-empty line is a record."""
    result, d = splitter.result, splitter.out.delimiter
    long = [n for n, line in numbered if len(line) > MAX_RECORD_BYTES]
    if long:
        splitter.lines(numbered)
        return
    kept = [(n, line) for n, line in numbered if line]
    result.records += len(kept)
    result.written += len(kept)
    block = b"".join(b"%d%s%s\n" % (n, d, line) for n, line in kept)
    if _REPLACEMENT in block:
        result.undecodable += sum(_REPLACEMENT in line for _, line in kept)
    splitter.out.add(block)


def _decoder(encoding: str) -> Callable[[bytes], bytes]:
    """bytes → UTF-8 bytes; bytes the encoding does not define become U+FFFD."""
    if encoding in ("cp874", "tis-620"):

        def cp874(b: bytes) -> bytes:
            return b.decode("cp874", errors="replace").encode("utf-8")

        return cp874

    def utf8(b: bytes) -> bytes:
        try:
            b.decode("utf-8")
        except UnicodeDecodeError:
            return b.decode("utf-8", errors="replace").encode("utf-8")
        return b

    return utf8


def _columns(
    path: Path, number: int, line: bytes, delimiter: str, quote: str, header: bool
) -> list[str]:
    text = line.decode("utf-8", errors="replace")
    if line.count(quote.encode()) & 1:
        raise SourceSpecError(
            f"{path}: line {number}: the header has an unbalanced quote ({quote}): "
            "cannot tell where its columns end"
        )
    cells = next(csv.reader([text], delimiter=delimiter, quotechar=quote), [])
    if not header:
        return [f"column{i}" for i in range(len(cells))]
    return unique_names(cells)
