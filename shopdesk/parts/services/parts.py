from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from shopdesk.core.errors import InvalidInput
from shopdesk.core.event_kinds import EventKind
from shopdesk.core.permissions import require_planner
from shopdesk.core.services import event_append, model_update
from shopdesk.customers.models import Customer
from shopdesk.lib.db import for_update
from shopdesk.parts.models import Part, PartRevision
from shopdesk.parts.services.revisions import clean_revision_code

LIMITS = {"number": 60, "description": 200, "material": 120}


def _clean(shop_id: int, values: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, value in values.items():
        if name == "customer":
            if value is not None and (not isinstance(value, Customer) or value.shop_id != shop_id):
                raise InvalidInput("No such customer in this shop.", field="customer")
            clean[name] = value
            continue
        if name == "revision":
            raise InvalidInput(
                "The revision is not typed in: add a revision and release it.", field=name
            )
        if name not in LIMITS:
            raise InvalidInput(f"Unknown field: {name}.", field=name)
        if not isinstance(value, str):
            raise InvalidInput("Must be text.", field=name)
        value = value.strip()
        if len(value) > LIMITS[name]:
            raise InvalidInput(f"At most {LIMITS[name]} characters.", field=name)
        clean[name] = value
    if "number" in clean and not clean["number"]:
        raise InvalidInput("A part number is required.", field="number")
    return clean


@transaction.atomic
def part_create(*, user: AbstractBaseUser, number: str, revision: str = "A", **values: Any) -> Part:
    shop = require_planner(user).shop
    clean = _clean(shop.id, {"number": number, **values})
    clean["revision"] = clean_revision_code(revision)
    if Part.objects.filter(shop=shop, number__iexact=clean["number"]).exists():
        raise InvalidInput("A part with this number exists.", field="number")
    part = Part.objects.create(shop=shop, **clean)
    # A new part starts with its first revision as a draft: its files are uploaded and the
    # revision released before a job on it can be released.
    PartRevision.objects.create(shop=shop, part=part, code=part.revision, created_by=user)
    event_append(
        shop=shop,
        actor=user,
        kind=EventKind.PART_CREATED,
        subject=part,
        summary=f"Part {part.number} rev {part.revision} created",
    )
    return part


@transaction.atomic
def part_update(*, user: AbstractBaseUser, part: Part, **values: Any) -> Part:
    shop = require_planner(user).shop
    part = for_update(Part.objects).get(pk=part.pk, shop=shop)
    clean = _clean(shop.id, values)
    if (
        "number" in clean
        and Part.objects.filter(shop=shop, number__iexact=clean["number"])
        .exclude(pk=part.pk)
        .exists()
    ):
        raise InvalidInput("A part with this number exists.", field="number")
    model_update(
        user=user,
        shop=shop,
        instance=part,
        changes=clean,
        kind=EventKind.PART_UPDATED,
        summary=lambda changed: f"Part {part.number} changed",
    )
    return part
