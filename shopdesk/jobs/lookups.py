"""Shop-scoped reads the jobs API needs beyond the jobs selectors.

`*_for` getters answer 404 for another shop's ids (the object is what the request acts on);
`*_field` getters answer a 422 naming the field (the id is a value inside a request body).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model, QuerySet

from shopdesk.core.errors import InvalidInput
from shopdesk.core.models import Shop
from shopdesk.jobs.models import WorkCenter


def _first(queryset: QuerySet, pk: Any) -> Model | None:
    try:
        return queryset.filter(pk=pk).first()
    except (ValueError, TypeError, OverflowError):
        return None


def work_center_field(shop: Shop, work_center_id: int, field: str = "work_center") -> WorkCenter:
    work_center = _first(WorkCenter.objects.filter(shop=shop), work_center_id)
    if work_center is None:
        raise InvalidInput("No such work center in this shop.", field=field)
    return work_center


def member_field(shop: Shop, user_id: int | None, field: str = "owner") -> Any:
    """A person of the shop, with the membership loaded (services check it)."""
    if user_id is None:
        return None
    user = _first(
        get_user_model().objects.filter(membership__shop=shop).select_related("membership"),
        user_id,
    )
    if user is None:
        raise InvalidInput("The owner must be a person in this shop.", field=field)
    return user
