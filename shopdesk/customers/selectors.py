"""Reads of customers and their contacts, scoped to one shop."""

from __future__ import annotations

from django.db.models import Count, Model, Q, QuerySet
from django.http import Http404

from shopdesk.core.errors import InvalidInput
from shopdesk.core.models import Shop
from shopdesk.customers.models import Customer


def get_customer_for(shop: Shop, customer_id: int | str) -> Customer:
    """The shop's customer; 404 for another shop's id or anything that is not an id."""
    try:
        return Customer.objects.get(pk=customer_id, shop=shop)
    except (Customer.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404("No such customer.") from exc


def customer_field(shop: Shop, customer_id: int | None, field: str = "customer") -> Customer | None:
    """The shop's customer named inside a request body; a 422 naming the field if it is not."""
    if customer_id is None:
        return None
    try:
        return Customer.objects.get(pk=customer_id, shop=shop)
    except (Customer.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise InvalidInput("No such customer in this shop.", field=field) from exc


def customer_matching(q: str) -> Q:
    """What a customer search box matches, on the page and in the API alike: part of the
    name or of the code, in any case."""
    q = q.strip()
    return Q(name__icontains=q) | Q(code__icontains=q) if q else Q()


def customer_list(shop: Shop, *, q: str = "") -> QuerySet[Customer]:
    """Customers by name with their open and total job counts, in one query."""
    customers = Customer.objects.filter(shop=shop).annotate(
        open_job_count=Count("jobs", filter=Q(jobs__is_open=True)),
        job_count=Count("jobs"),
    )
    return customers.filter(customer_matching(q)).order_by("name", "pk")


def customer_parts(customer: Customer) -> list[Model]:
    # Parts point at customers and sit above them: reached through that relation.
    return list(customer.parts.filter(shop_id=customer.shop_id).order_by("number"))


def customer_recent_jobs(customer: Customer, *, limit: int = 25) -> list[Model]:
    # Jobs point at customers; customers sit below jobs, so they are reached through that
    # relation rather than by importing the jobs app.
    return list(
        customer.jobs.filter(shop_id=customer.shop_id)
        .select_related("part", "current_work_center")
        .order_by("-created_at", "-number")[:limit]
    )
