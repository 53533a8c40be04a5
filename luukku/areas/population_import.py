"""Importing Statistics Finland population tables (PxWeb JSON-stat2 or CSV) into PopulationGroup.

The region downloads population by municipality × age × sex (× year) from Statistics Finland's
PxWeb, usually table 11re (single years of age), and loads it with `manage.py import_population`.
The import reads and checks the whole file first and writes only when nothing is wrong, in one
transaction; a file with any problem writes nothing and every problem is listed.

Decisions worth knowing:
- Dimensions are recognised by their code or label in Finnish, Swedish or English (Alue/Område/
  Area, Ikä/Ålder/Age, Sukupuoli/Kön/Sex, Vuosi/År/Year). Any other dimension (Tiedot, the
  content) must have exactly one category, so that one figure per cell is unambiguous.
- Totals are skipped, not checked: the whole country ("SSS", KOKO MAA), regional aggregates
  (codes like MK11 or SK113), all ages and both sexes together. Municipalities are taken from
  codes ("KU297" or "297") or, in CSV files with names only, from the municipality's name.
  A municipality that is not in the database is a problem, unless the caller asks to leave
  such municipalities out (a whole-country download loaded for one region).
- The file's age groups (single years "0" … "100 -" or ready bands "0 - 4") are summed into
  demographics.AGE_BANDS. A group that crosses a band boundary, or a band that the groups do not
  cover entirely, is a problem: a partial band would silently understate that age group.
- Statistics Finland's symbols: "-" is zero; ".", "..", "..." and null are missing figures,
  which are problems, as are negative and fractional counts.
- Imported rows are official figures: approximate=False, and the source names the table and the
  file. Rows of other municipalities and years are left alone; importing the same file twice
  changes nothing.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

from django.db import transaction
from tqdm import tqdm

from luukku.areas.demographics import AGE_BANDS
from luukku.areas.models import Area, PopulationGroup

FileFormat = Literal["auto", "jsonstat", "csv"]
Dimension = Literal["area", "age", "sex", "year"]

# At most this many problems of one kind are listed; the rest are counted.
MAX_LISTED_PER_KIND = 25
WRITE_BATCH = 1000
SOURCE_MAX = 200

# First word of a dimension's code or label (lower case) → the dimension it is.
DIMENSION_WORDS: dict[str, Dimension] = {
    "alue": "area",
    "kunta": "area",
    "område": "area",
    "kommun": "area",
    "area": "area",
    "region": "area",
    "municipality": "area",
    "ikä": "age",
    "ikäluokka": "age",
    "ålder": "age",
    "age": "age",
    "sukupuoli": "sex",
    "kön": "sex",
    "sex": "sex",
    "gender": "sex",
    "vuosi": "year",
    "år": "year",
    "year": "year",
}
DIMENSION_NAMES: dict[Dimension, str] = {
    "area": "area (Alue)",
    "age": "age (Ikä)",
    "sex": "sex (Sukupuoli)",
    "year": "year (Vuosi)",
}

TOTAL_WORDS = frozenset(
    {
        "sss",
        "yhteensä",
        "total",
        "totalt",
        "koko maa",
        "whole country",
        "hela landet",
        "ikäluokat yhteensä",
        "age total",
        "ålder totalt",
        "sukupuolet yhteensä",
        "both sexes",
        "båda könen",
        "kön totalt",
    }
)
MALE_WORDS = frozenset({"1", "m", "mies", "miehet", "male", "males", "men", "man", "män"})
FEMALE_WORDS = frozenset(
    {"2", "f", "n", "nainen", "naiset", "female", "females", "women", "kvinna", "kvinnor"}
)
CONTENT_WORDS = frozenset({"tiedot", "information", "uppgifter", "contents"})
MISSING_SYMBOLS = frozenset({"", ".", "..", "...", "…"})
ZERO_SYMBOL = "-"

_MUNICIPALITY_CODE = re.compile(r"^(?:KU)?(\d{3})(?:\s+(.+))?$", re.IGNORECASE)
_AGGREGATE_CODE = re.compile(r"^(?!KU)[A-Z]{2,4}\d+(?:\s.*)?$")
_AGE = re.compile(r"^(\d{1,3})(?:(-)(\d{1,3})?|(\+))?(?:vuotta|v\.?|years?|år)?$", re.IGNORECASE)
_YEAR_PREFIX = re.compile(r"^(\d{4})(?:\D|$)")
_INTEGER = re.compile(r"^-?\d+$")
_DECIMAL = re.compile(r"^-?\d+[.,]\d+$")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")


class PopulationImportError(Exception):
    """The file cannot be imported; `problems` lists every reason."""

    def __init__(self, problems: Sequence[str], *, total: int | None = None) -> None:
        self.problems = list(problems)
        # Repeated problems of one kind are listed only so far; `total` counts them all.
        self.total = total if total is not None else len(self.problems)
        super().__init__(f"{self.total} problem(s) in the population file")


class Category(NamedTuple):
    """One category of a dimension as the file gives it: a code and a label (CSV: the text).

    Named tuples rather than dataclasses: a national table has millions of cells, and these
    are made and hashed once per cell.
    """

    code: str
    label: str

    def __str__(self) -> str:
        if self.label and self.label != self.code:
            return f"{self.label} ({self.code})"
        return self.code


class RawCell(NamedTuple):
    """One figure of the file with its categories; `line` is set for CSV rows."""

    area: Category
    age: Category
    sex: Category
    year: Category | None
    value: object
    line: int | None = None

    def where(self) -> str:
        if self.line is not None:
            return f"line {self.line}"
        parts = [str(self.area), f"age {self.age}", str(self.sex)]
        if self.year is not None:
            parts.append(str(self.year))
        return ", ".join(parts)


@dataclass
class RawTable:
    """What a reader found: the cells (read lazily) and what the source string needs."""

    title: str
    cells: Iterator[RawCell]
    cell_count: int | None
    has_year: bool


@dataclass(frozen=True, order=True)
class AgeGroup:
    """Ages low..high in whole years; high None is open-ended ("100 -")."""

    low: int
    high: int | None

    def __str__(self) -> str:
        if self.high is None:
            return f"{self.low}-"
        return str(self.low) if self.low == self.high else f"{self.low}-{self.high}"


@dataclass
class PopulationTable:
    """A validated file: population per (municipality code, year, age band, sex)."""

    cells: dict[tuple[str, int, str, str], int]
    source: str
    skipped_areas: list[str] = field(default_factory=list)
    # Municipalities not in the database, left out because the caller asked for only known ones.
    skipped_unknown: list[str] = field(default_factory=list)

    @property
    def municipality_codes(self) -> list[str]:
        return sorted({key[0] for key in self.cells})

    @property
    def years(self) -> list[int]:
        return sorted({key[1] for key in self.cells})


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    municipalities: int = 0
    years: list[int] = field(default_factory=list)
    skipped_areas: list[str] = field(default_factory=list)
    skipped_unknown: list[str] = field(default_factory=list)
    source: str = ""
    dry_run: bool = False


def import_population(
    path: str | Path,
    *,
    year: int | None = None,
    file_format: FileFormat = "auto",
    only_known: bool = False,
    dry_run: bool = False,
    progress: bool = False,
) -> ImportResult:
    """Read and check the whole file, then write it in one transaction (unless a dry run)."""
    table = read_population(
        path, year=year, file_format=file_format, only_known=only_known, progress=progress
    )
    return save_population(table, dry_run=dry_run, progress=progress)


def read_population(
    path: str | Path,
    *,
    year: int | None = None,
    file_format: FileFormat = "auto",
    only_known: bool = False,
    progress: bool = False,
) -> PopulationTable:
    """The file's population in AGE_BANDS, or PopulationImportError listing every problem.

    `only_known` leaves out municipalities that are not in the database instead of refusing
    them, so that a whole-country download can be loaded for one region.
    """
    path = Path(path)
    data = path.read_bytes()
    chosen = _detect_format(path, data) if file_format == "auto" else file_format
    raw = read_jsonstat(data) if chosen == "jsonstat" else read_csv(data)
    if not raw.has_year:
        if year is None:
            raise PopulationImportError(
                ["The file has no year (Vuosi); give the year of its figures with --year."]
            )
        raw = _with_year(raw, year)
    validator = _Validator(year=year, only_known=only_known, progress=progress)
    return validator.validate(raw, source_file=path.name)


def save_population(
    table: PopulationTable, *, dry_run: bool = False, progress: bool = False
) -> ImportResult:
    """Update or create the table's PopulationGroup rows; other rows are left as they are."""
    with transaction.atomic():
        return _save(table, dry_run=dry_run, progress=progress)


