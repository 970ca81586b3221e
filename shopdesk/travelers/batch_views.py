"""Batch release and printing pages: start a batch from the job list's selection, watch its
progress (polled by htmx every second while it prints, every few seconds while it is stalled),
try a failed or stalled batch again, download the combined PDF, and the shop's recent
batches. Planners only: the PDF carries tokens that open every job on it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from shopdesk.core.errors import FileMissing, ShopDeskError
from shopdesk.core.models import Shop
from shopdesk.core.pages import file_missing_page
from shopdesk.lib.site_address import unreachable_print_address
from shopdesk.parts.files import open_stored
from shopdesk.travelers import batch as batches
from shopdesk.travelers.models import BatchStatus, TravelerBatch

TRUE_VALUES = frozenset({"1", "on", "true", "yes"})


def _planner_shop(request: HttpRequest) -> Shop:
    membership = getattr(request, "membership", None)
    if request.shop is None or membership is None:
        raise PermissionDenied("This account does not belong to a shop.")
    if not membership.can_plan:
        raise PermissionDenied("Only an owner, office or supervisor account prints travelers.")
    return request.shop


def batch_context(batch: TravelerBatch) -> dict[str, Any]:
    report = batch.report or {}
    released = report.get("released", [])
    stalled_for = batch.stalled_for()
    return {
        "batch": batch,
        "released": released,
        "printed": report.get("printed", []),
        "already_released": [
            number for number in report.get("printed", []) if number not in released
        ],
        "refused": report.get("refused", []),
        "not_found": report.get("not_found", []),
        "working": batch.status in (BatchStatus.QUEUED, BatchStatus.RUNNING),
        # Every sheet is laid out; the pages are being joined and written.
        "joining": batch.status == BatchStatus.RUNNING and 0 < batch.total == batch.done,
        # Whole minutes without a sign of life, when that is too long (TravelerBatch.stalled_for).
        "stalled_minutes": int(stalled_for.total_seconds() // 60) if stalled_for else None,
        # The traveler a stalled print stopped at (the one after the last finished).
        "stuck_at": min(batch.done + 1, batch.total),
        "retryable": batch.retryable,
    }


def _page_context(request: HttpRequest, batch: TravelerBatch) -> dict[str, Any]:
    """The batch page's context: the batch, and a warning when its QR codes carry an
    address phones cannot open."""
    return {
        "nav": "jobs",
        **batch_context(batch),
        "print_address_unreachable": unreachable_print_address(request),
    }


def _list_page(
    request: HttpRequest, shop: Shop, *, error: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "travelers/batch_list.html",
        {"nav": "jobs", "batches": list(batches.recent_batches(shop)), "error": error},
        status=status,
    )


@login_required
@require_POST
def batch_start(request: HttpRequest) -> HttpResponse:
    shop = _planner_shop(request)
    release = request.POST.get("release", "1").lower() in TRUE_VALUES
    try:
        batch = batches.traveler_batch_start(
            user=request.user,
            jobs=request.POST.getlist("jobs"),
            release=release,
            site_url=request.build_absolute_uri("/"),
        )
    except ShopDeskError as error:
        return _list_page(request, shop, error=error.message, status=error.status)
    return HttpResponseRedirect(reverse("travelers:batch", args=[batch.pk]), status=303)


@login_required
@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, _planner_shop(request))


@login_required
@require_GET
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = batches.get_batch_for(_planner_shop(request), batch_id)
    template = "travelers/batch.html"
    if request.htmx and not request.htmx.boosted:
        template += "#batch-progress"
    response = render(request, template, _page_context(request, batch))
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def batch_retry(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = batches.get_batch_for(_planner_shop(request), batch_id)
    try:
        batches.traveler_batch_retry(
            user=request.user, batch=batch, site_url=request.build_absolute_uri("/")
        )
    except ShopDeskError as error:
        batch.refresh_from_db()
        return render(
            request,
            "travelers/batch.html",
            {**_page_context(request, batch), "retry_refused": error.message},
            status=error.status,
        )
    return HttpResponseRedirect(reverse("travelers:batch", args=[batch.pk]), status=303)


@login_required
@require_GET
def batch_pdf(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = batches.get_batch_for(_planner_shop(request), batch_id)
    if batch.status != BatchStatus.DONE or not batch.pdf:
        return render(
            request,
            "travelers/batch.html",
            {**_page_context(request, batch), "not_ready": True},
            status=409,
        )
    try:
        opened = open_stored(batch.pdf, what=f"traveler batch {batch.pk}", remedy=batches.REPRINT)
    except FileMissing as missing:
        return file_missing_page(
            request,
            missing,
            back_url=reverse("travelers:batch", args=[batch.pk]),
            back_label="Back to the batch",
        )
    response = FileResponse(opened, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="travelers-batch-{batch.pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    # Every traveler's QR token is in this file: keep it out of shared caches.
    response["Cache-Control"] = "private, no-store"
    return response
