"""The import page: pick the kind, upload the file, read the dry run's report (every problem
by sheet, line and column), then confirm. Templates of each kind to download. For the people
who plan (owner, office, supervisor); the rules are in imports.services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST, require_safe

from shopdesk.core.errors import ShopDeskError
from shopdesk.core.event_kinds import EventKind
from shopdesk.core.models import Event
from shopdesk.imports import templates
from shopdesk.imports.kinds import KINDS
from shopdesk.imports.readers import MAX_FILE_BYTES, MAX_ROWS, FileTooLarge
from shopdesk.imports.services.pending import (
    get_pending_for,
    pending_import_apply,
    pending_import_check,
)


def _planner(request: HttpRequest) -> Any:
    membership = getattr(request.user, "membership", None)
    if membership is None or not membership.can_plan:
        raise PermissionDenied("Only an owner, office or supervisor account can import data.")
    return membership


def _page(
    request: HttpRequest, context: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    membership = _planner(request)
    recent = (
        Event.objects.filter(shop=membership.shop, kind=EventKind.IMPORT_APPLIED)
        .select_related("actor")
        .order_by("-created_at", "-id")[:10]
    )
    chosen = (context or {}).get("kind") or request.GET.get("kind", "")
    return render(
        request,
        "imports/import.html",
        {
            "nav": "import",
            "kinds": list(KINDS.values()),
            "kind": chosen if chosen in KINDS else "customers",
            "max_mb": MAX_FILE_BYTES // (1024 * 1024),
            "max_rows": MAX_ROWS,
            "recent": recent,
            **(context or {}),
        },
        status=status,
    )


@login_required
@require_safe
def import_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


def _upload(request: HttpRequest, name: str) -> tuple[str, bytes] | None:
    upload = request.FILES.get(name)
    if upload is None:
        return None
    if upload.size > MAX_FILE_BYTES:
        raise FileTooLarge(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it.",
            field=name,
        )
    return (upload.name or "upload")[:200], upload.read(MAX_FILE_BYTES + 1)


@login_required
@require_POST
def import_check(request: HttpRequest) -> HttpResponse:
    _planner(request)
    kind = request.POST.get("kind", "")
    if kind not in KINDS:
        return _page(request, {"error": "Choose what the file holds."}, status=422)
    try:
        file = _upload(request, "file")
        if file is None:
            return _page(request, {"kind": kind, "error": "Choose a file to upload."}, status=422)
        routing = _upload(request, "routing") if kind == "jobs" else None
        report, pending = pending_import_check(
            user=request.user, kind=kind, file=file, routing=routing
        )
    except ShopDeskError as exc:
        return _page(request, {"kind": kind, "error": exc.message}, status=exc.status)
    return _page(
        request,
        {"kind": kind, "report": report, "pending": pending, "file_name": file[0]},
        status=200,
    )


@login_required
@require_POST
def import_apply(request: HttpRequest, pending_id: int) -> HttpResponse:
    _planner(request)
    pending = get_pending_for(request.user, pending_id)
    try:
        report = pending_import_apply(user=request.user, pending=pending)
    except ShopDeskError as exc:
        return _page(request, {"kind": pending.kind, "error": exc.message}, status=exc.status)
    if not report.applied:
        # The shop changed since the check (someone took a job number, say): say what now.
        return _page(
            request,
            {"kind": pending.kind, "report": report, "file_name": pending.file_name},
            status=422,
        )
    messages.success(request, f"{pending.file_name}: {report.summary}")
    return HttpResponseRedirect(reverse("imports:page") + f"?kind={pending.kind}")


@login_required
@require_GET
def import_template(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    _planner(request)
    if kind not in KINDS or fmt not in ("csv", "xlsx"):
        raise Http404("No such template.")
    return templates.response(KINDS[kind], fmt, request.GET.get("sheet", ""))