def _save(table: PopulationTable, *, dry_run: bool, progress: bool) -> ImportResult:
    areas = dict(
        Area.objects.filter(
            area_type=Area.Type.MUNICIPALITY, code__in=table.municipality_codes
        ).values_list("code", "pk")
    )
    existing = {
        (row.municipality.code, row.year, row.age_band, row.sex): row
        for row in PopulationGroup.objects.filter(
            municipality_id__in=areas.values(), year__in=table.years
        ).select_related("municipality")
    }
    result = ImportResult(
        municipalities=len(areas),
        years=table.years,
        skipped_areas=table.skipped_areas,
        skipped_unknown=table.skipped_unknown,
        source=table.source,
        dry_run=dry_run,
    )
    new: list[PopulationGroup] = []
    changed: list[PopulationGroup] = []
    for (code, year, band, sex), population in table.cells.items():
        row = existing.get((code, year, band, sex))
        if row is None:
            new.append(
                PopulationGroup(
                    municipality_id=areas[code],
                    year=year,
                    age_band=band,
                    sex=sex,
                    population=population,
                    approximate=False,
                    source=table.source,
                )
            )
        elif (row.population, row.approximate, row.source) == (population, False, table.source):
            result.unchanged += 1
        else:
            row.population, row.approximate, row.source = population, False, table.source
            changed.append(row)
    result.created, result.updated = len(new), len(changed)
    if dry_run:
        return result
    with tqdm(
        total=len(new) + len(changed), desc="Writing", unit="cell", disable=not progress
    ) as bar:
        for chunk in _chunks(new):
            PopulationGroup.objects.bulk_create(chunk)
            bar.update(len(chunk))
        for chunk in _chunks(changed):
            PopulationGroup.objects.bulk_update(chunk, ["population", "approximate", "source"])
            bar.update(len(chunk))
    return result


