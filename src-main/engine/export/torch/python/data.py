"""Reading the input files, each process its own shard, and the train / validation / test split.

The rules are the app's (src-main/engine/data/csv/ and split.ts):
- CSV with a comma, semicolon or tab (detected from the first lines), quoted fields, with or
  without a header (detected), UTF-8 with or without BOM, optionally gzip-compressed; values are
  trimmed; "", NA, N/A, null, NaN, ? and none are missing. Parquet files (*.parquet) are read
  with pyarrow.
- Rows are numbered across the files in the order given (each glob pattern's matches sorted). Files are dealt round-robin to the
  processes; when there are fewer files than processes, every process reads every file and keeps
  every world-th row instead.
- The split is the app's: a seeded random 8:1:1 (the fractions of the project) or by a time
  column, computed the same on every process from the global row numbers.
"""

import csv
import glob
import gzip
import io
import math
import os
import re
from datetime import datetime, timezone
from decimal import Decimal
from itertools import chain, islice

import numpy as np

from rng import Rng, shuffle_in_place

MISSING = {"", "na", "n/a", "null", "nan", "?", "none"}
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_SNIFF_LINES = 50


class DataError(Exception):
    """A problem with the data, in one line naming the file, line and column."""


def parse_number(text: str) -> float:
    """The number a value holds, or NaN when it is not a plain decimal number."""
    return float(text) if _NUMBER.match(text) else math.nan


