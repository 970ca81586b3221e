"""From uploaded files to checked tables: sheets matched to what the kind expects, headers
matched to columns, and the report every problem is written to (sheet, line, column)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shopdesk.core.errors import InvalidInput
from shopdesk.imports.cells import CellError
from shopdesk.imports.kinds import Kind, SheetSpec
from shopdesk.imports.readers import Sheet, normalize_header, read_upload

# The most problems one report lists; past it the file is clearly of another kind.
MAX_PROBLEMS = 1000


@dataclass
class Problem:
    sheet: str
    line: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportReport:
    kind: str
    dry_run: bool
    applied: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    problems_left_off: int = 0

    def problem(self, sheet: str, line: int, column: str, message: str) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            self.problems_left_off += 1
            return
        self.problems.append(Problem(sheet, line, column, message))

    def note(self, sheet: str, line: int, column: str, message: str) -> None:
        if len(self.notes) < MAX_PROBLEMS:
            self.notes.append(Problem(sheet, line, column, message))

    @property
    def problem_count(self) -> int:
        return len(self.problems) + self.problems_left_off

    @property
    def summary(self) -> str:
        if self.problem_count:
            return (
                f"{self.problem_count} problem{'s' if self.problem_count != 1 else ''} in "
                f"{self.rows} row{'s' if self.rows != 1 else ''}; nothing was imported."
            )
        verb = "Imported" if self.applied else "Ready to import"
        return (
            f"{verb}: {self.created} new, {self.updated} changed, {self.unchanged} unchanged "
            f"({self.rows} row{'s' if self.rows != 1 else ''})."
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "dry_run": self.dry_run,
            "applied": self.applied,
            "detail": self.summary,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "problem_count": self.problem_count,
            "problems": [problem.as_dict() for problem in self.problems],
            "notes": [note.as_dict() for note in self.notes],
        }


_INVALID: Any = object()


@dataclass
class RowIn:
    """One row of a table: its line in the file and its cells by column name."""

    table: Table
    line: int
    values: dict[str, Any]

    def read(self, column: str, reader: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """The column's value read by `reader`; a problem is reported (and _INVALID answered)
        when it cannot be read. A column the file does not have answers None."""
        if column not in self.values:
            return None
        try:
            return reader(self.values[column], *args, **kwargs)
        except CellError as exc:
            self.problem(column, str(exc))
            return _INVALID

    def has(self, column: str) -> bool:
        return column in self.values

    def problem(self, column: str, message: str) -> None:
        self.table.report.problem(self.table.name, self.line, self.table.header(column), message)

    def note(self, column: str, message: str) -> None:
        self.table.report.note(self.table.name, self.line, self.table.header(column), message)


def invalid(value: Any) -> bool:
    return value is _INVALID


@dataclass
class Table:
    name: str
    spec: SheetSpec
    report: ImportReport
    headers: dict[str, str] = field(default_factory=dict)  # column → header as written
    rows: list[RowIn] = field(default_factory=list)

    def header(self, column: str) -> str:
        return self.headers.get(column, column)


def _bind(sheet: Sheet, spec: SheetSpec, report: ImportReport) -> Table:
    table = Table(name=sheet.name, spec=spec, report=report)
    by_name: dict[str, str] = {}
    for column in spec.columns:
        for alias in (column.name, *column.aliases):
            by_name.setdefault(alias, column.name)
    positions: dict[str, int] = {}
    problems_before = report.problem_count
    for index, header in enumerate(sheet.headers):
        normalized = normalize_header(header)
        if not normalized:
            continue
        column = by_name.get(normalized)
        if column is None:
            known = ", ".join(c.name for c in spec.columns)
            report.problem(
                sheet.name,
                sheet.header_line,
                str(header)[:60],
                f"Unknown column. The columns of {spec.name.lower()} are: {known}.",
            )
            continue
        if column in positions:
            report.problem(
                sheet.name,
                sheet.header_line,
                str(header)[:60],
                f"A second {column} column (the first is column {positions[column] + 1}).",
            )
            continue
        positions[column] = index
        table.headers[column] = str(header).strip()[:60]
    for column in spec.columns:
        if column.required and column.name not in positions:
            report.problem(
                sheet.name, sheet.header_line, column.name, "This column is required; add it."
            )
    if report.problem_count > problems_before:
        return table  # rows cannot be read against a header that is wrong
    for row in sheet.rows:
        values = {
            column: (row.cells[index] if index < len(row.cells) else None)
            for column, index in positions.items()
        }
        table.rows.append(RowIn(table=table, line=row.line, values=values))
    report.rows += len(table.rows)
    return table


def _pick(sheets: list[Sheet], spec: SheetSpec, *, fallback_first: bool) -> Sheet | None:
    for sheet in sheets:
        if normalize_header(sheet.name) in spec.sheet_names:
            return sheet
    return sheets[0] if fallback_first and sheets else None


Upload = tuple[str, bytes]


def read_tables(
    kind: Kind, report: ImportReport, file: Upload, routing: Upload | None = None
) -> dict[str, Table]:
    """The kind's tables from the uploaded file (and, for jobs, a routing file), by sheet spec
    name. Raises the readers' errors for a file that cannot be read at all."""
    sheets = read_upload(file[1], file[0])
    main_spec = kind.sheets[0]
    main = _pick(sheets, main_spec, fallback_first=True)
    tables = {main_spec.name: _bind(main, main_spec, report)}
    for spec in kind.sheets[1:]:
        others = [sheet for sheet in sheets if sheet is not main]
        found = _pick(others, spec, fallback_first=False)
        if routing is not None:
            if found is not None:
                raise InvalidInput(
                    f"The workbook has a {found.name} sheet and a {spec.name.lower()} file was "
                    "also given; give one.",
                    field="routing",
                )
            found = _pick(read_upload(routing[1], routing[0]), spec, fallback_first=True)
        if found is not None:
            tables[spec.name] = _bind(found, spec, report)
    if routing is not None and len(kind.sheets) == 1:
        raise InvalidInput(f"{kind.label} take one file.", field="routing")
    return tables
