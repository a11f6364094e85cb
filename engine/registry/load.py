"""The registry of designated institutions: loading, validating and querying it.

A registry is a UTF-8 CSV file (a BOM is allowed) whose header names at least the columns
`id`, `name`, `category`, `lat` and `lon`, in any order, among any others. Header names are
matched ignoring case and surrounding spaces; fields may be quoted with `"` (a doubled `""`
inside quotes is one quote), which is how a name may contain a comma. A quoted field cannot
span lines. Blank lines are ignored.

A row's `category` may name several categories separated by `;` (or the full-width `；`): a
pharmacy qualified for two services (`门慢药店;统筹药店`) is one institution, counted by every
question about either category, and counted once by a question about both.

Every problem found is a `Diagnostic` pointing at the offending field; all of them are
collected and raised together as one `PolicyError`. Codes:

    R001  the file cannot be read
    R002  the file is not valid UTF-8
    R003  the file is empty (no header)
    R004  the header lacks a required column
    R005  the header names a column twice
    R006  a row has the wrong number of fields
    R007  a quoted field is malformed
    R008  empty institution id
    R009  duplicate institution id (labelled with the first occurrence)
    R010  empty category (also an empty part of several: `门慢药店;`)
    R011  unknown category (when the caller gives the known ones), each of several on its own
    R012  missing coordinate
    R013  coordinate is not a decimal number
    R014  coordinate out of range

Queries go through `Registry`, which keeps one index per category, built the first time that
category is asked about: a `SmallIndex` (plain Python, nothing to import) while the few
questions asked so far have looked at no more than `SCAN_BUDGET` institutions in all, then a
`SpatialIndex` (a k-d tree; numpy and scipy) for the rest of the run. `policy explain` asks a
question or two and never imports numpy; a batch run over a population switches to the tree
after a few hundred lines. Both give the same answers, to the last bit.
"""
from __future__ import annotations

import math
import re
from dsl.dataclass_cache import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Collection, Iterable, Iterator, Sequence

from dsl.diagnostics import Diagnostic, Label, PolicyError, did_you_mean
from dsl.spans import Source, Span
from engine.registry.spatial import SmallIndex, SpatialIndex, nearest_in, nearest_many_in, within_in

if TYPE_CHECKING:
    import numpy as np

SCAN_BUDGET = 250_000
"""Institutions the small indexes of one registry may look at in all before its questions go
to k-d trees: about 0.1 s of scanning in plain Python, against about 0.35 s to import numpy
and scipy. A category larger than this goes to its tree at once."""

REQUIRED_COLUMNS = ("id", "name", "category", "lat", "lon")

# Plain decimal degrees only. float() would also take "nan", "inf", "1_0" and full-width
# digits, none of which belongs in a coordinate column.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_AXES = {"lat": ("latitude", 90.0), "lon": ("longitude", 180.0)}
_EXAMPLE = {"lat": "41.79", "lon": "123.40"}
_CATEGORY_SEPARATOR = re.compile(r"[;；]")  # several categories in one field: 门慢药店;统筹药店


@dataclass(frozen=True, slots=True)
class Institution:
    """One designated institution; `line` is its 1-based line in the registry file. `also`
    holds the categories after the first when its row names several (`门慢药店;统筹药店`)."""

    id: str
    name: str
    category: str
    lat: float
    lon: float
    line: int
    also: tuple[str, ...] = ()

    @property
    def categories(self) -> tuple[str, ...]:
        """Every category of the institution, in the order its row writes them."""
        return (self.category, *self.also)

    @property
    def shown_category(self) -> str:
        """Its categories as the trace shows them: `零售药店`, or `门慢药店;统筹药店`."""
        return ";".join(self.categories)


@dataclass(frozen=True, slots=True)
class Neighbour:
    """An institution found by a query and its great-circle distance from the query point."""

    institution: Institution
    distance_m: float


