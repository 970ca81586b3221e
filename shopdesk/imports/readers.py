"""Reading a shop's file: CSV (comma, semicolon or tab; UTF-8 or Windows-1252) or an Excel
workbook (.xlsx), into sheets of rows with their line numbers.

Nothing in a file is trusted: its size, its row count and the size its zip members unpack to
are limited before anything is parsed; a workbook is opened read-only with cached values only
(openpyxl never evaluates formulas, and defusedxml guards its XML parsing); a file that is
neither CSV nor a workbook is refused with a clear message.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from shopdesk.core.errors import InvalidInput, ShopDeskError

MAX_FILE_BYTES = 10 * 1024 * 1024
# What the members of an .xlsx may unpack to, all together: a 10 MB workbook of plain cells
# unpacks to well under this; a zip bomb claims far more.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 60
MAX_CELL_CHARS = 10_000

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


class FileTooLarge(ShopDeskError):
    status = 413


class UnsupportedFile(ShopDeskError):
    status = 415


@dataclass
class Row:
    line: int
    cells: list[Any]


@dataclass
class Sheet:
    """One table of a file: its name (the file name for a CSV), its header row and its rows."""

    name: str
    headers: list[str]
    rows: list[Row] = field(default_factory=list)
    header_line: int = 1


def normalize_header(text: Any) -> str:
    """ "Part No.", " part_no ", "PART-NO" → "part_no": headers are matched case-, space- and
    punctuation-insensitively."""
    words = re.findall(r"[a-z0-9]+", str(text or "").lower())
    return "_".join(words)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_upload(content: bytes, name: str) -> list[Sheet]:
    """The sheets of an uploaded file. Raises FileTooLarge, UnsupportedFile or InvalidInput
    (with field "file") for a file that cannot be read at all."""
    if len(content) > MAX_FILE_BYTES:
        raise FileTooLarge(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it.",
            field="file",
        )
    if not content.strip():
        raise InvalidInput("The file is empty.", field="file")
    if content.startswith(ZIP_MAGIC):
        return _read_xlsx(content)
    if content.startswith(OLE_MAGIC):
        raise UnsupportedFile(
            "This is an old Excel .xls file; save it as .xlsx or CSV and upload that.",
            field="file",
        )
    return [_read_csv(content, name)]


# ----------------------------------------------------------------------------------- CSV


def _decode(content: bytes) -> str:
    head = content[:8192]
    if b"\x00" in head:
        raise UnsupportedFile("This is not a CSV or Excel (.xlsx) file.", field="file")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Control characters other than tab and line ends mean binary content, not a table.
        if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text[:8192]):
            raise UnsupportedFile("This is not a CSV or Excel (.xlsx) file.", field="file")
        return text
    raise InvalidInput("The file is not UTF-8 or Windows text; save it as CSV UTF-8.", field="file")


def _delimiter(first_line: str) -> str:
    # Excel writes semicolons where the decimal mark is a comma; some systems write tabs.
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(content: bytes, name: str) -> Sheet:
    text = _decode(content)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    sheet: Sheet | None = None
    line = 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if len(cells) > MAX_COLUMNS * 4:
                raise InvalidInput(f"Line {start} has {len(cells)} columns.", field="file")
            if any(len(cell) > MAX_CELL_CHARS for cell in cells):
                raise InvalidInput(
                    f"Line {start} has a cell longer than {MAX_CELL_CHARS:,} characters.",
                    field="file",
                )
            if all(_blank(cell) for cell in cells):
                continue
            if sheet is None:
                sheet = Sheet(name=name, headers=cells, header_line=start)
                continue
            if len(sheet.rows) >= MAX_ROWS:
                raise FileTooLarge(
                    f"The file has more than {MAX_ROWS:,} rows; split it.", field="file"
                )
            sheet.rows.append(Row(line=start, cells=cells))
    except csv.Error as exc:
        raise InvalidInput(f"Line {line}: the CSV cannot be read ({exc}).", field="file") from exc
    if sheet is None:
        raise InvalidInput("The file has no header row.", field="file")
    return sheet


# ---------------------------------------------------------------------------------- Excel


def _check_zip(content: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UnsupportedFile("This is not a CSV or Excel (.xlsx) file.", field="file") from exc
    with archive:
        members = archive.infolist()
        names = {member.filename for member in members}
        if "xl/workbook.xml" not in names:
            raise UnsupportedFile("This zip file is not an Excel workbook (.xlsx).", field="file")
        # zipfile stops reading a member at its declared size, so the declared sizes bound
        # what unpacking can produce.
        if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES or len(members) > 500:
            raise FileTooLarge(
                "The workbook unpacks to more than "
                f"{MAX_UNPACKED_BYTES // (1024 * 1024)} MB; it is refused.",
                field="file",
            )


def _read_xlsx(content: bytes) -> list[Sheet]:
    import openpyxl

    _check_zip(content)
    try:
        # read_only streams rows; data_only gives the values Excel last calculated, never
        # the formulas (nothing in a workbook is evaluated here).
        workbook = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=True, keep_links=False
        )
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise InvalidInput("The Excel workbook cannot be read.", field="file") from exc
    sheets: list[Sheet] = []
    try:
        for worksheet in workbook.worksheets:
            sheet = _read_worksheet(worksheet)
            if sheet is not None:
                sheets.append(sheet)
    except ShopDeskError:
        raise
    except Exception as exc:
        raise InvalidInput("The Excel workbook cannot be read.", field="file") from exc
    finally:
        workbook.close()
    if not sheets:
        raise InvalidInput("The workbook has no rows.", field="file")
    return sheets


def _read_worksheet(worksheet: Any) -> Sheet | None:
    sheet: Sheet | None = None
    for line, values in enumerate(
        worksheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1
    ):
        cells = list(values)
        if all(_blank(cell) for cell in cells):
            continue
        for cell in cells:
            if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
                raise InvalidInput(
                    f"Sheet {worksheet.title}, line {line}: a cell is longer than "
                    f"{MAX_CELL_CHARS:,} characters.",
                    field="file",
                )
        if sheet is None:
            while cells and _blank(cells[-1]):
                cells.pop()
            sheet = Sheet(name=worksheet.title, headers=cells, header_line=line)
            continue
        if len(sheet.rows) >= MAX_ROWS:
            raise FileTooLarge(
                f"Sheet {worksheet.title} has more than {MAX_ROWS:,} rows; split it.",
                field="file",
            )
        sheet.rows.append(Row(line=line, cells=cells))
    return sheet
