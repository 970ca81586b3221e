"""The job list and the live job page, and the office actions taken from the live page:
release (past the gate, for a supervisor, with a reason), unrelease, ship, close, material
status, move to another revision, decide notices of change, raise and resolve blockers.

Each action is a plain form POST that redirects back to the live page (so it works without
JavaScript); an htmx request gets the live regions re-rendered instead. A refused action
renders the live page with the service's message and its status (422, 409 or 403).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from shopdesk.core.errors import InvalidInput, ShopDeskError
from shopdesk.core.event_kinds import EventKind
from shopdesk.core.live_sections import live_sections
from shopdesk.core.models import Membership, Shop
from shopdesk.jobs import live, selectors, services
from shopdesk.jobs.derive import available_at, good_quantity
from shopdesk.jobs.labor import job_labor
from shopdesk.jobs.list_filters import ALL_STAGES, ID_PATTERN
from shopdesk.jobs.list_filters import customer_choices as _customer_choices
from shopdesk.jobs.list_filters import job_list_filters as _list_filters
from shopdesk.jobs.list_filters import without_nul as _without_nul
from shopdesk.jobs.models import (
    BlockerKind,
    Job,
    JobStage,
    JobState,
    MaterialStatus,
    NoticeStatus,
    Operation,
    Priority,
)
from shopdesk.jobs.selectors import (
    JobFilters,
    get_blocker_for,
    get_job_for,
    get_notice_for,
    get_operation_for,
    get_part_revision_for,
)
from shopdesk.lib.site_address import unreachable_print_address

PAGE_SIZE = 50
TIMELINE_SHOWN_OPEN = 15
DEFAULT_FILTERS = JobFilters(stage="open")


def _shop(request: HttpRequest) -> Shop:
    # A signed-in account without a shop sees no shop's jobs.
    if request.shop is None:
        raise PermissionDenied("This account does not belong to a shop.")
    return request.shop


def _person(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


# ---------------------------------------------------------------------------------------------
# The job list


def _options(choices: list[tuple[int, str]], chosen: int | None) -> list[tuple[str, str, bool]]:
    return [(str(pk), name, pk == chosen) for pk, name in choices]


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    shop = _shop(request)
    customers = _customer_choices(shop)
    work_centers = list(selectors.work_centers_for(shop, active_only=False).order_by("name"))
    filters = _list_filters(request, customers, work_centers)
    today = timezone.localdate()
    jobs = selectors.job_list(shop, filters, today=today)
    # get_page() turns a missing, malformed or out-of-range page number into a real page.
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    for job in page.object_list:
        job.days_late = live.days_late(job, today)
        job.progress_pct = (
            round(100 * job.operations_done / job.operations_total) if job.operations_total else 0
        )
    context = {
        "nav": "jobs",
        "page": page,
        "jobs": page.object_list,
        "filters": filters,
        "filtered": filters != DEFAULT_FILTERS,
        "stage_value": filters.stage or ALL_STAGES,
        "customer_options": _options(customers, filters.customer_id),
        "work_centers": work_centers,
        "stages": [("open", "Open jobs"), (ALL_STAGES, "All stages"), *JobStage.choices],
        "today": today,
    }
    template = "jobs/list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#job-table"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# ---------------------------------------------------------------------------------------------
# The live job page


def _event_at(job: Job, kind: str) -> Any:
    """When the newest event of this kind happened, from the timeline already loaded."""
    return next((event.created_at for event in job.timeline if event.kind == kind), None)


def _live_context(request: HttpRequest, job: Job) -> dict[str, Any]:
    """Everything the polled regions of the live page show, from the job_detail selector."""
    now = timezone.now()
    today = timezone.localdate(now)
    routing: list[Operation] = job.routing
    # Good parts out of the routing, and how many of them have shipped (the live head).
    job.good_quantity = good_quantity(routing)
    job.left_to_ship = max(job.good_quantity - job.quantity_shipped, 0)
    for op in routing:
        # A planned job's first operation is not "current": nothing is on the floor yet.
        op.is_current = job.state == JobState.RELEASED and op.pk == job.current_operation_id
        op.estimate_label = live.minutes_label(op.estimated_minutes)
        op.outside_form = f"outside-{op.pk}"  # names the form an error reopens
        if op.is_outside:
            # What went out: what the operation before passed as good (the form's default).
            op.sent_quantity = available_at(job, op, routing)
    for blocker in job.open_blockers + job.resolved_blockers:
        blocker.age_label = live.short_age(blocker.age)
    days_to_due = (job.due_date - today).days if job.due_date else None
    remaining = live.remaining_minutes(job, routing) if job.is_open else 0
    open_notice = next((n for n in job.notices if n.status == NoticeStatus.OPEN), None)
    return {
        "job": job,
        "rev": live.revision_state(job, job.released_revision),
        "open_notice": open_notice,
        "last_notice": job.notices[0] if job.notices else None,
        "routing": routing,
        # The current operation when it is outside work: the status line names the supplier.
        "outside_now": next(
            (
                op
                for op in routing
                if op.is_current and op.is_outside and job.stage == JobStage.IN_PRODUCTION
            ),
            None,
        ),
        "now": now,
        "today": today,
        "days_late": live.days_late(job, today),
        "days_to_due": days_to_due,
        "at_risk": live.at_risk(job, routing, today),
        "work_left": live.minutes_label(remaining) if remaining else "",
        "progress_pct": (
            round(100 * job.operations_done / job.operations_total) if job.operations_total else 0
        ),
        "customer_update": live.next_customer_update(
            job,
            routing=routing,
            open_blockers=job.open_blockers,
            shipped_at=_event_at(job, EventKind.JOB_SHIPPED) or job.updated_at,
            closed_at=_event_at(job, EventKind.JOB_CLOSED) or job.updated_at,
            today=today,
            now=now,
        ),
        # Sections other apps register (released files, notes from the floor, ...).
        "sections": live_sections.render(request.shop, job),
        "timeline_open": job.timeline[:TIMELINE_SHOWN_OPEN],
        "timeline_more": job.timeline[TIMELINE_SHOWN_OPEN:],
        "priority_hot": job.priority >= Priority.HIGH,
        "can_plan": bool(request.membership and request.membership.can_plan),
        # Labor: actual against estimated per operation, who is on each (1 query).
        "labor": job_labor(job, routing, now=now),
    }


def _forms_context(request: HttpRequest, job: Job) -> dict[str, Any]:
    """What the forms outside the polled regions need."""
    people = [
        membership.user
        for membership in Membership.objects.filter(shop=request.shop)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    ]
    return {
        "people": people,
        "blocker_kinds": BlockerKind.choices,
        "blocker_client_id": uuid.uuid4().hex,
        "traveler_client_id": uuid.uuid4().hex,
        "print_address_unreachable": unreachable_print_address(request),
        "release_problems": (
            services.job_gate_problems(
                job,
                released_revision=job.released_revision,
                released_documents=job.released_documents,
                open_blockers=job.open_blockers,
            )
            if job.state == JobState.PLANNED
            else []
        ),
        "can_override": services.can_override_gate(request.user),
        "material_choices": MaterialStatus.choices,
        "move_targets": (selectors.move_targets(job, job.revisions_in_play) if job.is_open else []),
        "can_ship": job.stage == JobStage.COMPLETE and job.quantity_shipped < job.good_quantity,
        "can_unrelease": job.state == JobState.RELEASED and not job.quantity_shipped,
        "can_close": job.state != JobState.CLOSED,
        "close_needs_reason": job.stage != JobStage.SHIPPED,
        "newest_traveler": job.traveler_prints[0] if job.traveler_prints else None,
    }


def _render_detail(
    request: HttpRequest,
    number: str | int,
    *,
    status: int = 200,
    error: ShopDeskError | None = None,
    notice: str = "",
    form: str = "",
    values: dict[str, str] | None = None,
    blocker_id: int | None = None,
) -> HttpResponse:
    """The live page, or only its live regions for htmx (polling, or an htmx-posted action).

    `form` names the form an error belongs to ("raise", "resolve" with `blocker_id`,
    "unrelease", "close", "release", "ship") so the page reopens it with the values typed and
    the message.
    """
    job = selectors.job_detail(_shop(request), number)
    context = _live_context(request, job)
    context.update(
        error=error,
        error_form=form,
        error_blocker_id=blocker_id,
        notice=notice,
        values=values or {},
        field_errors={e.get("field"): e.get("message") for e in (error.errors if error else [])},
    )
    if request.htmx and not request.htmx.boosted:
        # Only the live regions, each swapped out of band by its id.
        response = render(
            request, "jobs/detail.html#live-regions", {**context, "oob": True}, status=status
        )
    else:
        context.update(_forms_context(request, job))
        context["nav"] = "jobs"
        response = render(request, "jobs/detail.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def job_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _render_detail(request, number)


def _detail_url(job: Job) -> str:
    return reverse("jobs:detail", args=[job.display_number])


def _done(request: HttpRequest, job: Job, message: str) -> HttpResponse:
    if request.htmx:
        return _render_detail(request, job.number, notice=message)
    messages.success(request, message)
    return HttpResponseRedirect(_detail_url(job), status=303)


def _refused(
    request: HttpRequest,
    job: Job,
    error: ShopDeskError,
    *,
    form: str = "",
    values: dict[str, str] | None = None,
    blocker_id: int | None = None,
) -> HttpResponse:
    return _render_detail(
        request,
        job.number,
        status=error.status,
        error=error,
        form=form,
        values=values,
        blocker_id=blocker_id,
    )


def _text(request: HttpRequest, name: str) -> str:
    return _without_nul(str(request.POST.get(name, "")))


# ---------------------------------------------------------------------------------------------
# Planner actions: the services refuse other roles (PermissionRefused, 403).


@login_required
@require_POST
def job_release(request: HttpRequest, number: str) -> HttpResponse:
    """Release through the gate; with `override` posted, a supervisor releases past it and
    `override_reason` says why (blank is refused, not taken as "no override")."""
    job = get_job_for(_shop(request), number)
    overriding = "override" in request.POST
    reason = _text(request, "override_reason") if overriding else None
    try:
        services.job_release(user=request.user, job=job, override_reason=reason)
    except ShopDeskError as error:
        return _refused(
            request,
            job,
            error,
            form="override" if overriding else "release",
            values={"override_reason": reason or ""},
        )
    if overriding:
        return _done(request, job, f"{job} is released to the floor past the gate; reason noted.")
    return _done(request, job, f"{job} is released to the floor.")


@login_required
@require_POST
def job_material(request: HttpRequest, number: str) -> HttpResponse:
    job = get_job_for(_shop(request), number)
    value = _text(request, "material_status").strip()
    try:
        if value not in MaterialStatus.values:
            raise InvalidInput(
                "Choose not ordered, ordered, received or from stock.", field="material_status"
            )
        job = services.job_update(user=request.user, job=job, material_status=value)
    except ShopDeskError as error:
        return _refused(request, job, error, form="material")
    return _done(request, job, f"{job} material: {job.get_material_status_display().lower()}.")


@login_required
@require_POST
def job_move_revision(request: HttpRequest, number: str) -> HttpResponse:
    job = get_job_for(_shop(request), number)
    reason = _text(request, "reason")
    raw = _text(request, "revision").strip()
    values = {"reason": reason, "revision": raw}
    try:
        if not ID_PATTERN.match(raw):
            raise InvalidInput("Choose the revision to move the job to.", field="revision")
        # Another shop's revision id answers 404 here; another part's is refused by the service.
        revision = get_part_revision_for(request.shop, raw)
        job = services.job_move_revision(
            user=request.user, job=job, revision=revision, reason=reason
        )
    except ShopDeskError as error:
        return _refused(request, job, error, form="move", values=values)
    return _done(request, job, f"{job} is now on revision {job.revision}.")


# ---------------------------------------------------------------------------------------------
# Notices of change: a planner confirms the suggested blocker or dismisses it with a note.


@login_required
@require_POST
def notice_confirm(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = get_notice_for(_shop(request), notice_id)
    job = notice.job
    try:
        services.notice_confirm(user=request.user, notice=notice)
    except ShopDeskError as error:
        return _refused(request, job, error, form="notice")
    return _done(
        request,
        job,
        f"Blocker raised on {job}: drawing revision changed "
        f"({notice.from_revision.code} → {notice.to_revision.code}).",
    )


@login_required
@require_POST
def notice_dismiss(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = get_notice_for(_shop(request), notice_id)
    job = notice.job
    note = _text(request, "note")
    try:
        services.notice_dismiss(user=request.user, notice=notice, note=note)
    except ShopDeskError as error:
        return _refused(request, job, error, form="dismiss", values={"note": note})
    return _done(request, job, f"Notice of change dismissed on {job}.")


@login_required
@require_POST
def job_unrelease(request: HttpRequest, number: str) -> HttpResponse:
    job = get_job_for(_shop(request), number)
    reason = _text(request, "reason")
    try:
        services.job_unrelease(user=request.user, job=job, reason=reason)
    except ShopDeskError as error:
        return _refused(request, job, error, form="unrelease", values={"reason": reason})
    return _done(request, job, f"{job} is back in planning.")


@login_required
@require_POST
def job_ship(request: HttpRequest, number: str) -> HttpResponse:
    """Ship `quantity` good parts (a partial shipment), or every good part left when no
    quantity is posted (the "Mark shipped" of a whole delivery)."""
    job = get_job_for(_shop(request), number)
    raw = _text(request, "quantity").strip()
    try:
        if raw:
            if not raw.isdigit() or len(raw) > 9:
                raise InvalidInput("Ship a whole number of parts, 1 or more.", field="quantity")
            job = services.job_ship(user=request.user, job=job, quantity=int(raw))
        else:
            job = services.job_mark_shipped(user=request.user, job=job)
    except ShopDeskError as error:
        return _refused(request, job, error, form="ship", values={"quantity": raw})
    if job.stage == JobStage.SHIPPED:
        return _done(request, job, f"{job} is shipped: all {job.quantity_shipped:,} good parts.")
    return _done(request, job, f"{job}: {job.quantity_shipped:,} good parts shipped so far.")


@login_required
@require_POST
def operation_send_out(request: HttpRequest, number: str, operation_id: int) -> HttpResponse:
    """Outside work: the parts went to the supplier."""
    operation = selectors.get_operation_on_job(_shop(request), number, operation_id)
    job = operation.job
    try:
        services.operation_send_out(user=request.user, operation=operation)
    except ShopDeskError as error:
        return _refused(request, job, error, form=f"outside-{operation.pk}")
    return _done(request, job, f"Op {operation.sequence} {operation.name} is at the supplier.")


@login_required
@require_POST
def operation_receive(request: HttpRequest, number: str, operation_id: int) -> HttpResponse:
    """Outside work: the parts came back, with how many good and scrapped."""
    operation = selectors.get_operation_on_job(_shop(request), number, operation_id)
    job = operation.job
    values = {name: _text(request, name).strip() for name in ("qty_good", "qty_scrap")}
    try:
        quantities = {}
        for name, raw in values.items():
            if raw and (not raw.isdigit() or len(raw) > 9):
                raise InvalidInput("Quantities are whole numbers, 0 or more.", field=name)
            quantities[name] = int(raw or 0)
        services.operation_receive(user=request.user, operation=operation, **quantities)
    except ShopDeskError as error:
        return _refused(request, job, error, form=f"outside-{operation.pk}", values=values)
    return _done(request, job, f"Op {operation.sequence} {operation.name} is received back.")


@login_required
@require_POST
def job_close(request: HttpRequest, number: str) -> HttpResponse:
    job = get_job_for(_shop(request), number)
    reason = _text(request, "reason")
    try:
        services.job_close(user=request.user, job=job, reason=reason)
    except ShopDeskError as error:
        return _refused(request, job, error, form="close", values={"reason": reason})
    return _done(request, job, f"{job} is closed.")


# ---------------------------------------------------------------------------------------------
# Blockers: anyone in the shop may raise and resolve them.


def _operation_from(request: HttpRequest) -> Operation | None:
    raw = _text(request, "operation").strip()
    if not raw:
        return None
    if not ID_PATTERN.match(raw):
        raise InvalidInput("Choose an operation of this job, or none.", field="operation")
    # Another shop's operation answers 404 here; another job's is refused by the service.
    return get_operation_for(request.shop, raw)


@login_required
@require_POST
def blocker_raise(request: HttpRequest, number: str) -> HttpResponse:
    job = get_job_for(_shop(request), number)
    values = {name: _text(request, name) for name in ("kind", "note", "owner", "operation")}
    client_id = _text(request, "client_id").strip() or None
    try:
        operation = _operation_from(request)
        blocker, replayed = services.blocker_raise(
            user=request.user,
            job=job,
            kind=values["kind"],
            note=values["note"],
            owner_id=values["owner"],
            operation=operation,
            client_id=client_id,
        )
    except ShopDeskError as error:
        return _refused(request, job, error, form="raise", values=values)
    message = f"Blocker raised on {job}: {blocker.get_kind_display()}."
    if blocker.owner is not None:
        message += f" {_person(blocker.owner)} owns it."
    if replayed:
        message = f"That blocker was already raised on {job}; it was not raised twice."
    return _done(request, job, message)


@login_required
@require_POST
def blocker_resolve(request: HttpRequest, blocker_id: int) -> HttpResponse:
    blocker = get_blocker_for(_shop(request), blocker_id)
    job = blocker.job
    note = _text(request, "note")
    try:
        services.blocker_resolve(user=request.user, blocker=blocker, note=note)
    except ShopDeskError as error:
        return _refused(
            request, job, error, form="resolve", values={"note": note}, blocker_id=blocker.pk
        )
    return _done(request, job, f"Blocker resolved on {job}: {blocker.get_kind_display()}.")
