from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from shopdesk.core.errors import InvalidInput
from shopdesk.core.event_kinds import EventKind
from shopdesk.core.permissions import require_planner
from shopdesk.core.services import event_append, model_update
from shopdesk.jobs.derive import jobs_refresh_work_left
from shopdesk.jobs.models import Operation, OperationStatus, WorkCenter, WorkCenterKind
from shopdesk.lib.db import for_update


def _work_center_values(shop_id: int, values: dict[str, Any], *, instance_id: int | None) -> dict:
    clean: dict[str, Any] = {}
    if "name" in values:
        name = (values["name"] or "").strip()
        if not name or len(name) > 80:
            raise InvalidInput("A work center needs a name of at most 80 characters.", field="name")
        duplicate = WorkCenter.objects.filter(shop_id=shop_id, name__iexact=name)
        if instance_id:
            duplicate = duplicate.exclude(pk=instance_id)
        if duplicate.exists():
            raise InvalidInput("A work center with this name exists.", field="name")
        clean["name"] = name
    if "kind" in values:
        if values["kind"] not in WorkCenterKind.values:
            raise InvalidInput("Unknown kind of work center.", field="kind")
        clean["kind"] = values["kind"]
    if "hours_per_day" in values:
        try:
            hours = Decimal(str(values["hours_per_day"]))
        except (InvalidOperation, ValueError) as exc:
            raise InvalidInput("Hours per day must be a number.", field="hours_per_day") from exc
        if not hours.is_finite() or not Decimal("0") <= hours <= Decimal("24"):
            raise InvalidInput("Hours per day must be from 0 to 24.", field="hours_per_day")
        clean["hours_per_day"] = hours.quantize(Decimal("0.1"))
    if "active" in values:
        clean["active"] = bool(values["active"])
    return clean


@transaction.atomic
def work_center_create(
    *,
    user: AbstractBaseUser,
    name: str,
    kind: str = WorkCenterKind.OTHER,
    hours_per_day: Decimal | str | float = Decimal("8"),
) -> WorkCenter:
    shop = require_planner(user).shop
    values = _work_center_values(
        shop.id, {"name": name, "kind": kind, "hours_per_day": hours_per_day}, instance_id=None
    )
    work_center = WorkCenter.objects.create(shop=shop, **values)
    event_append(
        shop=shop,
        actor=user,
        kind=EventKind.WORK_CENTER_CREATED,
        subject=work_center,
        summary=f"Work center {work_center.name} created",
    )
    return work_center


@transaction.atomic
def work_center_update(
    *, user: AbstractBaseUser, work_center: WorkCenter, **changes: Any
) -> WorkCenter:
    shop = require_planner(user).shop
    work_center = for_update(WorkCenter.objects).get(pk=work_center.pk, shop=shop)
    values = _work_center_values(shop.id, changes, instance_id=work_center.pk)
    changed = model_update(
        user=user,
        shop=shop,
        instance=work_center,
        changes=values,
        kind=EventKind.WORK_CENTER_UPDATED,
        summary=lambda changed: f"Work center {work_center.name} changed",
    )
    if "hours_per_day" in changed:
        # Every open job with work here now needs more or fewer days for it.
        jobs_refresh_work_left(
            Operation.objects.filter(work_center=work_center)
            .exclude(status=OperationStatus.DONE)
            .values("job_id")
        )
    return work_center
