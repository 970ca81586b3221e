"""Each work center's dispatch list with the supervisor's reordering, the live board and the
supervisor dashboard.

The pages poll a partial of themselves through htmx; a move is a plain form POST that
redirects back (works without JavaScript) or, from htmx, answers the re-rendered list.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from shopdesk.core.errors import InvalidInput, ShopDeskError
from shopdesk.core.models import Shop
from shopdesk.dispatch import selectors as dispatch
from shopdesk.dispatch import services as dispatch_services
from shopdesk.jobs.models import WorkCenter
from shopdesk.jobs.selectors import get_operation_for, get_work_center_for

POSITION = re.compile(r"^\d{1,5}$")
ROWS = re.compile(r"^\d{1,3}$")
# The rows a dispatch page shows of each list at first (the counts and queue hours cover them
# all): a day or two of work at most centers. "Show more" asks for DISPATCH_ROWS_STEP more at
# a time, up to DISPATCH_ROWS_MAX; nobody reads 2,000 rows, and rendering them takes seconds.
DISPATCH_ROWS_SHOWN = 30
DISPATCH_ROWS_STEP = 50
DISPATCH_ROWS_MAX = 500
# The dashboard is read at a desk: longer late and at-risk lists than the wall board's.
DASHBOARD_LIST_LIMIT = 25
# On a phone each list shows its first rows, with "Show all" to open the rest in place (the
# stylesheet hides the rows past this many, `.db-short` in shopdesk.css).
DASHBOARD_PHONE_ROWS = 5


def _shop(request: HttpRequest) -> Shop:
    if request.shop is None:
        raise PermissionDenied("This account does not belong to a shop.")
    return request.shop


def _can_plan(request: HttpRequest) -> bool:
    return bool(request.membership and request.membership.can_plan)


def _rows_asked(request: HttpRequest) -> tuple[int, InvalidInput | None]:
    """How many rows of each list the page shows: ?rows=N (kept by the refresh and the move
    buttons), from DISPATCH_ROWS_SHOWN up to DISPATCH_ROWS_MAX. A value out of range gives
    the first rows and the error that says why."""
    raw = request.GET.get("rows", "")
    if raw == "":
        return DISPATCH_ROWS_SHOWN, None
    rows = int(raw) if ROWS.match(raw) else 0
    if not DISPATCH_ROWS_SHOWN <= rows <= DISPATCH_ROWS_MAX:
        return DISPATCH_ROWS_SHOWN, InvalidInput(
            f"Rows must be a whole number from {DISPATCH_ROWS_SHOWN} to {DISPATCH_ROWS_MAX}.",
            field="rows",
        )
    return rows, None


def _with_rows(url: str, rows: int) -> str:
    return url if rows == DISPATCH_ROWS_SHOWN else f"{url}?rows={rows}"


def _render_dispatch(
    request: HttpRequest,
    work_center: WorkCenter,
    *,
    status: int = 200,
    error: ShopDeskError | None = None,
) -> HttpResponse:
    shop = _shop(request)
    rows, bad_rows = _rows_asked(request)
    if bad_rows is not None and request.method == "GET":
        # After a move, the move is what the answer reports.
        status, error = bad_rows.status, bad_rows
    listing = dispatch.dispatch_list(shop, work_center, limit=rows)
    # Each ready row's move address, reversed once for the page rather than thrice per row.
    sentinel = 999_999_999
    move_url = _with_rows(reverse("jobs:dispatch_move", args=[work_center.pk, sentinel]), rows)
    for row in listing.ready:
        row.move_url = move_url.replace(str(sentinel), str(row.operation.pk))
    more = min(rows + DISPATCH_ROWS_STEP, DISPATCH_ROWS_MAX)
    page_url = reverse("jobs:dispatch", args=[work_center.pk])
    context: dict[str, Any] = {
        "nav": "dispatch",
        "work_center": work_center,
        "listing": listing,
        "can_plan": _can_plan(request),
        "error": error,
        "list_url": _with_rows(page_url, rows),
        "reset_url": _with_rows(reverse("jobs:dispatch_reset", args=[work_center.pk]), rows),
        "more_url": _with_rows(page_url, more) if listing.is_cut and more > rows else "",
        "more_rows": more,
        "work_centers": list(
            WorkCenter.objects.filter(shop=shop, active=True).only("id", "name").order_by("name")
        ),
    }
    template = "dispatch/dispatch.html"
    if request.htmx and not request.htmx.boosted:
        template += "#dispatch-list"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def dispatch_page(request: HttpRequest, pk: int) -> HttpResponse:
    work_center = get_work_center_for(_shop(request), pk)
    return _render_dispatch(request, work_center)


def _after_change(
    request: HttpRequest, work_center: WorkCenter, error: ShopDeskError | None
) -> HttpResponse:
    if error is not None:
        return _render_dispatch(request, work_center, status=error.status, error=error)
    if request.htmx:
        return _render_dispatch(request, work_center)
    rows, _bad_rows = _rows_asked(request)
    return HttpResponseRedirect(_with_rows(reverse("jobs:dispatch", args=[work_center.pk]), rows))


@login_required
@require_POST
def dispatch_move(request: HttpRequest, pk: int, op_id: int) -> HttpResponse:
    shop = _shop(request)
    work_center = get_work_center_for(shop, pk)
    operation = get_operation_for(shop, op_id)
    raw_position = request.POST.get("position", "").strip()
    error: ShopDeskError | None = None
    try:
        dispatch_services.dispatch_move(
            user=request.user,
            work_center=work_center,
            operation=operation,
            direction=request.POST.get("direction", "").strip()[:10],
            position=int(raw_position) if POSITION.match(raw_position) else None,
        )
    except ShopDeskError as exc:
        error = exc
    return _after_change(request, work_center, error)


@login_required
@require_POST
def dispatch_reset(request: HttpRequest, pk: int) -> HttpResponse:
    work_center = get_work_center_for(_shop(request), pk)
    error: ShopDeskError | None = None
    try:
        cleared = dispatch_services.dispatch_reset(user=request.user, work_center=work_center)
    except ShopDeskError as exc:
        error = exc
    else:
        if not request.htmx:
            messages.success(
                request,
                f"The order at {work_center} follows priority, critical ratio and due date again."
                if cleared
                else f"Nothing was reordered by hand at {work_center}.",
            )
    return _after_change(request, work_center, error)


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    context = {"board": dispatch.board(_shop(request)), "nav": "board"}
    template = "dispatch/board.html"
    if request.htmx and not request.htmx.boosted:
        template += "#board-live"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The board's figures for planners and supervisors, with a link into every job."""
    shop = _shop(request)
    if not _can_plan(request):
        raise PermissionDenied("The dashboard is for planners and supervisors.")
    context = {
        "board": dispatch.board(shop, list_limit=DASHBOARD_LIST_LIMIT),
        "nav": "dashboard",
        "phone_rows": DASHBOARD_PHONE_ROWS,
    }
    template = "dispatch/dashboard.html"
    if request.htmx and not request.htmx.boosted:
        template += "#dashboard-live"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
