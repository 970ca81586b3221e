"""Planning pages: create and edit jobs, edit their routing, and keep the work centers.

Only planners (owner, office, supervisor) reach these; anyone else gets 403. Every write goes
through a service; a refusal is shown next to its field or as a notice, with the service's
status (422 bad input, 409 not allowed in this state), and nothing changes.

The routing editor is one partial (`jobs/routing_editor.html#routing`): htmx swaps it in place,
and without JavaScript every button is a plain form post that redirects back to the edit page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget

from shopdesk.core.errors import ActionRefused, InvalidInput, ShopDeskError
from shopdesk.core.models import Membership
from shopdesk.jobs import services
from shopdesk.jobs.forms import (
    OUTSIDE,
    JobCreateForm,
    JobForm,
    OperationAddForm,
    OperationForm,
    RoutingFormSet,
    WorkCenterForm,
    new_form_id,
)
from shopdesk.jobs.models import Job, JobStage, JobState, Operation
from shopdesk.jobs.selectors import (
    get_job_for,
    get_operation_for,
    get_work_center_for,
)
from shopdesk.jobs.selectors import (
    work_center_list as select_work_centers,
)

ROUTING_PARTIAL = "jobs/routing_editor.html#routing"


def _planner(request: HttpRequest) -> Membership:
    membership = getattr(request, "membership", None)
    if membership is None or not membership.can_plan:
        raise PermissionDenied("Only an owner, office or supervisor account can plan.")
    return membership


def _show_error(form: Form, error: ShopDeskError) -> None:
    """Put a service's refusal next to the field it names, or on the form as a whole."""
    for item in error.errors:
        field = item.get("field")
        form.add_error(field if field in form.fields else None, item.get("message"))


def _job_edit_url(job: Job) -> str:
    return reverse("jobs:edit", args=[job.display_number])


def _job_initial(job: Job) -> dict[str, Any]:
    return {
        "customer": job.customer_id,
        "part": job.part_id,
        "material_status": job.material_status,
        "quantity": job.quantity,
        "due_date": job.due_date,
        "customer_po": job.customer_po,
        "priority": job.priority,
        "owner": job.owner_id,
        "notes": job.notes,
    }


def _is_final(job: Job) -> bool:
    return job.state == JobState.CLOSED or job.stage == JobStage.SHIPPED


# --- Creating a job ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def job_create(request: HttpRequest) -> HttpResponse:
    _planner(request)
    shop = request.shop
    if request.method == "GET":
        initial: dict[str, Any] = {"form_id": new_form_id()}
        # "New job" from a customer's or a part's page starts with it chosen; an id that is
        # not a choice of this shop simply leaves the select empty.
        for name in ("customer", "part"):
            value = str(request.GET.get(name, ""))
            if value.isdigit() and len(value) <= 12:
                initial[name] = int(value)
        form = JobCreateForm(shop=shop, initial=initial)
        routing = RoutingFormSet(prefix="ops", form_kwargs={"shop": shop})
        return _render_create(request, form, routing)

    form = JobCreateForm(request.POST, shop=shop)
    routing = RoutingFormSet(request.POST, prefix="ops", form_kwargs={"shop": shop})
    form_valid, routing_valid = form.is_valid(), routing.is_valid()
    if not (form_valid and routing_valid):
        return _render_create(request, form, routing, status=422)

    operations = [row.operation_spec() for row in routing if row.has_changed()]
    try:
        # The form's one-time id is the creation's client id: the same form sent again (a
        # double click, a reload, Back then Submit) answers the job it already created.
        job = services.job_create(
            user=request.user,
            operations=operations,
            client_id=form.cleaned_data["form_id"],
            **form.job_values(),
        )
    except ShopDeskError as error:
        _show_error(form, error)
        return _render_create(request, form, routing, status=error.status)

    if job.replayed:
        messages.info(request, f"{job} was already created from this form.")
        return HttpResponseRedirect(reverse("jobs:detail", args=[job.display_number]))
    messages.success(request, f"{job} created.")
    for warning in job.warnings:
        messages.warning(request, warning)
    return HttpResponseRedirect(reverse("jobs:detail", args=[job.display_number]))


def _render_create(
    request: HttpRequest, form: JobCreateForm, routing: Any, *, status: int = 200
) -> HttpResponse:
    context = {"form": form, "routing_formset": routing, "creating": True, "nav": "new-job"}
    return render(request, "jobs/job_form.html", context, status=status)


# --- Editing a job and its routing -----------------------------------------------------------


