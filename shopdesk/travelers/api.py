"""Travelers over the API: the PDF an ERP or a print server fetches to print a job, and
batches that release many jobs and print their travelers as one PDF made in the background."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Any, Literal

from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from shopdesk.core.api_errors import error_responses
from shopdesk.core.errors import ActionRefused, NotFound
from shopdesk.core.permissions import require_planner
from shopdesk.jobs.selectors import get_job_for
from shopdesk.lib.schemas import InSchema, text
from shopdesk.parts.files import open_stored
from shopdesk.travelers import batch as batches
from shopdesk.travelers.models import BatchStatus, Traveler, TravelerBatch

router = Router(tags=["travelers"])

PDF_RESPONSE = {
    "description": "The traveler as a PDF.",
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
}


def _pdf_response(request: HttpRequest, traveler: Traveler, status: int = 200) -> HttpResponse:
    # The renderer pulls in WeasyPrint, which is slow to import: load it only for a PDF.
    from shopdesk.travelers.pdf import scan_url, traveler_pdf

    pdf = traveler_pdf(traveler, url=scan_url(traveler, request))
    response = HttpResponse(pdf, content_type="application/pdf", status=status)
    name = traveler.job.display_number
    response["Content-Disposition"] = f'inline; filename="{name}-traveler.pdf"'
    # The PDF carries a token that opens the job: keep it out of shared caches.
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/jobs/{number}/traveler.pdf",
    response=error_responses(403, 404),
    openapi_extra={"responses": {"200": PDF_RESPONSE}},
)
def job_traveler_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The PDF of the job's newest active traveler; 404 when none is printed (a GET never
    prints: POST to this address prints one)."""
    job = get_job_for(request.shop, number)
    traveler = (
        Traveler.objects.filter(job=job, revoked_at__isnull=True)
        .select_related("job", "shop")
        .order_by("-printed_at", "-id")
        .first()
    )
    if traveler is None:
        raise NotFound(
            f"{job.display_number} has no active traveler yet: print one with "
            f"POST /api/v1/jobs/{job.display_number}/traveler.pdf."
        )
    return _pdf_response(request, traveler)


class TravelerPrintIn(InSchema):
    client_id: uuid.UUID | None = Field(
        None,
        description="A UUID the caller makes for this print so a retry prints once: the same "
        "client_id again answers 200 with the traveler it printed; for another job it is a 409.",
    )


@router.post(
    "/jobs/{number}/traveler.pdf",
    response=error_responses(403, 404, 409),
    openapi_extra={
        "responses": {
            "201": {**PDF_RESPONSE, "description": "The new traveler."},
            "200": {**PDF_RESPONSE, "description": "The traveler this client_id printed before."},
        }
    },
)
def job_traveler_print(
    request: HttpRequest, number: str, payload: TravelerPrintIn | None = None
) -> HttpResponse:
    """Print a new traveler for the job (its own record and QR token) and answer its PDF.
    Planners only; 409 for a closed job or one without a routing. The body is optional; with a
    `client_id` a retry answers the traveler first printed instead of printing another."""
    from shopdesk.travelers.services import traveler_print

    job = get_job_for(request.shop, number)
    traveler = traveler_print(
        user=request.user, job=job, client_id=payload.client_id if payload else None
    )
    return _pdf_response(request, traveler, status=200 if traveler.replayed else 201)


# ------------------------------------------------------------------------------ batches


class TravelerBatchIn(InSchema):
    job_numbers: Annotated[list[text(20)], Field(max_length=batches.MAX_ENTRIES)] = Field(
        description=(
            'Job numbers ("J-1042" or "1042"); duplicates count once; at most '
            f"{batches.MAX_JOBS_PER_BATCH} different jobs."
        ),
    )
    release: bool = Field(
        True,
        description="Release each planned job that passes the gate first; false prints only.",
    )


class RefusedJobOut(Schema):
    job: str
    reasons: list[str]


class BatchReportOut(Schema):
    released: list[str] = Field(description="Jobs this batch released.")
    printed: list[str] = Field(description="Jobs with a traveler in the PDF, in order.")
    refused: list[RefusedJobOut] = Field(description="Jobs not printed, with the reasons.")
    not_found: list[str] = Field(description="Entries that are no job of this shop.")