# -- reading ----------------------------------------------------------------------------------


def _detect_format(path: Path, data: bytes) -> Literal["jsonstat", "csv"]:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "jsonstat"
    if suffix in {".csv", ".txt"}:
        return "csv"
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "jsonstat" if start == b"{" else "csv"


def dimension_of(*names: str) -> Dimension | None:
    """Which of our dimensions a PxWeb variable is, from its code or label."""
    for name in names:
        words = re.findall(r"[^\W\d_]+", name.lower())
        if words and words[0] in DIMENSION_WORDS:
            return DIMENSION_WORDS[words[0]]
    return None


def read_jsonstat(data: bytes) -> RawTable:
    """A JSON-stat 2.0 dataset (PxWeb's json-stat2), or a JSON-stat 1 bundle of one dataset."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise PopulationImportError(
            [f"The file is not UTF-8 text (byte {error.start})."]
        ) from error
    except json.JSONDecodeError as error:
        raise PopulationImportError(
            [f"The file is not valid JSON: {error.msg} at line {error.lineno}."]
        ) from error
    dataset = _jsonstat_dataset(document)
    problems: list[str] = []
    ids = dataset.get("id")
    sizes = dataset.get("size")
    dimensions = dataset.get("dimension")
    if not isinstance(ids, list) or not isinstance(sizes, list) or not isinstance(dimensions, dict):
        raise PopulationImportError(
            ["The dataset lacks 'id', 'size' or 'dimension': it is not JSON-stat."]
        )
    if len(ids) != len(sizes):
        raise PopulationImportError(
            [f"The dataset has {len(ids)} dimension ids but {len(sizes)} sizes."]
        )
    categories: list[list[Category]] = []
    kinds: list[Dimension | None] = []
    time_roles = set((dataset.get("role") or {}).get("time") or [])
    for dim_id, size in zip(ids, sizes, strict=True):
        dimension = dimensions.get(dim_id)
        if not isinstance(dimension, dict):
            problems.append(f"Dimension {dim_id!r} is listed in 'id' but not described.")
            categories.append([])
            kinds.append(None)
            continue
        found = _jsonstat_categories(dimension)
        if len(found) != size:
            problems.append(
                f"Dimension {dim_id!r} has {len(found)} categories but its size is {size}."
            )
        categories.append(found)
        kind = dimension_of(str(dim_id), str(dimension.get("label") or ""))
        if kind is None and dim_id in time_roles:
            kind = "year"
        kinds.append(kind)
    problems.extend(_dimension_problems([str(i) for i in ids], kinds, categories))
    total = math.prod(len(found) for found in categories)
    values = dataset.get("value")
    if isinstance(values, list) and len(values) != total:
        problems.append(
            f"The dataset has {len(values)} values but its dimensions make {total} cells."
        )
    elif not isinstance(values, list | dict):
        problems.append("The dataset has no 'value' list.")
    if problems:
        raise PopulationImportError(problems)
    assert isinstance(values, list | dict)  # noqa: S101 - checked just above
    status = dataset.get("status")
    extension = (dataset.get("extension") or {}).get("px") or {}
    table_id = extension.get("tableid") or ""
    label = str(dataset.get("label") or "")
    source = str(dataset.get("source") or "")
    title = ", ".join(part for part in (source, table_id and f"table {table_id}", label) if part)
    return RawTable(
        title=title,
        cells=_jsonstat_cells(kinds, categories, values, status),
        cell_count=total,
        has_year="year" in kinds,
    )


def _jsonstat_dataset(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise PopulationImportError(["The file is JSON but not a JSON-stat dataset."])
    if "error" in document and "class" not in document:
        raise PopulationImportError([f"The file is an error response: {document['error']}"])
    if document.get("class") == "dataset":
        return document
    if document.get("class") == "collection":
        raise PopulationImportError(
            ["The file is a JSON-stat collection; download one dataset (json-stat2)."]
        )
    # JSON-stat 1 (PxWeb's "json-stat"): {"dataset": {"dimension": {"id": …, "size": …}}}.
    bundle = [v for v in document.values() if isinstance(v, dict) and "dimension" in v]
    if len(bundle) == 1 and isinstance(bundle[0]["dimension"], dict):
        old = bundle[0]
        dimension = dict(old["dimension"])
        ids = dimension.pop("id", None)
        sizes = dimension.pop("size", None)
        role = dimension.pop("role", None)
        return {**old, "id": ids, "size": sizes, "dimension": dimension, "role": role}
    raise PopulationImportError(["The file is JSON but not a JSON-stat dataset."])


def _jsonstat_categories(dimension: dict[str, Any]) -> list[Category]:
    category = dimension.get("category") or {}
    index = category.get("index")
    labels = category.get("label") or {}
    if isinstance(index, list):
        codes = [str(code) for code in index]
    elif isinstance(index, dict):
        codes = [str(code) for code, _ in sorted(index.items(), key=lambda item: item[1])]
    else:  # a single category may leave out the index
        codes = [str(code) for code in labels]
    return [Category(code, str(labels.get(code, code))) for code in codes]


def _jsonstat_cells(
    kinds: list[Dimension | None],
    categories: list[list[Category]],
    values: list[Any] | dict[str, Any],
    status: Any,
) -> Iterator[RawCell]:
    positions = {kind: i for i, kind in enumerate(kinds) if kind is not None}
    for flat, combination in enumerate(itertools.product(*categories)):
        value = values[flat] if isinstance(values, list) else values.get(str(flat))
        if value is None:
            value = _status_symbol(status, flat) or None
        yield RawCell(
            area=combination[positions["area"]],
            age=combination[positions["age"]],
            sex=combination[positions["sex"]],
            year=combination[positions["year"]] if "year" in positions else None,
            value=value,
        )


def _status_symbol(status: Any, flat: int) -> str:
    if isinstance(status, str):
        return status
    if isinstance(status, list) and flat < len(status):
        return str(status[flat] or "")
    if isinstance(status, dict):
        return str(status.get(str(flat)) or "")
    return ""


def _dimension_problems(
    names: list[str], kinds: list[Dimension | None], categories: list[list[Category]]
) -> list[str]:
    """Missing or repeated dimensions, and other dimensions with more than one category."""
    problems = []
    for wanted in ("area", "age", "sex"):
        count = kinds.count(wanted)
        if count == 0:
            problems.append(f"The file has no {DIMENSION_NAMES[wanted]} dimension.")
        elif count > 1:
            problems.append(f"The file has {count} dimensions for {DIMENSION_NAMES[wanted]}.")
    if kinds.count("year") > 1:
        problems.append("The file has more than one year dimension.")
    for name, kind, found in zip(names, kinds, categories, strict=True):
        if kind is None and len(found) > 1:
            listed = ", ".join(str(c) for c in found[:5])
            problems.append(
                f"Dimension {name!r} has {len(found)} categories ({listed}); download the table "
                "with only the population figure selected."
            )
    return problems


def read_csv(data: bytes) -> RawTable:
    """PxWeb CSV: an optional title line, a header, then one row per area × age × sex (× year).

    The year is either a column, or each figure column's heading begins with it ("2023 Väestö
    31.12."), as PxWeb lays out a table with years across.
    """
    text = _decode(data)
    lines = text.splitlines()
    found = _find_header(lines)
    if found is None:
        raise PopulationImportError(
            [
                "No header row with area (Alue), age (Ikä) and sex (Sukupuoli) columns was found; "
                "is this a PxWeb population table in CSV?"
            ]
        )
    delimiter, header_index, header = found
    title = next((line.strip().strip('"') for line in lines[:header_index] if line.strip()), "")
    kinds = [dimension_of(name) for name in header]
    problems = _dimension_problems(header, kinds, [[] for _ in header])
    figure_columns = [
        i for i, kind in enumerate(kinds) if kind is None and not _is_content_column(header[i])
    ]
    if not figure_columns:
        problems.append("The header has no column of population figures.")
    column_years: dict[int, Category] = {}
    if "year" in kinds:
        if len(figure_columns) > 1:
            names = ", ".join(header[i] for i in figure_columns)
            problems.append(
                f"There are several figure columns ({names}); download only the population."
            )
    elif len(figure_columns) > 1:  # years across: "2022 Väestö 31.12.";"2023 Väestö 31.12."
        for i in figure_columns:
            match = _YEAR_PREFIX.match(header[i].strip())
            if match is None:
                problems.append(
                    f"Column {header[i]!r} does not begin with a year and there is no year column."
                )
            else:
                column_years[i] = Category(match[1], match[1])
    elif figure_columns and (match := _YEAR_PREFIX.match(header[figure_columns[0]].strip())):
        column_years[figure_columns[0]] = Category(match[1], match[1])
    rows, row_problems = _csv_rows(lines, header_index, delimiter, len(header))
    total = len(problems) + len(row_problems)
    problems.extend(row_problems[:MAX_LISTED_PER_KIND])
    if len(row_problems) > MAX_LISTED_PER_KIND:
        problems.append(f"… and {len(row_problems) - MAX_LISTED_PER_KIND} more such lines.")
    if problems:
        raise PopulationImportError(problems, total=total)
    return RawTable(
        title=title,
        cells=_csv_cells(rows, kinds, figure_columns, column_years),
        cell_count=len(rows) * len(figure_columns),
        has_year="year" in kinds or bool(column_years),
    )


def _is_content_column(name: str) -> bool:
    """PxWeb's "Tiedot" column naming the figure (Väestö 31.12.) when the content is a row."""
    words = re.findall(r"[^\W\d_]+", name.lower())
    return bool(words) and words[0] in CONTENT_WORDS