def _routing_of(job: Job) -> list[Operation]:
    operations = list(job.operations.select_related("work_center").order_by("sequence", "id"))
    for operation in operations:
        operation.job = job  # templates read the job through the operation without a query
    return operations


def _routing_context(
    request: HttpRequest,
    job: Job,
    *,
    add_form: OperationAddForm | None = None,
    notice: str = "",
    refusal: str = "",
) -> dict[str, Any]:
    routing = _routing_of(job)
    return {
        "job": job,
        "routing": routing,
        "read_only": _is_final(job),
        "add_form": add_form or OperationAddForm(shop=request.shop),
        "next_position": len(routing) + 1,
        "notice": notice,
        "refusal": refusal,
    }


def _render_edit(
    request: HttpRequest,
    job: Job,
    *,
    form: JobForm | None = None,
    status: int = 200,
    **routing_context: Any,
) -> HttpResponse:
    if form is None and not _is_final(job):
        form = JobForm(shop=request.shop, initial=_job_initial(job))
    context = {
        "job": job,
        "form": form,
        "creating": False,
        "final_reason": (
            f"{job} is {job.get_state_display().lower()}; it can no longer be edited."
            if _is_final(job)
            else ""
        ),
        **_routing_context(request, job, **routing_context),
    }
    return render(request, "jobs/job_form.html", context, status=status)


def _routing_answer(
    request: HttpRequest,
    job: Job,
    *,
    notice: str = "",
    error: ShopDeskError | None = None,
    add_form: OperationAddForm | None = None,
) -> HttpResponse:
    """After a routing change: htmx gets the fresh routing partial; a plain post is redirected
    back to the edit page (or, refused, shown the edit page with the reason and the 4xx)."""
    status = error.status if error else 200
    refusal = error.message if error else ""
    job = get_job_for(request.shop, job.number)  # derived fields changed with the routing
    if request.htmx:
        context = _routing_context(request, job, add_form=add_form, notice=notice, refusal=refusal)
        return render(request, ROUTING_PARTIAL, context, status=status)
    if error is None:
        messages.success(request, notice)
        return HttpResponseRedirect(_job_edit_url(job) + "#routing", status=303)
    return _render_edit(request, job, status=status, add_form=add_form, refusal=refusal)


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def job_edit(request: HttpRequest, number: str) -> HttpResponse:
    _planner(request)
    job = get_job_for(request.shop, number)
    if request.method == "GET":
        return _render_edit(request, job)
    if _is_final(job):
        return _render_edit(request, job, status=409)
    form = JobForm(request.POST, shop=request.shop)
    if not form.is_valid():
        return _render_edit(request, job, form=form, status=422)
    try:
        job = services.job_update(user=request.user, job=job, **form.job_values())
    except ShopDeskError as error:
        _show_error(form, error)
        return _render_edit(request, job, form=form, status=error.status)
    messages.success(request, f"{job} saved.")
    for warning in job.warnings:
        messages.warning(request, warning)
    return HttpResponseRedirect(reverse("jobs:detail", args=[job.display_number]), status=303)


def _operation_of(request: HttpRequest, job: Job, op_id: int) -> Operation:
    operation = get_operation_for(request.shop, op_id)
    if operation.job_id != job.pk:
        # The operation exists in this shop but not on this job: the URL is wrong.
        raise Http404("No such operation on this job.")
    operation.job = job
    return operation


@login_required
@require_POST
@vary_on_headers("HX-Request")
def operation_add(request: HttpRequest, number: str) -> HttpResponse:
    _planner(request)
    job = get_job_for(request.shop, number)
    form = OperationAddForm(request.POST, shop=request.shop)
    if not form.is_valid():
        error = InvalidInput("Check the new operation: see the fields below.")
        return _routing_answer(request, job, error=error, add_form=form)
    try:
        operation = services.operation_add(
            user=request.user,
            job=job,
            position=form.cleaned_data["position"],
            **form.operation_spec(),
        )
    except ShopDeskError as error:
        _show_error(form, error)
        return _routing_answer(request, job, error=error, add_form=form)
    return _routing_answer(
        request, job, notice=f"Operation {operation.sequence} {operation.name} added."
    )


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def operation_edit(request: HttpRequest, number: str, op_id: int) -> HttpResponse:
    _planner(request)
    job = get_job_for(request.shop, number)
    operation = _operation_of(request, job, op_id)
    if request.method == "GET":
        initial = {
            "work_center": OUTSIDE if operation.is_outside else operation.work_center_id,
            "outside_vendor": operation.outside_vendor,
            "name": operation.name,
            "setup_minutes": operation.setup_minutes,
            "run_minutes": operation.run_minutes,
            "instructions": operation.instructions,
        }
        form = OperationForm(
            shop=request.shop,
            current=operation.work_center,
            initial=initial,
            auto_id=f"id_op{operation.pk}_%s",
        )
        return _render_operation_form(request, job, operation, form)
    if _is_final(job):
        error = ActionRefused(f"{job} is {job.get_state_display().lower()}; its routing is final.")
        return _routing_answer(request, job, error=error)
    form = OperationForm(
        request.POST,
        shop=request.shop,
        current=operation.work_center,
        auto_id=f"id_op{operation.pk}_%s",
    )
    if not form.is_valid():
        return _render_operation_form(request, job, operation, form, status=422)
    try:
        operation = services.operation_update(
            user=request.user, operation=operation, **form.operation_spec()
        )
    except ShopDeskError as error:
        _show_error(form, error)
        return _render_operation_form(request, job, operation, form, status=error.status)
    return _routing_answer(
        request, job, notice=f"Operation {operation.sequence} {operation.name} saved."
    )


