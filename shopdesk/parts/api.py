"""Parts over the API: list, create, read and change."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from shopdesk.api.errors import error_responses
from shopdesk.api.lookups import customer_field, part_for
from shopdesk.api.schemas import (
    CustomerRefOut,
    DbId,
    InSchema,
    PageQuery,
    SearchText,
    paginate,
    text,
)
from shopdesk.parts import services
from shopdesk.parts.models import Part

router = Router(tags=["parts"])

Number = text(60)
Description = text(200)
Revision = text(10)
Material = text(120)


class PartOut(Schema):
    id: int
    number: str
    description: str
    revision: str
    material: str
    customer: CustomerRefOut | None
    created_at: datetime.datetime


class PartPage(Schema):
    count: int
    items: list[PartOut]


class PartIn(InSchema):
    number: Number
    revision: Revision = "A"
    description: Description = ""
    material: Material = ""
    customer: DbId | None = Field(None, description="Id of the customer the part belongs to.")


class PartPatch(InSchema):
    number: Number = None
    revision: Revision = None
    description: Description = None
    material: Material = None
    customer: DbId | None = Field(None, description="Id of a customer, or null for none.")


class PartQuery(PageQuery):
    q: SearchText = Field("", description="Start of the part number, or description.")
    customer: DbId | None = Field(None, description="Only this customer's parts.")


@router.get("/parts", response={200: PartPage, **error_responses()})
def part_list(request: HttpRequest, filters: Query[PartQuery]) -> dict:
    parts = Part.objects.filter(shop=request.shop).select_related("customer").order_by("number")
    q = filters.q.strip()
    if q:
        parts = parts.filter(Q(number__istartswith=q) | Q(description__icontains=q))
    if filters.customer is not None:
        parts = parts.filter(customer_id=filters.customer)
    return paginate(parts, filters)


@router.post("/parts", response={201: PartOut, **error_responses(403)})
def part_create(request: HttpRequest, payload: PartIn) -> Status[Part]:
    values = payload.dict()
    values["customer"] = customer_field(request.shop, values["customer"])
    return Status(201, services.part_create(user=request.user, **values))


@router.get("/parts/{part_id}", response={200: PartOut, **error_responses(404)})
def part_get(request: HttpRequest, part_id: DbId) -> Part:
    return part_for(request.shop, part_id)


@router.patch("/parts/{part_id}", response={200: PartOut, **error_responses(403, 404)})
def part_update(request: HttpRequest, part_id: DbId, payload: PartPatch) -> Part:
    part = part_for(request.shop, part_id)
    changes = payload.dict(exclude_unset=True)
    if not changes:
        return part
    if "customer" in changes:
        changes["customer"] = customer_field(request.shop, changes["customer"])
    return services.part_update(user=request.user, part=part, **changes)
