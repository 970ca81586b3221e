"""The traveler PDF over the API: what an ERP or a print server fetches to print a job."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from shopdesk.api.errors import error_responses
from shopdesk.jobs.selectors import get_job_for
from shopdesk.travelers.models import Traveler

router = Router(tags=["travelers"])

PDF_RESPONSE = {
    "description": "The traveler as a PDF.",
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
}


@router.get(
    "/jobs/{number}/traveler.pdf",
    response=error_responses(403, 404, 409),
    openapi_extra={"responses": {"200": PDF_RESPONSE}},
)
def job_traveler_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The PDF of the job's newest active traveler; prints one first if the job has none."""
    job = get_job_for(request.shop, number)
    # The renderer pulls in WeasyPrint, which is slow to import: load it only for a PDF.
    from shopdesk.travelers.pdf import scan_url, traveler_pdf
    from shopdesk.travelers.services import traveler_print

    traveler = (
        Traveler.objects.filter(job=job, revoked_at__isnull=True)
        .select_related("job", "shop")
        .order_by("-printed_at", "-id")
        .first()
    )
    if traveler is None:
        traveler = traveler_print(user=request.user, job=job)
    pdf = traveler_pdf(traveler, url=scan_url(traveler, request))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{job.display_number}-traveler.pdf"'
    return response
