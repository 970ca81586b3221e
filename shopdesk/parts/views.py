"""Parts: the searchable list, one part with its jobs, and the planner's create / edit
forms. Writes go through parts.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from shopdesk.core.errors import ShopDeskError
from shopdesk.customers.models import Customer
from shopdesk.parts import services
from shopdesk.parts.forms import PartForm
from shopdesk.parts.models import Part
from shopdesk.parts.selectors import get_part_for, part_jobs
from shopdesk.parts.selectors import part_list as select_parts

PAGE_SIZE = 50
SEARCH_MAX_LENGTH = 100


def _require_planner(request: HttpRequest) -> None:
    membership = getattr(request, "membership", None)
    if membership is None or not membership.can_plan:
        raise PermissionDenied("Only an owner, office or supervisor account can change parts.")


def _show_error(form: Form, error: ShopDeskError) -> None:
    for item in error.errors:
        field = item.get("field")
        form.add_error(field if field in form.fields else None, item.get("message"))


def _customer_filter(raw: object) -> int | None:
    """The customer id to filter by; junk is ignored, another shop's id simply matches nothing."""
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and len(text) <= 12 else None


@login_required
@require_GET
def part_list(request: HttpRequest) -> HttpResponse:
    q = str(request.GET.get("q", ""))[:SEARCH_MAX_LENGTH].strip()
    customer_id = _customer_filter(request.GET.get("customer"))
    paginator = Paginator(select_parts(request.shop, q=q, customer_id=customer_id), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    customers = list(Customer.objects.filter(shop=request.shop).order_by("name").only("pk", "name"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "parts": page.object_list,
        "q": q,
        "customers": customers,
        "customer_id": customer_id,
        "query": query.urlencode(),
        "nav": "parts",
    }
    return render(request, "parts/part_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def part_create(request: HttpRequest) -> HttpResponse:
    _require_planner(request)
    form = PartForm(request.POST or None, shop=request.shop)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                part = services.part_create(user=request.user, **form.cleaned_data)
            except ShopDeskError as error:
                _show_error(form, error)
                status = error.status
            else:
                messages.success(request, f"Part {part.number} rev {part.revision} created.")
                return HttpResponseRedirect(reverse("parts:detail", args=[part.pk]), status=303)
    return _render_form(request, form, None, status)


def _render_form(
    request: HttpRequest, form: PartForm, part: Part | None, status: int
) -> HttpResponse:
    context = {"form": form, "part": part, "nav": "parts"}
    return render(request, "parts/part_form.html", context, status=status)


@login_required
@require_GET
def part_detail(request: HttpRequest, pk: int) -> HttpResponse:
    part = get_part_for(request.shop, pk)
    context = {"part": part, "jobs": part_jobs(part), "nav": "parts"}
    return render(request, "parts/part_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def part_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_planner(request)
    part = get_part_for(request.shop, pk)
    if request.method == "GET":
        initial = {
            "number": part.number,
            "revision": part.revision,
            "description": part.description,
            "material": part.material,
            "customer": part.customer_id,
        }
        return _render_form(request, PartForm(shop=request.shop, initial=initial), part, 200)
    form = PartForm(request.POST, shop=request.shop)
    status = 422
    if form.is_valid():
        try:
            part = services.part_update(user=request.user, part=part, **form.cleaned_data)
        except ShopDeskError as error:
            _show_error(form, error)
            status = error.status
        else:
            messages.success(request, f"Part {part.number} saved.")
            return HttpResponseRedirect(reverse("parts:detail", args=[part.pk]), status=303)
    return _render_form(request, form, part, status)
