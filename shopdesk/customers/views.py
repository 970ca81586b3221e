"""Customers: the list with open jobs, one customer with contacts and recent jobs, and the
planner's create / edit / add-contact forms. Writes go through customers.services."""

from __future__ import annotations

from typing import Any

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
from shopdesk.customers import services
from shopdesk.customers.forms import ContactForm, CustomerForm
from shopdesk.customers.models import Customer
from shopdesk.customers.selectors import customer_list as select_customers
from shopdesk.customers.selectors import customer_parts, customer_recent_jobs, get_customer_for

PAGE_SIZE = 50
SEARCH_MAX_LENGTH = 100


def _require_planner(request: HttpRequest) -> None:
    membership = getattr(request, "membership", None)
    if membership is None or not membership.can_plan:
        raise PermissionDenied("Only an owner, office or supervisor account can change customers.")


def _show_error(form: Form, error: ShopDeskError) -> None:
    for item in error.errors:
        field = item.get("field")
        form.add_error(field if field in form.fields else None, item.get("message"))


@login_required
@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    q = str(request.GET.get("q", ""))[:SEARCH_MAX_LENGTH].strip()
    paginator = Paginator(select_customers(request.shop, q=q), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {"page": page, "customers": page.object_list, "q": q, "nav": "customers"}
    return render(request, "customers/customer_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def customer_create(request: HttpRequest) -> HttpResponse:
    _require_planner(request)
    form = CustomerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                customer = services.customer_create(user=request.user, **form.cleaned_data)
            except ShopDeskError as error:
                _show_error(form, error)
                status = error.status
            else:
                messages.success(request, f"Customer {customer.name} created.")
                return HttpResponseRedirect(
                    reverse("customers:detail", args=[customer.pk]), status=303
                )
    return _render_form(request, form, None, status)


def _render_form(
    request: HttpRequest, form: CustomerForm, customer: Customer | None, status: int
) -> HttpResponse:
    context = {"form": form, "customer": customer, "nav": "customers"}
    return render(request, "customers/customer_form.html", context, status=status)


def _render_detail(
    request: HttpRequest,
    customer: Customer,
    *,
    contact_form: ContactForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "customer": customer,
        "contacts": list(customer.contacts.order_by("name", "pk")),
        "jobs": customer_recent_jobs(customer),
        "parts": customer_parts(customer),
        "contact_form": contact_form or ContactForm(),
        "nav": "customers",
    }
    return render(request, "customers/customer_detail.html", context, status=status)


@login_required
@require_GET
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, get_customer_for(request.shop, pk))


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_planner(request)
    customer = get_customer_for(request.shop, pk)
    if request.method == "GET":
        initial = {name: getattr(customer, name) for name in CustomerForm.base_fields}
        return _render_form(request, CustomerForm(initial=initial), customer, 200)
    form = CustomerForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            customer = services.customer_update(
                user=request.user, customer=customer, **form.cleaned_data
            )
        except ShopDeskError as error:
            _show_error(form, error)
            status = error.status
        else:
            messages.success(request, f"Customer {customer.name} saved.")
            return HttpResponseRedirect(reverse("customers:detail", args=[customer.pk]), status=303)
    return _render_form(request, form, customer, status)


@login_required
@require_http_methods(["GET", "POST"])
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require_planner(request)
    customer = get_customer_for(request.shop, pk)
    if request.method == "GET":
        return HttpResponseRedirect(reverse("customers:detail", args=[pk]) + "#add-contact")
    form = ContactForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            contact = services.contact_add(
                user=request.user, customer=customer, **form.cleaned_data
            )
        except ShopDeskError as error:
            _show_error(form, error)
            status = error.status
        else:
            messages.success(request, f"Contact {contact.name} added to {customer.name}.")
            return HttpResponseRedirect(reverse("customers:detail", args=[customer.pk]), status=303)
    return _render_detail(request, customer, contact_form=form, status=status)
