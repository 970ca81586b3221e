"""CSV and Excel downloads of the list pages, with the list's own filters: each list page links
here with its current query string, so the file holds the rows the page lists."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from shopdesk.core.errors import InvalidInput
from shopdesk.core.models import Shop
from shopdesk.imports import exports
from shopdesk.jobs import labor, selectors
from shopdesk.jobs.list_filters import customer_choices, job_list_filters

FORMATS = ("csv", "xlsx")
TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})


def _shop(request: HttpRequest, fmt: str) -> Shop:
    if fmt not in FORMATS:
        raise Http404("Exports are .csv or .xlsx.")
    if getattr(request, "shop", None) is None:
        raise PermissionDenied("This account does not belong to a shop.")
    return request.shop


def _refused(exc: InvalidInput) -> HttpResponse:
    return HttpResponse(
        f"{exc.field}: {exc.message}", status=exc.status, content_type="text/plain; charset=utf-8"
    )


def _job_number(request: HttpRequest) -> int | None:
    raw = request.GET.get("job", "").strip()
    if not raw:
        return None
    number = selectors.parse_job_number(raw)
    if number is None:
        raise InvalidInput("A job number looks like J-1042.", field="job")
    return number


def _yes_no(request: HttpRequest, name: str) -> bool | None:
    raw = request.GET.get(name, "").strip().lower()
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    if raw:
        raise InvalidInput("Use true or false.", field=name)
    return None


def _day(request: HttpRequest, name: str) -> datetime.date | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput("A day is written 2026-03-15.", field=name) from exc


def _whole(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise InvalidInput("Expected an id.", field=name)
    return int(raw)


@login_required
@require_GET
def export_jobs(request: HttpRequest, fmt: str) -> HttpResponse:
    """The job list's rows, filtered as the job list filters them (the same query string)."""
    shop = _shop(request, fmt)
    customers = customer_choices(shop)
    work_centers = list(selectors.work_centers_for(shop, active_only=False))
    filters = job_list_filters(request, customers, work_centers)
    return exports.jobs(shop, filters).response(fmt)


@login_required
@require_GET
def export_operations(request: HttpRequest, fmt: str) -> HttpResponse:
    """A work center's dispatch list: ?work_center=<id>."""
    shop = _shop(request, fmt)
    try:
        work_center_id = _whole(request, "work_center")
    except InvalidInput as exc:
        return _refused(exc)
    if work_center_id is None:
        return _refused(InvalidInput("Name the work center.", field="work_center"))
    work_center = selectors.get_work_center_for(shop, work_center_id)
    return exports.operations(shop, work_center).response(fmt)


@login_required
@require_GET
def export_blockers(request: HttpRequest, fmt: str) -> HttpResponse:
    """Blockers, newest first: ?job=J-1042 and ?open=true|false, as the API's list."""
    shop = _shop(request, fmt)
    try:
        number, open_only = _job_number(request), _yes_no(request, "open")
    except InvalidInput as exc:
        return _refused(exc)
    return exports.blockers(shop, job_number=number, open=open_only).response(fmt)


@login_required
@require_GET
def export_labor(request: HttpRequest, fmt: str) -> HttpResponse:
    """Labor entries, newest first: ?job, ?operation, ?user, ?open, ?started_from, ?started_to
    (local days), as the API's list."""
    shop = _shop(request, fmt)
    try:
        filters = labor.LaborFilters(
            job_number=_job_number(request),
            operation_id=_whole(request, "operation"),
            user_id=_whole(request, "user"),
            open=_yes_no(request, "open"),
            started_from=_day(request, "started_from"),
            started_to=_day(request, "started_to"),
        )
    except InvalidInput as exc:
        return _refused(exc)
    return exports.labor_entries(shop, filters).response(fmt)
