from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from shopdesk.core.errors import InvalidInput
from shopdesk.core.event_kinds import EventKind
from shopdesk.core.permissions import require_planner
from shopdesk.core.services import event_append, model_update
from shopdesk.customers.models import Contact, Customer
from shopdesk.lib.db import for_update

LIMITS = {"name": 120, "code": 20, "email": 254, "phone": 40, "notes": 4000, "title": 80}


def _clean(values: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, str]:
    clean: dict[str, str] = {}
    for name, value in values.items():
        if name not in allowed:
            raise InvalidInput(f"Unknown field: {name}.", field=name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise InvalidInput("Must be text.", field=name)
        value = value.strip()
        if len(value) > LIMITS[name]:
            raise InvalidInput(f"At most {LIMITS[name]} characters.", field=name)
        if name == "email" and value:
            try:
                validate_email(value)
            except ValidationError as exc:
                raise InvalidInput("Enter a valid email address.", field="email") from exc
        clean[name] = value
    if "name" in clean and not clean["name"]:
        raise InvalidInput("A name is required.", field="name")
    return clean


CUSTOMER_FIELDS = ("name", "code", "email", "phone", "notes")


@transaction.atomic
def customer_create(*, user: AbstractBaseUser, name: str, **values: Any) -> Customer:
    shop = require_planner(user).shop
    clean = _clean({"name": name, **values}, CUSTOMER_FIELDS)
    if Customer.objects.filter(shop=shop, name__iexact=clean["name"]).exists():
        raise InvalidInput("A customer with this name exists.", field="name")
    customer = Customer.objects.create(shop=shop, **clean)
    event_append(
        shop=shop,
        actor=user,
        kind=EventKind.CUSTOMER_CREATED,
        subject=customer,
        summary=f"Customer {customer.name} created",
    )
    return customer


@transaction.atomic
def customer_update(*, user: AbstractBaseUser, customer: Customer, **values: Any) -> Customer:
    shop = require_planner(user).shop
    customer = for_update(Customer.objects).get(pk=customer.pk, shop=shop)
    clean = _clean(values, CUSTOMER_FIELDS)
    if (
        "name" in clean
        and Customer.objects.filter(shop=shop, name__iexact=clean["name"])
        .exclude(pk=customer.pk)
        .exists()
    ):
        raise InvalidInput("A customer with this name exists.", field="name")
    model_update(
        user=user,
        shop=shop,
        instance=customer,
        changes=clean,
        kind=EventKind.CUSTOMER_UPDATED,
        summary=lambda changed: f"Customer {customer.name} changed",
    )
    return customer


@transaction.atomic
def contact_add(*, user: AbstractBaseUser, customer: Customer, name: str, **values: Any) -> Contact:
    shop = require_planner(user).shop
    if customer.shop_id != shop.id:
        raise InvalidInput("No such customer in this shop.", field="customer")
    clean = _clean({"name": name, **values}, ("name", "email", "phone", "title"))
    contact = Contact.objects.create(customer=customer, **clean)
    event_append(
        shop=shop,
        actor=user,
        kind=EventKind.CONTACT_ADDED,
        subject=contact,
        summary=f"Contact {contact.name} added to {customer.name}",
    )
    return contact
