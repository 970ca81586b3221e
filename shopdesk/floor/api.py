"""Floor scans over the API: start, pause, finish or note an operation from a traveler's QR
code or a job number, idempotent by client id. The same service as the floor page."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from shopdesk.core.api_errors import Gone, error_responses
from shopdesk.core.errors import ActionRefused, InvalidInput
from shopdesk.floor import services as floor_services
from shopdesk.jobs import selectors
from shopdesk.jobs.api import BlockerNote, ClientId, JobNumber, OperationOut, ProgressOut
from shopdesk.jobs.models import FloorAction, FloorActionKind, Job, Operation
from shopdesk.lib.schemas import Count, DbId, InSchema, text
from shopdesk.travelers.models import Traveler

router = Router()

TravelerToken = text(64)
ActionName = Literal[tuple(FloorActionKind.values)]


class FloorActionOut(Schema):
    client_id: str
    action: str
    qty_good: int
    qty_scrap: int
    note: str
    created_at: datetime.datetime


class JobStateOut(Schema):
    number: str
    stage: str
    stage_label: str
    current_operation: int | None
    progress: ProgressOut

    @staticmethod
    def resolve_number(obj: Job) -> str:
        return obj.display_number

    @staticmethod
    def resolve_current_operation(obj: Job) -> int | None:
        return obj.current_operation_id

    @staticmethod
    def resolve_progress(obj: Job) -> dict[str, int]:
        return {"done": obj.operations_done, "total": obj.operations_total}


class ScanOut(Schema):
    replayed: bool = Field(description="True when this client_id was already applied.")
    action: FloorActionOut
    operation: OperationOut
    job: JobStateOut


class ScanIn(InSchema):
    traveler_token: TravelerToken | None = Field(
        None, description="The token from a traveler's QR code. Give this or job."
    )
    job: JobNumber | None = Field(
        None, description='A job number ("J-1042"). Give this or a traveler_token.'
    )
    operation: DbId | None = Field(None, description="Default: the job's current operation.")
    action: ActionName
    qty_good: Count = 0
    qty_scrap: Count = 0
    note: BlockerNote = ""
    client_id: ClientId


# ------------------------------------------------------------------------------------- scans


def _scan_target(request: HttpRequest, payload: ScanIn) -> Operation:
    """The operation a scan reports on, from a traveler token or a job number."""
    shop = request.shop
    if bool(payload.traveler_token) == bool(payload.job):
        raise InvalidInput("Give either traveler_token or job.", field="traveler_token")
    if payload.traveler_token:
        traveler = (
            Traveler.objects.select_related("job")
            .filter(shop=shop, token=payload.traveler_token)
            .first()
        )
        if traveler is None:
            raise Http404("No such traveler.")
        if traveler.is_revoked:
            raise Gone(
                "This traveler was replaced or withdrawn; scan the current one.",
                field="traveler_token",
            )
        job = traveler.job
    else:
        job = selectors.get_job_for(shop, payload.job)

    if payload.operation is not None:
        operation = selectors.get_operation_for(shop, payload.operation)
        if operation.job_id != job.pk:
            raise InvalidInput(f"That operation is not on {job}.", field="operation")
        return operation
    # A retry without an operation id reports on the operation of the first attempt, even if
    # that attempt finished it and the job has moved on.
    first_attempt = (
        FloorAction.objects.filter(shop=shop, client_id=payload.client_id, operation__job=job)
        .values_list("operation_id", flat=True)
        .first()
    )
    operation_id = first_attempt or job.current_operation_id
    if operation_id is None:
        raise ActionRefused(f"{job} has no operation left to report on.", field="operation")
    return selectors.get_operation_for(shop, operation_id)


@router.post(
    "/scans",
    response={201: ScanOut, 200: ScanOut, **error_responses(403, 404, 409, 410)},
    tags=["scans"],
)
def scan_create(request: HttpRequest, payload: ScanIn) -> Status[dict[str, Any]]:
    """Start, pause, finish or note an operation from the floor.

    Idempotent by `client_id`: the first request answers 201; a retry answers 200 with the
    same body and `"replayed": true`; the same client_id with a different payload is a 409.
    """
    fields = {
        "user": request.user,
        "action": payload.action,
        "client_id": payload.client_id,
        "qty_good": payload.qty_good,
        "qty_scrap": payload.qty_scrap,
        "note": payload.note,
    }
    result = None
    # The common floor case, job number and operation id: the service finds the operation
    # on the job inside its transaction, with no read before it; anything that misses takes
    # the path below, which says precisely what is wrong.
    number = None if payload.traveler_token else selectors.parse_job_number(payload.job or "")
    if number is not None and payload.operation is not None:
        try:
            result = floor_services.floor_action(
                operation=Operation(pk=payload.operation), job_number=number, **fields
            )
        except Operation.DoesNotExist:
            result = None
    if result is None:
        result = floor_services.floor_action(operation=_scan_target(request, payload), **fields)
    body = {
        "replayed": result.replayed,
        "action": result.action,
        "operation": result.operation,
        "job": result.operation.job,
    }
    return Status(200 if result.replayed else 201, body)
