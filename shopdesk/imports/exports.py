"""Exports of the list pages (jobs, a work center's operations, blockers, labor entries) to
CSV and Excel. Each reads its rows through the very selector the page and the API list use,
with the same filters, so the file holds the rows the list shows (every page of them)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from shopdesk.core.models import Shop
from shopdesk.dispatch import selectors as dispatch
from shopdesk.imports.sheets import table_response
from shopdesk.jobs import labor, live, selectors
from shopdesk.jobs.models import WorkCenter

# A spreadsheet beyond this many rows is not read by a person; the API pages the rest.
MAX_EXPORT_ROWS = 100_000
CHUNK = 2000


@dataclass
class Export:
    name: str
    headers: list[str]
    rows: Iterator[list[Any]]

    def response(self, fmt: str) -> HttpResponse:
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        return table_response(f"{self.name}-{stamp}", fmt, self.headers, self.rows, sheet=self.name)


def _person(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


JOB_HEADERS = [
    "job_number",
    "customer_code",
    "customer",
    "part_number",
    "revision",
    "quantity",
    "due_date",
    "days_late",
    "customer_po",
    "priority",
    "material_status",
    "stage",
    "operations_done",
    "operations_total",
    "open_blockers",
    "owner",
]


def jobs(shop: Shop, filters: selectors.JobFilters) -> Export:
    today = timezone.localdate()
    queryset = selectors.job_list(shop, filters, today=today)[:MAX_EXPORT_ROWS]

    def rows() -> Iterator[list[Any]]:
        for job in queryset.iterator(chunk_size=CHUNK):
            yield [
                job.display_number,
                job.customer.code,
                job.customer.name,
                job.part.number,
                job.revision,
                job.quantity,
                job.due_date,
                live.days_late(job, today) or "",
                job.customer_po,
                job.get_priority_display(),
                job.get_material_status_display(),
                job.stage_label,
                job.operations_done,
                job.operations_total,
                job.open_blocker_count,
                _person(job.owner),
            ]

    return Export("jobs", JOB_HEADERS, rows())


OPERATION_HEADERS = [
    "list",
    "position",
    "status",
    "job_number",
    "customer",
    "part_number",
    "quantity",
    "due_date",
    "sequence",
    "operation",
    "setup_minutes",
    "run_minutes_total",
    "remaining_minutes",
    "critical_ratio",
    "waiting_for",
    "next_operation",
]


def operations(shop: Shop, work_center: WorkCenter) -> Export:
    """The work center's dispatch list, whole: the ready operations in the order to run them,
    then the upcoming ones (as the dispatch page lists them)."""
    listing = dispatch.dispatch_list(shop, work_center)

    def rows() -> Iterator[list[Any]]:
        for section, entries in (("ready", listing.ready), ("upcoming", listing.upcoming)):
            for row in entries:
                job, operation = row.job, row.operation
                following = row.next_operation
                yield [
                    section,
                    row.position or "",
                    row.status_label if section == "ready" else "Upcoming",
                    job.display_number,
                    job.customer.name,
                    job.part.number,
                    job.quantity,
                    job.due_date,
                    operation.sequence,
                    operation.name,
                    operation.setup_minutes,
                    operation.run_minutes * (job.quantity or 0),
                    Decimal(row.remaining_minutes).quantize(Decimal("0.1")),
                    row.critical_ratio,
                    row.waiting_for,
                    f"{following.name} at {following.where}" if following is not None else "",
                ]

    return Export(f"operations-{_slug(work_center.name)}", OPERATION_HEADERS, rows())


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())[:40]


BLOCKER_HEADERS = [
    "job_number",
    "kind",
    "note",
    "operation",
    "owner",
    "raised_by",
    "raised_at",
    "age_hours",
    "resolved_at",
    "resolved_by",
    "resolution_note",
]


def blockers(shop: Shop, *, job_number: int | None = None, open: bool | None = None) -> Export:
    queryset = selectors.blocker_list(shop, job_number=job_number, open=open)[:MAX_EXPORT_ROWS]

    def rows() -> Iterator[list[Any]]:
        for blocker in queryset.iterator(chunk_size=CHUNK):
            yield [
                blocker.job.display_number,
                blocker.get_kind_display(),
                blocker.note,
                str(blocker.operation) if blocker.operation else "",
                _person(blocker.owner),
                _person(blocker.raised_by),
                blocker.raised_at,
                round(blocker.age.total_seconds() / 3600, 1),
                blocker.resolved_at,
                _person(blocker.resolved_by),
                blocker.resolution_note,
            ]

    return Export("blockers", BLOCKER_HEADERS, rows())


LABOR_HEADERS = [
    "job_number",
    "sequence",
    "operation",
    "work_center",
    "person",
    "started_at",
    "ended_at",
    "end_reason",
    "minutes",
]


def labor_entries(shop: Shop, filters: labor.LaborFilters) -> Export:
    queryset = labor.labor_entries(shop, filters)[:MAX_EXPORT_ROWS]

    def rows() -> Iterator[list[Any]]:
        now = timezone.now()
        for entry in queryset.iterator(chunk_size=CHUNK):
            seconds = max(entry.duration(now).total_seconds(), 0)
            yield [
                entry.job.display_number,
                entry.operation.sequence,
                entry.operation.name,
                entry.operation.work_center.name,
                _person(entry.user),
                entry.started_at,
                entry.ended_at,
                entry.get_end_reason_display() if entry.end_reason else "open",
                (Decimal(seconds) / 60).quantize(Decimal("0.1")),
            ]

    return Export("labor", LABOR_HEADERS, rows())
