"""Labor over the API: the labor entries, and actual against estimated hours per job.

The same selectors as the live job page (jobs.labor); another shop's job is 404 and another
shop's entries never appear.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from shopdesk.core.api_errors import error_responses
from shopdesk.core.errors import InvalidInput
from shopdesk.jobs import labor
from shopdesk.jobs.models import LaborEntry
from shopdesk.jobs.selectors import get_job_for, parse_job_number
from shopdesk.lib.schemas import DbId, PageQuery, PersonOut, WorkCenterRefOut, paginate, text

router = Router()

JobNumber = text(20)
MAX_RANGE_DAYS = 3660


class LaborOperationRefOut(Schema):
    id: int
    sequence: int
    name: str
    work_center: WorkCenterRefOut


class LaborEntryOut(Schema):
    id: int
    job: str = Field(description="The job number, e.g. J-1042.")
    operation: LaborOperationRefOut
    user: PersonOut
    started_at: datetime.datetime
    ended_at: datetime.datetime | None
    end_reason: str = Field(description='pause, finish, shift_end or sign_out; "" while open.')
    open: bool
    minutes: Decimal = Field(description="Minutes worked; an open entry counts up to now.")

    @staticmethod
    def resolve_job(obj: LaborEntry) -> str:
        return obj.job.display_number

    @staticmethod
    def resolve_open(obj: LaborEntry) -> bool:
        return obj.is_open

    @staticmethod
    def resolve_minutes(obj: LaborEntry) -> Decimal:
        seconds = max(obj.duration().total_seconds(), 0)
        return (Decimal(seconds) / 60).quantize(Decimal("0.01"))


class LaborEntryPage(Schema):
    count: int
    items: list[LaborEntryOut]


class LaborQuery(PageQuery):
    job: JobNumber | None = Field(None, description='Only this job\'s entries, e.g. "J-1042".')
    operation: DbId | None = Field(None, description="Only this operation's entries.")
    user: DbId | None = Field(None, description="Only this person's entries.")
    open: bool | None = Field(None, description="true: open only; false: closed only.")
    started_from: datetime.date | None = Field(
        None, description="Entries started on or after this local day (YYYY-MM-DD)."
    )
    started_to: datetime.date | None = Field(
        None, description="Entries started on or before this local day (YYYY-MM-DD)."
    )


class OperationLaborOut(Schema):
    operation: int
    sequence: int
    name: str
    work_center: str
    status: str
    estimated_minutes: Decimal = Field(description="Setup + run per part × quantity.")
    actual_minutes: Decimal = Field(description="Sum of the labor entries, open ones to now.")
    percent: int | None = Field(description="Actual as a share of the estimate; null without one.")
    entries: int
    on_it: list[str] = Field(description="Who is clocked on it now.")


class JobLaborOut(Schema):
    job: str
    estimated_minutes: Decimal
    actual_minutes: Decimal
    on_it: list[str]
    operations: list[OperationLaborOut]


@router.get(
    "/labor-entries",
    response={200: LaborEntryPage, **error_responses()},
    tags=["labor"],
)
def labor_entry_list(request: HttpRequest, filters: Query[LaborQuery]) -> dict:
    """Labor entries of the shop, newest first, filtered and paginated."""
    job_number = None
    if filters.job is not None:
        job_number = parse_job_number(filters.job)
        if job_number is None:
            raise InvalidInput('A job number looks like "J-1042".', field="job")
    if filters.started_from and filters.started_to:
        if filters.started_from > filters.started_to:
            raise InvalidInput("started_from is after started_to.", field="started_from")
    for name in ("started_from", "started_to"):
        day = getattr(filters, name)
        if day is not None and abs((day - timezone.localdate()).days) > MAX_RANGE_DAYS:
            raise InvalidInput("Give a date within ten years of today.", field=name)
    entries = labor.labor_entries(
        request.shop,
        labor.LaborFilters(
            job_number=job_number,
            operation_id=filters.operation,
            user_id=filters.user,
            open=filters.open,
            started_from=filters.started_from,
            started_to=filters.started_to,
        ),
    )
    return paginate(entries, filters)


@router.get(
    "/jobs/{number}/labor",
    response={200: JobLaborOut, **error_responses(404)},
    tags=["labor"],
)
def job_labor(request: HttpRequest, number: str) -> dict:
    """Actual against estimated minutes per operation of the job, and who is on each now."""
    job = get_job_for(request.shop, number)
    routing = list(job.operations.select_related("work_center").order_by("sequence", "id"))
    summary = labor.job_labor(job, routing)
    return {
        "job": job.display_number,
        "estimated_minutes": summary.estimated_minutes,
        "actual_minutes": summary.actual_minutes,
        "on_it": summary.on_it,
        "operations": [
            {
                "operation": row.operation.pk,
                "sequence": row.operation.sequence,
                "name": row.operation.name,
                "work_center": row.operation.work_center.name,
                "status": row.operation.status,
                "estimated_minutes": row.estimated_minutes,
                "actual_minutes": row.actual_minutes,
                "percent": row.percent,
                "entries": row.entries,
                "on_it": row.on_it,
            }
            for row in summary.operations
        ],
    }