class TravelerBatchOut(Schema):
    id: int
    status: Literal[tuple(BatchStatus.values)] = Field(  # type: ignore[valid-type]
        description="queued, running, done (the PDF is ready, or nothing was printable) or failed."
    )
    done: int = Field(description="Travelers laid out so far.")
    total: int = Field(description="Travelers in the batch.")
    percent: int
    error: str
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    report: BatchReportOut
    pdf_url: str | None = Field(description="Where to fetch the PDF once status is done.")
    stalled: bool = Field(
        description=(
            "Queued and not picked up by a worker for a few minutes, or running with no "
            "traveler finished for a few minutes. A stalled or failed batch can be retried."
        )
    )
    attempt: int = Field(description="Which try this is: 1, then one more for every retry.")

    @staticmethod
    def resolve_report(batch: TravelerBatch) -> dict[str, Any]:
        return {**batches.empty_report(), **(batch.report or {})}

    @staticmethod
    def resolve_pdf_url(batch: TravelerBatch) -> str | None:
        if batch.status != BatchStatus.DONE or not batch.pdf:
            return None
        return reverse("api:traveler_batch_pdf", args=[batch.pk])


def _planner_batch(request: HttpRequest, batch_id: str) -> TravelerBatch:
    require_planner(request.user)
    return batches.get_batch_for(request.shop, batch_id)


@router.post(
    "/traveler-batches",
    response={201: TravelerBatchOut, **error_responses(403)},
)
def traveler_batch_create(request: HttpRequest, payload: TravelerBatchIn) -> Status[TravelerBatch]:
    """Release every planned job that passes the gate, print a traveler for each job then on
    the floor, and start making one PDF of them all in the background. Jobs refused by the
    gate, shipped or closed jobs and unknown numbers are listed in `report`, not an error.
    Poll `GET /traveler-batches/{id}` until `status` is done, then fetch `pdf_url`."""
    batch = batches.traveler_batch_start(
        user=request.user,
        jobs=payload.job_numbers,
        release=payload.release,
        site_url=request.build_absolute_uri("/"),
    )
    return Status(201, batches.get_batch_for(request.shop, batch.pk))


@router.get(
    "/traveler-batches/{batch_id}",
    response={200: TravelerBatchOut, **error_responses(403, 404)},
)
def traveler_batch_get(request: HttpRequest, batch_id: str) -> TravelerBatch:
    """A batch's progress (`done` of `total`) and its release report."""
    return _planner_batch(request, batch_id)


@router.post(
    "/traveler-batches/{batch_id}/retry",
    response={202: TravelerBatchOut, **error_responses(403, 404, 409)},
)
def traveler_batch_retry(request: HttpRequest, batch_id: str) -> Status[TravelerBatch]:
    """Make a failed or stalled batch's PDF again, from the travelers it already printed:
    nothing is released or printed twice. The batch is queued again with the next `attempt`;
    poll it as after creating it. 409 while it is still printing or when it is done."""
    batch = batches.traveler_batch_retry(
        user=request.user,
        batch=_planner_batch(request, batch_id),
        site_url=request.build_absolute_uri("/"),
    )
    return Status(202, batch)


@router.get(
    "/traveler-batches/{batch_id}/pdf",
    response=error_responses(403, 404, 409, 410),
    openapi_extra={"responses": {"200": PDF_RESPONSE}},
    url_name="traveler_batch_pdf",
)
def traveler_batch_pdf(request: HttpRequest, batch_id: str) -> HttpResponse:
    """The batch's combined PDF; 409 while it is still being made or when it failed, 410 when
    its stored file is missing on the server."""
    batch = _planner_batch(request, batch_id)
    if batch.status != BatchStatus.DONE or not batch.pdf:
        if batch.status == BatchStatus.FAILED:
            raise ActionRefused(f"This batch failed, so it has no PDF: {batch.error}")
        if batch.status == BatchStatus.DONE:
            raise ActionRefused("This batch printed no travelers; see its report.")
        raise ActionRefused(
            f"The PDF is not ready yet: {batch.done} of {batch.total} travelers done."
        )
    opened = open_stored(batch.pdf, what=f"traveler batch {batch.pk}", remedy=batches.REPRINT)
    response = FileResponse(opened, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="travelers-batch-{batch.pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