def js_number(x: float) -> str:
    """A number as JavaScript's String(x) writes it: the key a number has in a vocabulary."""
    if x != x:
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    _, digits, exponent = Decimal(repr(abs(x))).as_tuple()
    text = "".join(map(str, digits)).rstrip("0")
    exponent += len(digits) - len(text)
    k = len(text)
    n = k + exponent  # value = 0.<text> x 10^n
    if k <= n <= 21:
        return sign + text + "0" * (n - k)
    if 0 < n <= 21:
        return sign + text[:n] + "." + text[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + text
    e = n - 1
    mantissa = text if k == 1 else text[0] + "." + text[1:]
    return f"{sign}{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"


class Column:
    """One column of a process's rows: the distinct raw values and each row's code (-1: missing)."""

    def __init__(self, name: str, dictionary: list, codes: np.ndarray):
        self.name = name
        self.dictionary = dictionary
        missing = np.array([t.lower() in MISSING for t in dictionary] + [True], dtype=bool)
        self.codes = np.where(missing[codes], -1, codes).astype(np.int32)
        # The number each distinct value holds (NaN when missing or not a number).
        self.numbers = np.array([parse_number(t) for t in dictionary] + [math.nan], dtype=np.float64)
        text = ~missing & np.isnan(self.numbers)
        self.text_rows = np.flatnonzero(text[self.codes])  # rows holding something not a number

    def values(self) -> np.ndarray:
        """Each row's number (NaN when missing or not a number)."""
        return self.numbers[self.codes]


class Shard:
    """The rows this process holds, with where each comes from."""

    def __init__(self, files, total, index, file_of, line, units, columns, numeric):
        self.files = files  # every input file, in the order rows are numbered
        self.total = total  # rows over all files
        self.index = index  # global row number of each local row
        self.file_of = file_of
        self.line = line  # 1-based line (CSV) or row (Parquet) in its file
        self.units = units  # per file: "line" or "row"
        self.columns = columns  # name -> Column
        self.numeric = numeric  # name -> every present value in every shard is a number

    @property
    def rows(self) -> int:
        return len(self.index)

    def where(self, row: int, column: str) -> str:
        f = self.file_of[row]
        return f'{self.files[f]}, {self.units[f]} {self.line[row]}, column "{column}"'


def expand_inputs(patterns: list) -> list:
    files = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        if not matches:
            raise DataError(f"{pattern}: no file matches")
        for m in matches:
            if os.path.isdir(m):
                raise DataError(f"{m} is a folder, not a data file")
            if not os.path.exists(m):
                raise DataError(f"Cannot read {m}: no such file")
            if m not in files:
                files.append(m)
    return files


class _ColumnBuilder:
    def __init__(self):
        self.lookup = {}
        self.dictionary = []
        self.codes = []

    def add(self, text: str) -> None:
        code = self.lookup.get(text)
        if code is None:
            code = len(self.dictionary)
            self.lookup[text] = code
            self.dictionary.append(text)
        self.codes.append(code)


def read_shard(patterns: list, needed: dict, cluster) -> Shard:
    """Reads this process's rows of the columns `needed` (name -> role) from the input files."""
    files = expand_inputs(patterns)
    if len(files) >= cluster.world:
        mine = [(i, 0, 1) for i in range(len(files)) if i % cluster.world == cluster.rank]
    else:
        mine = [(i, cluster.rank, cluster.world) for i in range(len(files))]
    builders = {name: _ColumnBuilder() for name in needed}
    counts = np.zeros(len(files))
    units = ["row" if f.endswith(".parquet") else "line" for f in files]
    parts = []  # (file, first local row number in file order, locations)
    for i, start, stride in mine:
        read = _read_parquet if units[i] == "row" else _read_csv
        total, locations = read(files[i], needed, start, stride, builders)
        counts[i] = total
        parts.append((i, start, stride, locations))
    counts = cluster.max(counts)  # every file was counted by the process(es) reading it
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    index, file_of, line = [], [], []
    for i, start, stride, locations in parts:
        n = len(locations)
        index.append(offsets[i] + start + stride * np.arange(n, dtype=np.int64))
        file_of.append(np.full(n, i, dtype=np.int32))
        line.append(np.asarray(locations, dtype=np.int64))
    columns = {
        name: Column(name, b.dictionary, np.asarray(b.codes, dtype=np.int64))
        for name, b in builders.items()
    }
    numeric = cluster.min([len(c.text_rows) == 0 for c in columns.values()])
    return Shard(
        files,
        int(offsets[-1]),
        _concat(index, np.int64),
        _concat(file_of, np.int32),
        _concat(line, np.int64),
        units,
        columns,
        dict(zip(columns, (bool(x) for x in numeric))),
    )


def _concat(arrays, dtype) -> np.ndarray:
    return np.concatenate(arrays).astype(dtype) if arrays else np.zeros(0, dtype=dtype)


def _missing_columns(file: str, names: list, needed: dict) -> None:
    for name, role in needed.items():
        if name not in names:
            shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
            raise DataError(f'{file}: {role} column "{name}" is not in the file (its columns: {shown}).')


def _open_text(file: str):
    raw = open(file, "rb")
    magic = raw.read(2)
    raw.seek(0)
    stream = gzip.GzipFile(fileobj=raw) if magic == b"\x1f\x8b" else raw
    return io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")


def _read_csv(file, needed, start, stride, builders):
    """Adds rows start, start + stride, ... of a CSV file; returns its row count and their lines."""
    try:
        with _open_text(file) as text:
            sample = list(islice(text, _SNIFF_LINES))
            if not any(line.strip() for line in sample):
                raise DataError(f"{file} is empty.")
            delimiter = _detect_delimiter(sample)
            strip = " " if delimiter == "\t" else " \t"
            reader = csv.reader(chain(sample, text), delimiter=delimiter, skipinitialspace=True)
            records = [
                [f.strip(strip) for f in r] for r in csv.reader(sample, delimiter=delimiter) if r
            ]
            header = _looks_like_header(records)
            width = len(records[0])
            names = [n or f"column_{i + 1}" for i, n in enumerate(records[0])] if header else [
                f"column_{i + 1}" for i in range(width)
            ]
            duplicate = next((n for n in names if names.count(n) > 1), None)
            if duplicate:
                times = names.count(duplicate)
                raise DataError(f'{file}, line 1: the header names column "{duplicate}" {times} times.')
            _missing_columns(file, names, needed)
            wanted = [(builders[n], names.index(n)) for n in needed]
            rows, locations, line, header_pending = 0, [], 0, header
            for record in reader:
                first_line, line = line + 1, reader.line_num
                if not record:
                    continue
                if header_pending:
                    header_pending = False
                    continue
                if len(record) != width:
                    raise DataError(
                        f"{file}, line {first_line}: has {len(record)} field{'' if len(record) == 1 else 's'}, "
                        f"expected {width} ({'the header has' if header else 'as the first line'} {width}). "
                        "Check for a missing or extra delimiter or an unquoted delimiter inside a value."
                    )
                if rows % stride == start:
                    for builder, k in wanted:
                        builder.add(record[k].strip(strip))
                    locations.append(first_line)
                rows += 1
    except UnicodeDecodeError as e:
        raise DataError(f"{file} is not valid UTF-8 ({e.reason}). Save it as UTF-8.") from None
    except (gzip.BadGzipFile, EOFError, OSError) as e:
        raise DataError(f"Cannot read {file}: {e}") from None
    if rows == 0:
        raise DataError(f"{file} has {'a header but ' if header else ''}no data rows.")
    return rows, locations


def _detect_delimiter(lines: list) -> str:
    best, best_score = ",", 0.0
    for d in ",;\t":
        counts = [len(r) for r in csv.reader(lines, delimiter=d) if "".join(r).strip()]
        if not counts or counts[0] < 2:
            continue
        consistent = sum(c == counts[0] for c in counts) / len(counts)
        score = consistent * counts[0]
        if consistent >= 0.9 and score > best_score:
            best, best_score = d, score
    return best


def _looks_like_header(records: list) -> bool:
    def numeric(v):
        return v != "" and _NUMBER.match(v) is not None

    first = records[0]
    if any(v == "" or numeric(v) or v.lower() in MISSING for v in first):
        return False
    if len(set(first)) != len(first):
        return False
    rest = records[1:]
    if not rest:
        return True
    for c in range(len(first)):
        below = [r[c] for r in rest if c < len(r) and r[c] != "" and r[c].lower() not in MISSING]
        if below and all(numeric(v) for v in below):
            return True
    return all(all(c >= len(r) or r[c] != v for r in rest) for c, v in enumerate(first))


def _read_parquet(file, needed, start, stride, builders):
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise DataError(
            f"{file}: reading Parquet needs the pyarrow package, which this Python cannot import "
            "(install it with `pip install pyarrow`, or convert the file to CSV)."
        ) from None
    _missing_columns(file, pq.read_schema(file).names, needed)
    table = pq.read_table(file, columns=list(needed))
    rows = table.num_rows
    if rows == 0:
        raise DataError(f"{file} has no data rows.")
    for name in needed:
        for value in table.column(name).to_pylist()[start::stride]:
            builders[name].add(_cell_text(value))
    return rows, list(range(start + 1, rows + 1, stride))


def _cell_text(value) -> str:
    """A Parquet value as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return js_number(float(value))
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).strip()


class Split:
    """Global row numbers of each part, in the app's order (sorted for a random split, oldest
    first for a time split), and where each global row falls."""

    def __init__(self, train, validation, test, total):
        self.train, self.validation, self.test = train, validation, test
        self.part = np.full(total, -1, dtype=np.int8)
        self.position = np.zeros(total, dtype=np.int64)
        for p, rows in enumerate((train, validation, test)):
            self.part[rows] = p
            self.position[rows] = np.arange(len(rows))

    def sizes(self) -> dict:
        return {"train": len(self.train), "validation": len(self.validation), "test": len(self.test)}


def split_rows(shard: Shard, setting: dict, fractions, seed: int, cluster) -> Split:
    n = shard.total
    if n < 3:
        raise DataError(
            f"training needs at least 3 rows (train, validation and test each need one); the data has {n}."
        )
    n_train = max(1, min(n - 2, math.floor(n * fractions[0])))
    n_validation = max(1, min(n - n_train - 1, math.floor(n * fractions[1])))
    if setting["kind"] == "random":
        order = shuffle_in_place(np.arange(n, dtype=np.int64), Rng(seed))
    else:
        parts = cluster.gather((shard.index, _times(shard, setting["column"])))
        index = np.concatenate([p[0] for p in parts])
        times = np.empty(n)
        times[index] = np.concatenate([p[1] for p in parts])
        order = np.lexsort((np.arange(n), times))  # oldest first; ties keep file order
    train = order[:n_train]
    validation = order[n_train : n_train + n_validation]
    test = order[n_train + n_validation :]
    if setting["kind"] == "random":
        train, validation, test = np.sort(train), np.sort(validation), np.sort(test)
    return Split(train, validation, test, n)


def _times(shard: Shard, name: str) -> np.ndarray:
    column = shard.columns[name]
    if shard.numeric[name]:
        times = column.values()
    else:
        parsed = np.array([_date_ms(t) for t in column.dictionary] + [math.nan])
        bad = [t for t, v in zip(column.dictionary, parsed) if v != v and t.lower() not in MISSING]
        if bad:
            raise DataError(
                f'column "{name}": a time column must hold numbers or dates (ISO 8601); found "{bad[0]}".'
            )
        times = parsed[column.codes]
    missing = np.flatnonzero(np.isnan(times))
    if len(missing):
        raise DataError(
            f"{shard.where(missing[0], name)}: the time is missing or not a date; a time split needs it on every row."
        )
    return times


def _date_ms(text: str) -> float:
    try:
        d = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return math.nan
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return d.timestamp() * 1000.0