class Registry:
    """The institutions of one registry file, by id and by category, with spatial queries.

    `categories` arguments of the queries are iterables because the policy decides which
    registry categories count as the applicant's "same type": a query spans all of them and
    takes the best. Categories with no institution simply contribute nothing. An institution
    of several categories is in the index of each, and a question spanning two of them finds
    it once.
    """

    def __init__(self, institutions: Iterable[Institution], source: Source | None = None):
        self.institutions: tuple[Institution, ...] = tuple(institutions)
        self.source = source
        self._by_id: dict[str, Institution] = {}
        self._by_category: dict[str, list[Institution]] = {}
        for inst in self.institutions:
            if inst.id in self._by_id:
                raise ValueError(f"duplicate institution id {inst.id!r}")
            self._by_id[inst.id] = inst
            for category in inst.categories:
                self._by_category.setdefault(category, []).append(inst)
        self._indexes: dict[str, SpatialIndex] = {}
        self._counts: dict[tuple[str, ...], int] = {}  # distinct institutions of a set of categories
        self._small: dict[str, SmallIndex] = {}
        self._scanned = 0  # institutions looked at by the small indexes so far

    def __len__(self) -> int:
        return len(self.institutions)

    def __iter__(self) -> Iterator[Institution]:
        return iter(self.institutions)

    def __contains__(self, id_: object) -> bool:
        return id_ in self._by_id

    def __getitem__(self, id_: str) -> Institution:
        return self._by_id[id_]

    def get(self, id_: str) -> Institution | None:
        return self._by_id.get(id_)

    @property
    def categories(self) -> frozenset[str]:
        """The categories that have at least one institution."""
        return frozenset(self._by_category)

    def count(self, categories: Iterable[str] | None = None) -> int:
        """Institutions of any of `categories` (None: all), each counted once however many of
        them it has. The same for every applicant: counted once per set of categories."""
        if categories is None:
            return len(self.institutions)
        names = tuple(c for c in _sorted_categories(categories) if c in self._by_category)
        found = self._counts.get(names)
        if found is None:
            lists = [self._by_category[c] for c in names]
            several = any(inst.also for rows in lists for inst in rows)
            found = len({inst.id for rows in lists for inst in rows}) if several and len(lists) > 1 \
                else sum(map(len, lists))
            self._counts[names] = found
        return found

    def index(self, category: str) -> SpatialIndex | None:
        """The k-d tree of one category, built on first use; None if it has no rows."""
        found = self._indexes.get(category)
        if found is None and category in self._by_category:
            rows = self._by_category[category]
            found = SpatialIndex([r.id for r in rows], [r.lat for r in rows], [r.lon for r in rows])
            self._indexes[category] = found
        return found

    def _indexes_of(self, categories: Iterable[str]) -> list[SpatialIndex]:
        """The k-d trees of `categories` (for a batch of questions)."""
        found = (self.index(c) for c in _sorted_categories(categories))
        return [idx for idx in found if idx is not None]

    def _searchers_of(self, categories: Iterable[str]) -> list[SpatialIndex | SmallIndex]:
        """The index each of `categories` answers one question with: its tree if built, else a
        scan while the scan budget lasts (the cost of this question counted against it)."""
        names = [c for c in _sorted_categories(categories) if c in self._by_category]
        if all(c in self._indexes for c in names):
            return [self._indexes[c] for c in names]
        cost = sum(len(self._by_category[c]) for c in names if c not in self._indexes)
        if self._scanned + cost > SCAN_BUDGET:
            return [self.index(c) for c in names]
        self._scanned += cost
        return [self._indexes[c] if c in self._indexes else self._small_index(c) for c in names]

    def _small_index(self, category: str) -> SmallIndex:
        found = self._small.get(category)
        if found is None:
            rows = self._by_category[category]
            found = self._small[category] = SmallIndex([r.id for r in rows], [r.lat for r in rows],
                                                       [r.lon for r in rows])
        return found

    def nearest(self, lat: float, lon: float, categories: Iterable[str],
                exclude_id: str | None = None) -> Neighbour | None:
        """The nearest institution in any of `categories`, other than `exclude_id`.

        On equal distance the lowest id wins. None when those categories hold no other
        institution (including categories the registry does not have).
        """
        hit = nearest_in(self._searchers_of(categories), lat, lon, exclude_id)
        return None if hit is None else Neighbour(self._by_id[hit[0]], hit[1])

    def within(self, lat: float, lon: float, categories: Iterable[str], radius_m: float,
               exclude_id: str | None = None) -> list[Neighbour]:
        """Every institution in `categories` at most `radius_m` away, by distance then id."""
        hits = within_in(self._searchers_of(categories), lat, lon, radius_m, exclude_id)
        return [Neighbour(self._by_id[id_], d) for id_, d in hits]

    def nearest_many(self, lats: Sequence[float] | np.ndarray, lons: Sequence[float] | np.ndarray,
                     categories: Iterable[str], exclude_ids: Sequence[str | None] | None = None,
                     ) -> list[Neighbour | None]:
        """`nearest` for many points sharing one set of categories, vectorised.

        `exclude_ids`, when given, has one entry (an id or None) per point. Applicants of
        different categories are queried with one call per category set.
        """
        hits = nearest_many_in(self._indexes_of(categories), lats, lons, exclude_ids)
        return [None if h is None else Neighbour(self._by_id[h[0]], h[1]) for h in hits]


