"""The downloadable template of each kind of import: the header row and one example row
(for jobs, a workbook with a Jobs and a Routing sheet, or the two CSV files)."""

from __future__ import annotations

from django.http import HttpResponse

from shopdesk.imports.kinds import Kind, SheetSpec
from shopdesk.imports.sheets import XLSX, csv_bytes, download, xlsx_bytes

__all__ = ["XLSX", "response"]


def _table(spec: SheetSpec) -> tuple[str, list[str], list[list[str]]]:
    headers = [column.name for column in spec.columns]
    example = [column.example for column in spec.columns]
    return spec.name, headers, [example]


def response(kind: Kind, fmt: str, sheet: str = "") -> HttpResponse:
    """The template as .xlsx (every sheet of the kind) or CSV (the first sheet, or the one
    named by `sheet`, e.g. routing)."""
    if fmt == "xlsx":
        return download(
            xlsx_bytes([_table(spec) for spec in kind.sheets]), f"{kind.slug}-template.xlsx", XLSX
        )
    spec = next((s for s in kind.sheets if s.name.lower() == sheet.lower()), kind.sheets[0])
    name, headers, rows = _table(spec)
    suffix = "" if spec is kind.sheets[0] else f"-{name.lower()}"
    return download(
        csv_bytes(headers, rows), f"{kind.slug}{suffix}-template.csv", "text/csv; charset=utf-8"
    )
