"""Printing, viewing and revoking travelers. Scanning one's QR code is the floor's (floor.views)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from shopdesk.core.errors import ShopDeskError
from shopdesk.jobs.models import Job
from shopdesk.jobs.selectors import get_job_for
from shopdesk.travelers import pdf, selectors, services
from shopdesk.travelers.models import Traveler


def _refused(request: HttpRequest, error: ShopDeskError, job: Job) -> HttpResponse:
    return render(
        request,
        "travelers/refused.html",
        {"message": error.message, "job": job},
        status=error.status,
    )


def _pdf_redirect(job: Job, traveler: Traveler) -> HttpResponse:
    return HttpResponseRedirect(
        reverse("jobs:traveler_pdf", args=[job.display_number, traveler.pk]), status=303
    )


@login_required
@require_POST
def traveler_print(request: HttpRequest, number: str) -> HttpResponse:
    job = get_job_for(request.shop, number)
    try:
        # The form's one-time client id: a double-submitted print button opens the traveler
        # the first submit printed (the service keeps it with the row, as for the API).
        traveler = services.traveler_print(
            user=request.user, job=job, client_id=str(request.POST.get("client_id", ""))[:64]
        )
    except ShopDeskError as error:
        return _refused(request, error, job)
    return _pdf_redirect(job, traveler)


@login_required
@require_GET
def traveler_pdf(request: HttpRequest, number: str, traveler_id: int) -> HttpResponse:
    job = get_job_for(request.shop, number)
    traveler = selectors.get_traveler_for(job, traveler_id)
    body = pdf.traveler_pdf(traveler, url=pdf.scan_url(traveler, request))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{job.display_number}-traveler.pdf"'
    # The PDF carries a token that opens the job: keep it out of shared caches.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def traveler_revoke(request: HttpRequest, number: str, traveler_id: int) -> HttpResponse:
    job = get_job_for(request.shop, number)
    traveler = selectors.get_traveler_for(job, traveler_id)
    try:
        traveler = services.traveler_revoke(user=request.user, traveler=traveler)
    except ShopDeskError as error:
        return _refused(request, error, job)
    printed = timezone.localtime(traveler.printed_at)
    messages.success(
        request,
        f"The traveler printed {printed:%Y-%m-%d %H:%M} is revoked: its QR code no longer "
        "opens the job.",
    )
    return HttpResponseRedirect(reverse("jobs:detail", args=[job.display_number]), status=303)