def _sorted_categories(categories: Iterable[str]) -> list[str]:
    if isinstance(categories, str):
        # A bare string would be iterated character by character: almost surely a slip.
        raise TypeError("categories must be an iterable of category names, not a string")
    return sorted(set(categories))


# -- loading -----------------------------------------------------------------------------


def load_registry(path: str | Path, categories: Collection[str] | None = None,
                  aliases: dict[str, str] | None = None) -> Registry:
    """Read and validate a registry CSV file; raise one PolicyError listing every problem.

    `categories`, when given, are the registry categories the plan knows; a row with any
    other category is an error (R011) with a did-you-mean hint. `aliases` maps another
    spelling of a category (the applicant category's code, `pharmacy`) to the one it means.
    """
    from engine.reading.reader import read_source  # the one reader of input files: BOM, CRLF, GBK named, FIFOs refused

    return parse_registry(read_source(str(path), "registry"), categories, aliases)


@dataclass(frozen=True, slots=True)
class _Field:
    value: str
    start: int  # 0-based index in the line of the field's first character
    end: int  # 0-based index just past its last character


def _split(line: str) -> tuple[list[_Field], tuple[int, str, str] | None]:
    """Split one CSV line into fields, or report (index, message, help) of a quoting error.

    A field's extent excludes surrounding spaces and includes its quotes, so a caret drawn
    under it covers exactly what the user typed.
    """
    fields: list[_Field] = []
    n, i = len(line), 0
    while True:
        lead = i
        while lead < n and line[lead].isspace():  # includes the ideographic space U+3000
            lead += 1
        if lead < n and line[lead] == '"':
            parts, j = [], lead + 1
            while True:
                q = line.find('"', j)
                if q < 0:
                    return fields, (lead, "unterminated quoted field",
                                    'close the quote; a quoted field cannot span lines')
                parts.append(line[j:q])
                if line.startswith('"', q + 1):
                    parts.append('"')
                    j = q + 2
                    continue
                j = q + 1
                break
            k = j
            while k < n and line[k].isspace():
                k += 1
            if k < n and line[k] != ",":
                return fields, (k, "unexpected text after a closing quote",
                                'write a quote inside a quoted field as `""`')
            fields.append(_Field("".join(parts).strip(), lead, j))
            i = k
        else:
            k = line.find(",", i)
            k = n if k < 0 else k
            value = line[i:k].strip()
            start = lead if value else i  # an empty field is a zero-width span where it sits
            fields.append(_Field(value, start, start + len(value)))
            i = k
        if i >= n:
            return fields, None
        i += 1  # past the comma


