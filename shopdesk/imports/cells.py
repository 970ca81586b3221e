"""Reading one cell of a shop's file: text, dates in the formats spreadsheets and ERPs write,
whole numbers, minutes, choices. Each reader answers the value or raises CellError with words
a person can act on; a blank cell answers None (the caller decides what blank means)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any


class CellError(ValueError):
    pass


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def text(raw: Any, max_length: int) -> str | None:
    if is_blank(raw):
        return None
    if isinstance(raw, bool):
        raise CellError("Expected text, found TRUE/FALSE.")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # a part number typed as 1042 comes back from Excel as 1042.0
    if isinstance(raw, datetime.datetime | datetime.date):
        raise CellError("Expected text, found a date.")
    value = str(raw).strip()
    if "\x00" in value:
        raise CellError("Contains a NUL character.")
    if value.startswith("="):
        raise CellError("Looks like a spreadsheet formula; put the value itself in the cell.")
    if len(value) > max_length:
        raise CellError(f"At most {max_length} characters (this has {len(value)}).")
    return value


def whole_number(raw: Any, *, low: int, high: int) -> int | None:
    if is_blank(raw):
        return None
    # Strictly a whole number: TRUE is not 1, and 2.5 is not 2.
    if isinstance(raw, bool):
        raise CellError("Expected a whole number, found TRUE/FALSE.")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        if not raw.is_integer():
            raise CellError(f"Expected a whole number, found {raw:g}.")
        value = int(raw)
    elif isinstance(raw, str) and re.fullmatch(r"\s*[+-]?\d{1,12}\s*", raw):
        value = int(raw)
    else:
        raise CellError(f"Expected a whole number, found {str(raw)[:30]!r}.")
    if not low <= value <= high:
        raise CellError(f"Must be from {low:,} to {high:,}.")
    return value


def decimal_number(raw: Any, *, low: Decimal, high: Decimal, places: str) -> Decimal | None:
    if is_blank(raw):
        return None
    if isinstance(raw, bool):
        raise CellError("Expected a number, found TRUE/FALSE.")
    if isinstance(raw, datetime.datetime | datetime.date):
        raise CellError("Expected a number, found a date.")
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise CellError(f"Expected a number, found {str(raw)[:30]!r}.") from exc
    if not value.is_finite() or not low <= value <= high:
        raise CellError(f"Must be a number from {low:,} to {high:,}.")
    return value.quantize(Decimal(places))


# Dates as spreadsheets and ERP exports write them. Slashes are month first (US), dots and
# dashes with the year last are day first (Europe); the year-first forms are unambiguous.
DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y%m%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%d-%m-%Y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%b %d %Y",
    "%b %d, %Y",
    "%d-%b-%y",
    "%B %d, %Y",
    "%d %B %Y",
)
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 1, 1)


def date(raw: Any) -> datetime.date | None:
    if is_blank(raw):
        return None
    if isinstance(raw, datetime.datetime):
        value = raw.date()
    elif isinstance(raw, datetime.date):
        value = raw
    elif isinstance(raw, bool | int | float):
        raise CellError("Expected a date like 2026-03-15, found a number.")
    else:
        value = _parse_date(str(raw).strip())
    if not EARLIEST <= value <= LATEST:
        raise CellError("The date must be between 2000 and 2100.")
    return value


def _parse_date(value: str) -> datetime.date:
    # A time after the date (2026-03-15 00:00:00, 2026-03-15T08:00) is dropped.
    value = re.split(r"[T ](?=\d{1,2}:\d{2})", value, maxsplit=1)[0].strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt).date()  # noqa: DTZ007 a day, no time
        except ValueError:
            continue
    raise CellError(
        f"Not a date: {value[:30]!r}. Write 2026-03-15 (or 03/15/2026, 15.03.2026, 15-Mar-2026)."
    )


def choice(raw: Any, options: dict[str, Any], what: str) -> Any:
    """One of `options`, keyed by normalized words ("from stock", "From_Stock" → from_stock)."""
    if is_blank(raw):
        return None
    if isinstance(raw, bool):
        raise CellError(f"Expected a {what}, found TRUE/FALSE.")
    key = "_".join(re.findall(r"[a-z0-9]+", str(raw).lower()))
    if isinstance(raw, float) and raw.is_integer():
        key = str(int(raw))
    if key not in options:
        names = sorted({str(name) for name in options if not name.isdigit()})
        raise CellError(f"Unknown {what} {str(raw)[:30]!r}; use one of: {', '.join(names)}.")
    return options[key]


YES = frozenset({"yes", "y", "true", "1", "x", "active"})
NO = frozenset({"no", "n", "false", "0", "inactive"})


def yes_no(raw: Any) -> bool | None:
    if is_blank(raw):
        return None
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    word = str(raw).strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise CellError(f"Expected yes or no, found {str(raw)[:30]!r}.")
