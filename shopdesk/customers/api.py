"""Customers over the API: list, create, read and change."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from shopdesk.core.api_errors import error_responses
from shopdesk.customers import services
from shopdesk.customers.models import Customer
from shopdesk.customers.selectors import customer_matching, get_customer_for
from shopdesk.lib.schemas import DbId, InSchema, PageQuery, SearchText, paginate, text

router = Router(tags=["customers"])

Name = text(120)
Code = text(20)
Email = text(254)
Phone = text(40)
Notes = text(4000)


class CustomerOut(Schema):
    id: int
    name: str
    code: str
    email: str
    phone: str
    notes: str
    created_at: datetime.datetime


class CustomerPage(Schema):
    count: int
    items: list[CustomerOut]


class CustomerIn(InSchema):
    name: Name
    code: Code = ""
    email: Email = ""
    phone: Phone = ""
    notes: Notes = ""


class CustomerPatch(InSchema):
    name: Name = None
    code: Code = None
    email: Email = None
    phone: Phone = None
    notes: Notes = None


class CustomerQuery(PageQuery):
    q: SearchText = Field("", description="Part of the name or code.")


@router.get("/customers", response={200: CustomerPage, **error_responses()})
def customer_list(request: HttpRequest, filters: Query[CustomerQuery]) -> dict:
    customers = Customer.objects.filter(shop=request.shop).filter(customer_matching(filters.q))
    return paginate(customers.order_by("name", "id"), filters)


@router.post("/customers", response={201: CustomerOut, **error_responses(403)})
def customer_create(request: HttpRequest, payload: CustomerIn) -> Status[Customer]:
    return Status(201, services.customer_create(user=request.user, **payload.dict()))


@router.get("/customers/{customer_id}", response={200: CustomerOut, **error_responses(404)})
def customer_get(request: HttpRequest, customer_id: DbId) -> Customer:
    return get_customer_for(request.shop, customer_id)


@router.patch("/customers/{customer_id}", response={200: CustomerOut, **error_responses(403, 404)})
def customer_update(request: HttpRequest, customer_id: DbId, payload: CustomerPatch) -> Customer:
    customer = get_customer_for(request.shop, customer_id)
    changes = payload.dict(exclude_unset=True)
    if not changes:
        return customer
    return services.customer_update(user=request.user, customer=customer, **changes)