class _Checker:
    """Validates the lines of one registry source, collecting diagnostics as it goes."""

    def __init__(self, source: Source, categories: Collection[str] | None, aliases: dict[str, str] | None = None):
        self.source = source
        self.categories = None if categories is None else frozenset(categories)
        self.aliases = aliases or {}
        self.diagnostics: list[Diagnostic] = []

    def span(self, line: int, field: _Field) -> Span:
        return Span(self.source, line, field.start + 1, line, field.end + 1)

    def error(self, code: str, message: str, span: Span, help: str | None = None,
              labels: tuple[Label, ...] = ()) -> None:
        self.diagnostics.append(Diagnostic(code=code, message=message, span=span, help=help, labels=labels))

    def run(self) -> list[Institution]:
        lines = self.source.text.splitlines()
        first = next((k for k, text in enumerate(lines) if text.strip()), None)
        if first is None:
            self.error("R003", "registry is empty", Span(self.source, 1, 1, 1, 1),
                       help="the first line must be a header naming " + _column_list())
            return []
        columns = self.header(first + 1, lines[first])
        if columns is None:
            return []
        rows: list[Institution] = []
        first_seen: dict[str, Span] = {}
        for k in range(first + 1, len(lines)):
            if lines[k].strip():
                inst = self.row(k + 1, lines[k], columns, first_seen)
                if inst is not None:
                    rows.append(inst)
        return rows

    def header(self, lineno: int, text: str) -> tuple[int, dict[str, int]] | None:
        """Check the header; return (field count, required column -> field position)."""
        fields, bad = _split(text)
        if bad is not None:
            self.error("R007", bad[1], Span(self.source, lineno, bad[0] + 1, lineno, bad[0] + 2), bad[2])
            return None
        seen: dict[str, int] = {}
        for pos, f in enumerate(fields):
            name = f.value.lower()
            # Only a required column is ambiguous when doubled; extra columns are not read.
            if name in seen and name in REQUIRED_COLUMNS:
                first = fields[seen[name]]
                self.error("R005", f"duplicate column `{f.value}` in header", self.span(lineno, f),
                           help="a required column may appear only once",
                           labels=(Label(self.span(lineno, first), "first named here"),))
            else:
                seen.setdefault(name, pos)
        missing = [c for c in REQUIRED_COLUMNS if c not in seen]
        whole = Span(self.source, lineno, 1, lineno, len(text) + 1)
        for column in missing:
            hint = did_you_mean(column, [f.value for f in fields if f.value.lower() not in REQUIRED_COLUMNS])
            required = "the header must name " + _column_list() + "; other columns are allowed"
            self.error("R004", f"registry header lacks column `{column}`", whole,
                       help=f"{hint} {required}" if hint else required)
        if missing or any(d.code == "R005" for d in self.diagnostics):
            return None
        return len(fields), {c: seen[c] for c in REQUIRED_COLUMNS}

    def row(self, lineno: int, text: str, columns: tuple[int, dict[str, int]],
            first_seen: dict[str, Span]) -> Institution | None:
        """Check one data row; return its institution if it is sound."""
        width, at = columns
        fields, bad = _split(text)
        if bad is not None:
            self.error("R007", bad[1], Span(self.source, lineno, bad[0] + 1, lineno, bad[0] + 2), bad[2])
            return None
        if len(fields) != width:
            # Point at the first surplus field, or at the end of a short line.
            col = fields[width].start + 1 if len(fields) > width else len(text) + 1
            end = len(text) + 1 if len(fields) > width else col
            self.error("R006", f"expected {width} fields, found {len(fields)}",
                       Span(self.source, lineno, col, lineno, end),
                       help=f"the header has {width} columns; quote a field that contains a comma, "
                            'e.g. `"a,b"`')
            return None
        ok = True
        id_f, cat_f = fields[at["id"]], fields[at["category"]]
        if not id_f.value:
            ok = False
            self.error("R008", "empty institution id", self.span(lineno, id_f),
                       help="every row needs an `id` that no other row has")
        elif id_f.value in first_seen:
            ok = False
            first = first_seen[id_f.value]
            self.error("R009", f"duplicate institution id `{id_f.value}`", self.span(lineno, id_f),
                       help=f"ids must be unique; the first row with this id is on line {first.line}",
                       labels=(Label(first, "first defined here"),))
        else:
            first_seen[id_f.value] = self.span(lineno, id_f)
        categories = self.categories_of(lineno, cat_f)
        ok = categories is not None and ok
        lat = self.coordinate(lineno, fields[at["lat"]], "lat")
        lon = self.coordinate(lineno, fields[at["lon"]], "lon")
        if lat is not None and lon is not None:
            lat_ok = self.in_range(lineno, fields[at["lat"]], "lat", lat, lon)
            lon_ok = self.in_range(lineno, fields[at["lon"]], "lon", lon, lat)
            ok = ok and lat_ok and lon_ok
        else:
            ok = False
        if not ok:
            return None
        return Institution(id_f.value, fields[at["name"]].value, categories[0], lat, lon, lineno, categories[1:])

    def categories_of(self, lineno: int, f: _Field) -> tuple[str, ...] | None:
        """The categories one `category` field names (`门慢药店;统筹药店`), each checked on its
        own and written as the plan names it (an alias taken to its category, a repeat dropped);
        None if any is bad."""
        if not _CATEGORY_SEPARATOR.search(f.value):
            return (self.aliases.get(f.value, f.value),) if self.category(lineno, f) else None
        quoted = f.end - f.start != len(f.value)  # inside quotes a part is pointed at as the whole field
        found: list[str] = []
        ok, offset = True, f.start
        for piece in _CATEGORY_SEPARATOR.split(f.value):
            value = piece.strip()
            start = offset + len(piece) - len(piece.lstrip())
            part = _Field(value, f.start, f.end) if quoted else _Field(value, start, start + len(value))
            offset += len(piece) + 1
            if not value:
                ok = False
                self.error("R010", "empty category", self.span(lineno, part),
                           help="separate several categories with `;`, a category on each side")
            elif not self.category(lineno, part):
                ok = False
            elif (name := self.aliases.get(value, value)) not in found:
                found.append(name)
        return tuple(found) if ok else None

    def category(self, lineno: int, f: _Field) -> bool:
        known = sorted(self.categories | set(self.aliases)) if self.categories is not None else None
        listing = ("known categories: " + ", ".join(f"`{c}`" for c in known)) if known else None
        if not f.value:
            self.error("R010", "empty category", self.span(lineno, f), help=listing or "every row needs a `category`")
            return False
        if self.categories is not None and self.aliases.get(f.value, f.value) not in self.categories:
            self.error("R011", f"unknown category `{f.value}`", self.span(lineno, f),
                       help=did_you_mean(f.value, set(self.categories) | set(self.aliases))
                       or listing or "the plan names no categories")
            return False
        return True

    def coordinate(self, lineno: int, f: _Field, axis: str) -> float | None:
        word = _AXES[axis][0]
        if not f.value:
            self.error("R012", f"missing {word}", self.span(lineno, f),
                       help=f"give `{axis}` in decimal degrees, e.g. `{_EXAMPLE[axis]}`")
            return None
        if not _NUMBER.fullmatch(f.value):
            self.error("R013", f"{word} `{f.value}` is not a number", self.span(lineno, f),
                       help=f"give decimal degrees with ASCII digits, e.g. `{_EXAMPLE[axis]}`; "
                            "degrees-minutes-seconds are not accepted")
            return None
        value = float(f.value)
        if not math.isfinite(value):  # e.g. 1e999
            self.error("R013", f"{word} `{f.value}` is not a finite number", self.span(lineno, f),
                       help=f"give decimal degrees, e.g. `{_EXAMPLE[axis]}`")
            return None
        return value

    def in_range(self, lineno: int, f: _Field, axis: str, value: float, other: float) -> bool:
        word, limit = _AXES[axis]
        if abs(value) <= limit:
            return True
        # China's longitudes (73-135) are out of range as latitudes: a swap is the usual cause.
        swapped = axis == "lat" and abs(value) <= 180 and abs(other) <= 90
        self.error("R014", f"{word} `{f.value}` is outside [-{limit:g}, {limit:g}]", self.span(lineno, f),
                   help="did you swap `lat` and `lon`?" if swapped else f"{word} is in decimal degrees")
        return False


def _column_list() -> str:
    names = [f"`{c}`" for c in REQUIRED_COLUMNS]
    return ", ".join(names[:-1]) + " and " + names[-1]


def parse_registry(source: Source, categories: Collection[str] | None = None,
                   aliases: dict[str, str] | None = None) -> Registry:
    """Validate registry text already read into a Source (see `load_registry`)."""
    from dsl.limits import REGISTRY_ROWS, breach_help

    rows = source.text.count("\n") + (not source.text.endswith("\n"))  # the header and its rows, at most
    if rows - 1 > REGISTRY_ROWS.value:
        raise PolicyError([Diagnostic(REGISTRY_ROWS.code, f"the registry has {rows - 1:,} rows, more than "
                                      f"{REGISTRY_ROWS.value:,}", Span(source, 1, 1, 1, 2), breach_help(REGISTRY_ROWS))])
    checker = _Checker(source, categories, aliases)
    rows = checker.run()
    if checker.diagnostics:
        raise PolicyError(checker.diagnostics)
    return Registry(rows, source)