def _decode(data: bytes) -> str:
    """UTF-8, or the Windows-1252 that older PxWeb downloads use."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _find_header(lines: list[str]) -> tuple[str, int, list[str]] | None:
    for index, line in enumerate(lines[:20]):
        for delimiter in (";", ",", "\t"):
            cells = next(csv.reader([line], delimiter=delimiter), [])
            kinds = {dimension_of(cell) for cell in cells}
            if len(cells) >= 4 and {"area", "age", "sex"} <= kinds:
                return delimiter, index, [cell.strip() for cell in cells]
    return None


def _csv_rows(
    lines: list[str], header_index: int, delimiter: str, width: int
) -> tuple[list[tuple[int, list[str]]], list[str]]:
    """The data rows with their line numbers, and a problem for each row of the wrong width."""
    rows: list[tuple[int, list[str]]] = []
    problems: list[str] = []
    reader = csv.reader(lines[header_index + 1 :], delimiter=delimiter)
    for line_number, row in enumerate(reader, start=header_index + 2):
        if len(row) == width:
            rows.append((line_number, row))
        elif sum(1 for cell in row if cell.strip()) > 1:
            problems.append(f"Line {line_number} has {len(row)} cells but the header has {width}.")
        # else a blank line or a footnote under the table
    return rows, problems


def _csv_cells(
    rows: list[tuple[int, list[str]]],
    kinds: list[Dimension | None],
    figure_columns: list[int],
    column_years: dict[int, Category],
) -> Iterator[RawCell]:
    columns = {kind: i for i, kind in enumerate(kinds) if kind is not None}
    year_column = columns.get("year")
    for line_number, row in rows:
        area, age, sex = (row[columns[kind]].strip() for kind in ("area", "age", "sex"))
        row_year = row[year_column].strip() if year_column is not None else None
        for column in figure_columns:
            year = Category(row_year, row_year) if row_year is not None else None
            yield RawCell(
                area=Category(area, area),
                age=Category(age, age),
                sex=Category(sex, sex),
                year=year or column_years.get(column),
                value=row[column],
                line=line_number,
            )


def _with_year(raw: RawTable, year: int) -> RawTable:
    """A file without a year dimension, with the year the user gave for every cell."""
    given = Category(str(year), str(year))
    cells = (
        RawCell(cell.area, cell.age, cell.sex, given, cell.value, cell.line) for cell in raw.cells
    )
    return RawTable(raw.title, cells, raw.cell_count, has_year=True)


# -- validating -------------------------------------------------------------------------------

_SKIP = object()


class _Problems:
    """Problems grouped by kind, listing at most MAX_LISTED_PER_KIND of each."""

    def __init__(self) -> None:
        self.listed: list[str] = []
        self.counts: dict[str, int] = {}

    def add(self, kind: str, message: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if self.counts[kind] <= MAX_LISTED_PER_KIND:
            self.listed.append(message)

    def count_more(self, kind: str, count: int) -> None:
        """Problems of a kind that are counted but need not be spelt out one by one."""
        if count > 0:
            self.counts[kind] = self.counts.get(kind, 0) + count

    def raise_any(self) -> None:
        if not self.counts:
            return
        more = [
            f"… and {count - MAX_LISTED_PER_KIND} more {kind} problems."
            for kind, count in self.counts.items()
            if count > MAX_LISTED_PER_KIND
        ]
        raise PopulationImportError(self.listed + more, total=sum(self.counts.values()))


def _memoised(function: Callable[[Category], object]) -> Callable[[Category], object]:
    cache: dict[Category, object] = {}

    def lookup(category: Category) -> object:
        if category not in cache:
            cache[category] = function(category)
        return cache[category]

    return lookup


class _Validator:
    """Interprets each category once, checks every figure, then sums ages into AGE_BANDS."""

    def __init__(self, *, year: int | None, only_known: bool, progress: bool) -> None:
        self.year = year
        self.only_known = only_known
        self.progress = progress
        self.problems = _Problems()
        municipalities = Area.objects.filter(area_type=Area.Type.MUNICIPALITY)
        self.codes = set(municipalities.values_list("code", flat=True))
        self.names: dict[str, str] = {}
        for code, *names in municipalities.values_list("code", "name_fi", "name_sv", "name_en"):
            for name in names:
                if name:
                    self.names.setdefault(name.strip().lower(), code)
        self.skipped_areas: list[str] = []
        self.skipped_unknown: list[str] = []
        self.years_in_file: set[int] = set()
        self.area = _memoised(self._area)
        self.age = _memoised(self._age)
        self.sex = _memoised(self._sex)
        self.year_of = _memoised(self._year)

    def validate(self, raw: RawTable, *, source_file: str) -> PopulationTable:
        figures: dict[tuple[str, int, AgeGroup, str], int | None] = {}
        with tqdm(
            total=raw.cell_count, desc="Checking", unit="cell", disable=not self.progress
        ) as bar:
            for cell in raw.cells:
                bar.update(1)
                self._read_cell(cell, figures)
        if self.year is not None and figures == {} and self.year not in self.years_in_file:
            present = ", ".join(str(y) for y in sorted(self.years_in_file)) or "none"
            self.problems.add("year", f"Year {self.year} is not in the file (it has {present}).")
        elif not figures and not self.problems.counts:
            self.problems.add(
                "empty",
                "The file has no figures by municipality, age and sex, only totals; select the "
                "municipalities, every age and men and women when downloading.",
            )
        bands = self._band_of_groups({key[2] for key in figures})
        self._check_complete(figures)
        self.problems.raise_any()
        cells: dict[tuple[str, int, str, str], int] = {}
        for (code, year, group, sex), value in figures.items():
            key = (code, year, bands[group], sex)
            cells[key] = cells.get(key, 0) + (value or 0)
        source = f"{raw.title} ({source_file})" if raw.title else source_file
        if len(source) > SOURCE_MAX:
            source = f"{raw.title[: SOURCE_MAX - len(source_file) - 4]}… ({source_file})"
        return PopulationTable(
            cells=cells,
            source=source[:SOURCE_MAX],
            skipped_areas=self.skipped_areas,
            skipped_unknown=self.skipped_unknown,
        )

    def _read_cell(
        self, cell: RawCell, figures: dict[tuple[str, int, AgeGroup, str], int | None]
    ) -> None:
        assert cell.year is not None  # noqa: S101 - read_population gives every cell a year
        year = self.year_of(cell.year)
        if isinstance(year, int):
            self.years_in_file.add(year)
            if self.year is not None and year != self.year:
                return
        area, age, sex = self.area(cell.area), self.age(cell.age), self.sex(cell.sex)
        if _SKIP in (area, age, sex):
            return
        if not (
            isinstance(year, int)
            and isinstance(area, str)
            and isinstance(age, AgeGroup)
            and isinstance(sex, str)
        ):
            return  # the category's problem is already listed once
        key = (area, year, age, sex)
        if key in figures:
            self.problems.add(
                "duplicate",
                f"{cell.where()}: a second figure for {cell.area}, age {cell.age}, "
                f"{cell.sex}, {year}.",
            )
            return
        figures[key] = self._figure(cell)

    def _figure(self, cell: RawCell) -> int | None:
        value = cell.value
        if isinstance(value, int):  # True stays "True", which is not a number
            text = str(value)
        elif isinstance(value, float):
            text = str(int(value)) if value.is_integer() else str(value)
        else:
            text = _SPACES.sub("", str(value if value is not None else ""))
        if text == ZERO_SYMBOL:
            return 0
        if text in MISSING_SYMBOLS:
            shown = f" ({text!r})" if text else ""
            self.problems.add("missing", f"{cell.where()}: the figure is missing{shown}.")
            return None
        if _INTEGER.match(text):
            number = int(text)
            if number < 0:
                self.problems.add("negative", f"{cell.where()}: negative population {number}.")
                return None
            return number
        if _DECIMAL.match(text):
            self.problems.add(
                "fraction", f"{cell.where()}: {text} is not a whole number of people."
            )
        else:
            self.problems.add("number", f"{cell.where()}: {str(value)!r} is not a number.")
        return None

    # -- categories -----------------------------------------------------------------------

    def _area(self, category: Category) -> object:
        for text in (category.code.strip(), category.label.strip()):
            if text.lower() in TOTAL_WORDS or text.split(" ", 1)[0] == "SSS":
                return self._skip_area(category)
            match = _MUNICIPALITY_CODE.match(text)
            if match:
                if match[1] in self.codes:
                    return match[1]
                return self._unknown_area(category, f"Unknown municipality code {match[1]}")
            if _AGGREGATE_CODE.match(text):
                return self._skip_area(category)
            code = self.names.get(text.lower())
            if code is not None:
                return code
        return self._unknown_area(category, "Unknown municipality")

    def _unknown_area(self, category: Category, problem: str) -> object:
        if self.only_known:
            self.skipped_unknown.append(str(category))
            return _SKIP
        self.problems.add("area", f"{problem}: {category}.")
        return None

    def _skip_area(self, category: Category) -> object:
        self.skipped_areas.append(str(category))
        return _SKIP

    def _age(self, category: Category) -> object:
        for text in (category.code, category.label):
            if text.strip().lower() in TOTAL_WORDS:
                return _SKIP
        # The label first: table 11re codes the open-ended "100 -" as "100".
        for text in (category.label, category.code):
            group = age_group(text)
            if group is not None:
                return group
        self.problems.add("age", f"Unknown age group {category}.")
        return None

    def _sex(self, category: Category) -> object:
        for text in (category.code.strip().lower(), category.label.strip().lower()):
            if text in TOTAL_WORDS:
                return _SKIP
            if text in MALE_WORDS:
                return PopulationGroup.Sex.MALE.value
            if text in FEMALE_WORDS:
                return PopulationGroup.Sex.FEMALE.value
        self.problems.add("sex", f"Unknown sex {category} (expected men 1 / women 2 / total).")
        return None

    def _year(self, category: Category) -> object:
        text = category.code.strip()
        if text.isdigit() and 1900 <= int(text) <= 2100:
            return int(text)
        self.problems.add("year", f"Unknown year {category}.")
        return None

    # -- the whole table --------------------------------------------------------------------

    def _band_of_groups(self, groups: set[AgeGroup]) -> dict[AgeGroup, str]:
        """Each age group's band; problems for overlaps, crossing groups and partial bands."""
        ordered = sorted(groups, key=_age_order)
        for before, after in itertools.pairwise(ordered):
            if before.high is None or after.low <= before.high:
                self.problems.add(
                    "age", f"The age groups {before} and {after} overlap; keep one set of ages."
                )
        bands = {band: age_group(band) for band in AGE_BANDS}
        result: dict[AgeGroup, str] = {}
        for group in ordered:
            containing = [b for b, limits in bands.items() if limits and _within(group, limits)]
            if containing:
                result[group] = containing[0]
            else:
                crossed = [b for b, limits in bands.items() if limits and _overlaps(group, limits)]
                self.problems.add(
                    "age",
                    f"The age group {group} crosses the bands {' and '.join(crossed)}; "
                    "download single years or groups inside the bands.",
                )
        if not groups:
            return result
        for band, limits in bands.items():
            assert limits is not None  # noqa: S101 - AGE_BANDS parse
            inside = [g for g in ordered if g in result and result[g] == band]
            gaps = _gaps(limits, inside)
            if gaps and inside:
                self.problems.add(
                    "age",
                    f"The age band {band} is only partly covered by the file's age groups "
                    f"(missing ages {', '.join(gaps)}).",
                )
            elif gaps:
                self.problems.add(
                    "age", f"The age band {band} is not covered by the file's age groups."
                )
        return result

    def _check_complete(self, figures: dict[tuple[str, int, AgeGroup, str], int | None]) -> None:
        """Every municipality × year × age group × sex must have its figure (CSV rows may not)."""
        codes = sorted({key[0] for key in figures})
        years = sorted({key[1] for key in figures})
        groups = sorted({key[2] for key in figures}, key=_age_order)
        sexes = sorted({key[3] for key in figures})
        missing = len(codes) * len(years) * len(groups) * len(sexes) - len(figures)
        listed = 0
        for key in itertools.product(codes, years, groups, sexes):
            if listed == min(missing, MAX_LISTED_PER_KIND):
                break
            if key not in figures:
                code, year, group, sex = key
                self.problems.add(
                    "missing", f"No figure for municipality {code}, {year}, age {group}, {sex}."
                )
                listed += 1
        self.problems.count_more("missing", missing - listed)


