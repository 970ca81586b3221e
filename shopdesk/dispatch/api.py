"""Work center dispatch lists over the API: read the order, move an operation in it.

The same selector and services as the dispatch page; another shop's work center is 404.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from shopdesk.core.api_errors import error_responses
from shopdesk.core.errors import InvalidInput
from shopdesk.dispatch import selectors as dispatch
from shopdesk.dispatch import services as dispatch_services
from shopdesk.dispatch.services import DIRECTIONS
from shopdesk.jobs.models import Operation, WorkCenter
from shopdesk.jobs.selectors import get_work_center_for
from shopdesk.lib.schemas import CustomerRefOut, DbId, InSchema, PartRefOut, WorkCenterRefOut

router = Router()

DirectionName = Literal[DIRECTIONS]


class NextOperationOut(Schema):
    id: int
    sequence: int
    name: str
    work_center: WorkCenterRefOut | None = Field(description="Null for outside work.")
    outside_vendor: str = Field("", description="The supplier, for outside work.")


class DispatchRowOut(Schema):
    position: int = Field(description="1-based place in the list; 0 for upcoming work.")
    operation: int = Field(description="Id of the operation.")
    sequence: int
    name: str
    job: str = Field(description="The job number, e.g. J-1042.")
    customer: CustomerRefOut
    part: PartRefOut
    revision: str
    quantity: int | None
    priority: int = Field(description="1 low, 2 normal, 3 high, 4 hot.")
    due_date: datetime.date | None
    status: Literal["ready", "running", "paused", "pending"]
    setup_minutes: Decimal
    run_minutes_total: Decimal = Field(description="Run minutes for the whole quantity.")
    remaining_minutes: Decimal
    critical_ratio: Decimal | None = Field(
        description="Working hours to due ÷ hours of work left on the job; below 1 is late "
        "unless it moves. Null without a due date."
    )
    dispatch_rank: int | None = Field(description="The supervisor's manual place, if set.")
    next_operation: NextOperationOut | None
    waiting_for: str = Field(description="What upcoming work waits for; empty when ready.")


class DispatchOut(Schema):
    work_center: WorkCenterRefOut
    hours_per_day: Decimal
    queue_hours: Decimal = Field(
        description="Work left in every ready operation, not only those listed."
    )
    queue_days: Decimal
    ready_count: int = Field(
        description="Ready operations in all; `ready` lists the first `limit`."
    )
    upcoming_count: int = Field(
        description="Upcoming operations in all; `upcoming` lists the first `limit`."
    )
    ready: list[DispatchRowOut]
    upcoming: list[DispatchRowOut]


# Rows a dispatch answer lists of each list unless the caller asks for more (at most MAX).
ROWS_DEFAULT = 50
ROWS_MAX = 500


class DispatchQuery(Schema):
    limit: int = Field(
        ROWS_DEFAULT,
        ge=1,
        le=ROWS_MAX,
        description=f"How many ready and upcoming rows to list (1 to {ROWS_MAX}).",
    )


class ReorderIn(InSchema):
    operation: DbId
    direction: DirectionName


def _row(row: dispatch.DispatchRow) -> dict:
    op, job = row.operation, row.job
    following = row.next_operation
    return {
        "position": row.position,
        "operation": op.pk,
        "sequence": op.sequence,
        "name": op.name,
        "job": job.display_number,
        "customer": job.customer,
        "part": job.part,
        "revision": job.revision,
        "quantity": job.quantity,
        "priority": job.priority,
        "due_date": job.due_date,
        "status": row.status if row.position else op.status,
        "setup_minutes": op.setup_minutes,
        "run_minutes_total": op.run_minutes * (job.quantity or 0),
        "remaining_minutes": row.remaining_minutes,
        "critical_ratio": row.critical_ratio,
        "dispatch_rank": op.dispatch_rank,
        "next_operation": (
            {
                "id": following.pk,
                "sequence": following.sequence,
                "name": following.name,
                "work_center": following.work_center,
                "outside_vendor": following.outside_vendor,
            }
            if following
            else None
        ),
        "waiting_for": row.waiting_for,
    }


def _dispatch(request: HttpRequest, work_center: WorkCenter, limit: int = ROWS_DEFAULT) -> dict:
    listing = dispatch.dispatch_list(request.shop, work_center, limit=limit)
    return {
        "work_center": work_center,
        "hours_per_day": work_center.hours_per_day,
        "queue_hours": listing.queue_hours,
        "queue_days": listing.queue_days,
        "ready_count": listing.ready_count,
        "upcoming_count": listing.upcoming_count,
        "ready": [_row(row) for row in listing.ready],
        "upcoming": [_row(row) for row in listing.upcoming],
    }


@router.get(
    "/work-centers/{work_center_id}/dispatch",
    response={200: DispatchOut, **error_responses(404)},
    tags=["dispatch"],
)
def dispatch_get(request: HttpRequest, work_center_id: DbId, query: Query[DispatchQuery]) -> dict:
    """The ready operations in the order to run them, and the upcoming ones: the first `limit`
    of each, with the counts and queue hours of the whole queue."""
    return _dispatch(request, get_work_center_for(request.shop, work_center_id), query.limit)


@router.post(
    "/work-centers/{work_center_id}/dispatch/reorder",
    response={200: DispatchOut, **error_responses(403, 404, 409)},
    tags=["dispatch"],
)
def dispatch_reorder(request: HttpRequest, work_center_id: DbId, payload: ReorderIn) -> dict:
    """Move a ready operation up, down or to the top (owner, office or supervisor)."""
    work_center = get_work_center_for(request.shop, work_center_id)
    operation = (
        Operation.objects.filter(pk=payload.operation, job__shop=request.shop)
        .select_related("job")
        .first()
    )
    if operation is None:
        raise InvalidInput("No such operation in this shop.", field="operation")
    dispatch_services.dispatch_move(
        user=request.user,
        work_center=work_center,
        operation=operation,
        direction=payload.direction,
    )
    return _dispatch(request, work_center)
