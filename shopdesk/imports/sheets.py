"""Writing tables as CSV or Excel for people to open in a spreadsheet.

A text cell that a spreadsheet would read as a formula (starting with = + - @, or a tab or
carriage return before one) is written with a leading apostrophe, so opening an export never
runs what someone typed into a note (CSV injection). Numbers and dates stay numbers and dates.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _cell(value: Any, *, for_excel: bool) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        # Excel has no time zones: the shop's local time, as people read it on the pages.
        return (
            local.replace(tzinfo=None, microsecond=0)
            if for_excel
            else local.isoformat(sep=" ", timespec="seconds")
        )
    if isinstance(value, datetime.date):
        return value if for_excel else value.isoformat()
    if isinstance(value, int | Decimal | float):
        return value
    return safe_text(str(value))


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_text(header) for header in headers])
    for row in rows:
        writer.writerow([_cell(value, for_excel=False) for value in row])
    # With a byte order mark Excel opens UTF-8 (accents, ×, —) correctly.
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append([safe_text(header) for header in headers])
        for row in rows:
            sheet.append([_cell(value, for_excel=True) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def table_response(
    name: str,
    fmt: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    sheet: str = "",
) -> HttpResponse:
    """A CSV or .xlsx download of one table, named `name`.csv or `name`.xlsx."""
    if fmt == "xlsx":
        return download(xlsx_bytes([(sheet or name, headers, rows)]), f"{name}.xlsx", XLSX)
    return download(csv_bytes(headers, rows), f"{name}.csv", "text/csv; charset=utf-8")