def age_group(text: str) -> AgeGroup | None:
    """PxWeb's age texts: "0", "007", "100 -", "100-", "0 - 4", "75-", "85+" (None otherwise)."""
    match = _AGE.match(_SPACES.sub("", text))
    if match is None:
        return None
    low = int(match[1])
    if match[4] or (match[2] and match[3] is None):
        return AgeGroup(low, None)
    if match[3] is not None:
        high = int(match[3])
        return AgeGroup(low, high) if high >= low else None
    return AgeGroup(low, low)


def _age_order(group: AgeGroup) -> tuple[int, float]:
    return (group.low, math.inf if group.high is None else group.high)


def _within(group: AgeGroup, band: AgeGroup) -> bool:
    if group.low < band.low:
        return False
    if band.high is None:
        return True
    return group.high is not None and group.high <= band.high


def _overlaps(group: AgeGroup, band: AgeGroup) -> bool:
    group_high = math.inf if group.high is None else group.high
    band_high = math.inf if band.high is None else band.high
    return group.low <= band_high and band.low <= group_high


def _gaps(band: AgeGroup, groups: Iterable[AgeGroup]) -> list[str]:
    """The ages of the band that none of the (ordered, non-overlapping) groups covers."""
    gaps: list[str] = []
    next_age: int | None = band.low
    for group in groups:
        if next_age is None:
            break
        if group.low > next_age:
            gaps.append(str(AgeGroup(next_age, group.low - 1)))
        next_age = None if group.high is None else max(next_age, group.high + 1)
    if next_age is not None and (band.high is None or next_age <= band.high):
        gaps.append(str(AgeGroup(next_age, band.high)))
    return gaps


def _chunks(items: list[PopulationGroup]) -> Iterator[list[PopulationGroup]]:
    for start in range(0, len(items), WRITE_BATCH):
        yield items[start : start + WRITE_BATCH]