def _render_operation_form(
    request: HttpRequest,
    job: Job,
    operation: Operation,
    form: OperationForm,
    *,
    status: int = 200,
) -> HttpResponse:
    context = {"job": job, "operation": operation, "form": form}
    if request.htmx:
        response = render(
            request, "jobs/routing_operation_form.html#operation_form", context, status=status
        )
        # An edit refused from inside the routing list replaces just its own row.
        if request.method == "POST":
            response = reswap(retarget(response, f"#op-{operation.pk}"), "outerHTML")
        return response
    return render(request, "jobs/routing_operation_form.html", context, status=status)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def operation_move(request: HttpRequest, number: str, op_id: int) -> HttpResponse:
    _planner(request)
    job = get_job_for(request.shop, number)
    operation = _operation_of(request, job, op_id)
    direction = str(request.POST.get("direction", ""))
    try:
        services.operation_move(user=request.user, operation=operation, direction=direction)
    except ShopDeskError as error:
        return _routing_answer(request, job, error=error)
    return _routing_answer(request, job, notice=f"{operation.name} moved {direction}.")


@login_required
@require_POST
@vary_on_headers("HX-Request")
def operation_remove(request: HttpRequest, number: str, op_id: int) -> HttpResponse:
    _planner(request)
    job = get_job_for(request.shop, number)
    operation = _operation_of(request, job, op_id)
    label = f"Operation {operation.sequence} {operation.name}"
    try:
        services.operation_remove(user=request.user, operation=operation)
    except ShopDeskError as error:
        return _routing_answer(request, job, error=error)
    return _routing_answer(request, job, notice=f"{label} removed.")


# --- Work centers ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def work_center_list(request: HttpRequest) -> HttpResponse:
    context = {"work_centers": list(select_work_centers(request.shop)), "nav": "work-centers"}
    return render(request, "jobs/work_center_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def work_center_create(request: HttpRequest) -> HttpResponse:
    _planner(request)
    form = WorkCenterForm(request.POST or None)
    del form.fields["active"]  # a new work center starts active
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                work_center = services.work_center_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    kind=form.cleaned_data["kind"],
                    hours_per_day=form.cleaned_data["hours_per_day"],
                )
            except ShopDeskError as error:
                _show_error(form, error)
                status = error.status
            else:
                messages.success(request, f"Work center {work_center.name} created.")
                return HttpResponseRedirect(reverse("jobs:work_centers"), status=303)
    context = {"form": form, "work_center": None, "nav": "work-centers"}
    return render(request, "jobs/work_center_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def work_center_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _planner(request)
    work_center = get_work_center_for(request.shop, pk)
    status = 200
    if request.method == "GET":
        form = WorkCenterForm(
            initial={
                "name": work_center.name,
                "kind": work_center.kind,
                "hours_per_day": work_center.hours_per_day,
                "active": work_center.active,
            }
        )
    else:
        form = WorkCenterForm(request.POST)
        status = 422
        if form.is_valid():
            try:
                work_center = services.work_center_update(
                    user=request.user, work_center=work_center, **form.cleaned_data
                )
            except ShopDeskError as error:
                _show_error(form, error)
                status = error.status
            else:
                messages.success(request, f"Work center {work_center.name} saved.")
                return HttpResponseRedirect(reverse("jobs:work_centers"), status=303)
    context = {"form": form, "work_center": work_center, "nav": "work-centers"}
    return render(request, "jobs/work_center_form.html", context, status=status)
