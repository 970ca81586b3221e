"""The routing: add, change, reorder and remove a job's operations."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from shopdesk.core.errors import ActionRefused, InvalidInput
from shopdesk.core.event_kinds import EventKind
from shopdesk.core.models import Shop
from shopdesk.core.permissions import require_planner
from shopdesk.core.services import event_append, model_update
from shopdesk.jobs.derive import job_refresh_derived
from shopdesk.jobs.models import Job, JobState, Operation, OperationStatus, WorkCenter
from shopdesk.lib.db import for_update

MAX_MINUTES = Decimal("100000")
OPERATION_FIELDS = (
    "work_center",
    "outside_vendor",
    "name",
    "instructions",
    "setup_minutes",
    "run_minutes",
)


def _minutes(value: Any, field: str) -> Decimal:
    try:
        minutes = Decimal(str(value if value not in (None, "") else "0"))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput("Minutes must be a number.", field=field) from exc
    if not minutes.is_finite() or minutes < 0 or minutes > MAX_MINUTES:
        raise InvalidInput(f"Minutes must be from 0 to {MAX_MINUTES:,}.", field=field)
    return minutes.quantize(Decimal("0.01"))


def _operation_values(shop: Shop, spec: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validate operation fields; `partial` allows a subset (an edit)."""
    unknown = set(spec) - set(OPERATION_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidInput(f"Unknown field: {name}.", field=name)
    values: dict[str, Any] = {}
    vendor = spec.get("outside_vendor")
    vendor = vendor.strip() if isinstance(vendor, str) else vendor
    if vendor:
        # Outside: at a supplier, named here until the suppliers app exists. Exactly one of a
        # work center and a supplier (the database checks it too).
        if spec.get("work_center") is not None:
            raise InvalidInput(
                "An operation runs at a work center or at a supplier, not both.",
                field="outside_vendor",
            )
        if not isinstance(vendor, str) or len(vendor) > 120:
            raise InvalidInput(
                "The supplier's name is at most 120 characters.", field="outside_vendor"
            )
        if "\x00" in vendor:
            raise InvalidInput(
                "The supplier's name contains a NUL character.", field="outside_vendor"
            )
        values["work_center"] = None
        values["outside_vendor"] = vendor
    elif "work_center" in spec or not partial:
        work_center = spec.get("work_center")
        if not isinstance(work_center, WorkCenter) or work_center.shop_id != shop.id:
            raise InvalidInput(
                "Choose a work center of this shop, or name the supplier for outside work.",
                field="work_center",
            )
        values["work_center"] = work_center
        values["outside_vendor"] = ""
    if "name" in spec or not partial:
        name = (spec.get("name") or "").strip()
        if not name and values.get("work_center") is not None:
            name = values["work_center"].name
        if not name:
            raise InvalidInput("Name the operation.", field="name")
        if len(name) > 120:
            raise InvalidInput("At most 120 characters.", field="name")
        values["name"] = name
    if "instructions" in spec:
        instructions = spec.get("instructions") or ""
        if len(instructions) > 4000:
            raise InvalidInput("At most 4000 characters.", field="instructions")
        values["instructions"] = instructions
    for field in ("setup_minutes", "run_minutes"):
        if field in spec or not partial:
            values[field] = _minutes(spec.get(field), field)
    return values


def _lock_job(job: Job) -> Job:
    job = for_update(Job.objects).get(pk=job.pk)
    if job.state == JobState.CLOSED or job.quantity_shipped:
        # Once parts have shipped, the routing they were made by is the record.
        label = job.get_state_display() if job.state == JobState.CLOSED else "shipped"
        raise ActionRefused(f"{job} is {label.lower()}; its routing is final.")
    return job


def _renumber(job: Job, ordered: list[Operation]) -> None:
    for sequence, operation in enumerate(ordered, start=1):
        if operation.sequence != sequence:
            operation.sequence = sequence
            operation.save(update_fields=["sequence"])


def _touch(job: Job) -> None:
    job.updated_at = timezone.now()
    job_refresh_derived(job)


@transaction.atomic
def operation_add(
    *, user: AbstractBaseUser, job: Job, position: int | None = None, **spec: Any
) -> Operation:
    """Add an operation at `position` (1-based; default: the end of the routing)."""
    shop = require_planner(user).shop
    job = _lock_job(job)
    values = _operation_values(shop, spec)
    ordered = list(job.operations.order_by("sequence", "id"))
    if len(ordered) >= 200:
        raise InvalidInput("A routing has at most 200 operations.", field="position")
    if position is None:
        position = len(ordered) + 1
    if not 1 <= position <= len(ordered) + 1:
        raise InvalidInput(f"Position must be from 1 to {len(ordered) + 1}.", field="position")
    operation = Operation.objects.create(job=job, sequence=len(ordered) + 1, **values)
    ordered.insert(position - 1, operation)
    _renumber(job, ordered)
    _touch(job)
    event_append(
        shop=shop,
        actor=user,
        kind=EventKind.OPERATION_ADDED,
        subject=operation,
        job=job,
        summary=f"Operation {operation.sequence} {operation.name} at {operation.where} added",
        after={
            "sequence": operation.sequence,
            "work_center": operation.work_center_id,
            "outside_vendor": operation.outside_vendor,
        },
    )
    return operation


@transaction.atomic
def operation_update(*, user: AbstractBaseUser, operation: Operation, **spec: Any) -> Operation:
    shop = require_planner(user).shop
    job = _lock_job(operation.job)
    operation = Operation.objects.select_related("work_center").get(pk=operation.pk)
    values = _operation_values(shop, spec, partial=True)
    if operation.status != OperationStatus.PENDING and "work_center" in values:
        new_center = values["work_center"]
        moved = (new_center.pk if new_center else None) != operation.work_center_id or values[
            "outside_vendor"
        ] != operation.outside_vendor
        if moved and operation.status == OperationStatus.DONE:
            raise ActionRefused("A finished operation cannot move to another work center.")
        if moved and operation.is_outside:
            raise ActionRefused("Outside work that has been sent out keeps its supplier.")
        if moved and new_center is None:
            raise ActionRefused("An operation started at a work center is not sent outside.")
    also_save: tuple[str, ...] = ()
    if "work_center" in values and values["work_center"] != operation.work_center:
        # A supervisor's place in one work center's dispatch list means nothing at another.
        operation.dispatch_rank = None
        also_save = ("dispatch_rank",)
    changed = model_update(
        user=user,
        shop=shop,
        instance=operation,
        changes=values,
        kind=EventKind.OPERATION_UPDATED,
        job=job,
        summary=lambda changed: (
            f"Operation {operation.sequence} {operation.name} changed: "
            + ", ".join(name.replace("_", " ") for name in changed)
        ),
        also_save=also_save,
    )
    if changed:
        _touch(job)
    return operation


@transaction.atomic
def operation_remove(*, user: AbstractBaseUser, operation: Operation) -> None:
    shop = require_planner(user).shop
    job = _lock_job(operation.job)
    operation = Operation.objects.get(pk=operation.pk)
    if operation.status != OperationStatus.PENDING or operation.actions.exists():
        raise ActionRefused(
            f"Operation {operation.sequence} {operation.name} has floor activity; it stays."
        )
    if job.state == JobState.RELEASED and job.operations.count() == 1:
        raise ActionRefused("A released job keeps at least one operation; unrelease it first.")
    summary = f"Operation {operation.sequence} {operation.name} removed"
    before = {"sequence": operation.sequence, "name": operation.name}
    event_append(
        shop=shop,
        actor=user,
        kind=EventKind.OPERATION_REMOVED,
        subject=operation,
        job=job,
        summary=summary,
        before=before,
    )
    operation.delete()
    _renumber(job, list(job.operations.order_by("sequence", "id")))
    _touch(job)


@transaction.atomic
def routing_reorder(
    *, user: AbstractBaseUser, job: Job, operation_ids: list[int]
) -> list[Operation]:
    """Put the routing in the given order; the ids must be exactly the job's operations."""
    shop = require_planner(user).shop
    job = _lock_job(job)
    operations = {op.pk: op for op in job.operations.all()}
    if sorted(operation_ids) != sorted(operations) or len(set(operation_ids)) != len(operation_ids):
        raise InvalidInput("Give every operation of this job exactly once.", field="operation_ids")
    ordered = [operations[pk] for pk in operation_ids]
    before = [op.pk for op in sorted(operations.values(), key=lambda op: op.sequence)]
    if before == operation_ids:
        return ordered
    _check_done_stay_first(ordered)
    _renumber(job, ordered)
    _touch(job)
    event_append(
        shop=shop,
        actor=user,
        kind=EventKind.ROUTING_REORDERED,
        subject=job,
        job=job,
        summary="Routing reordered: " + " → ".join(op.name for op in ordered),
        before={"order": before},
        after={"order": operation_ids},
    )
    return ordered


def _check_done_stay_first(ordered: list[Operation]) -> None:
    seen_open = False
    for operation in ordered:
        if operation.status == OperationStatus.PENDING:
            seen_open = True
        elif seen_open:
            raise ActionRefused(
                "Operations that have started stay ahead of the ones that have not."
            )


@transaction.atomic
def operation_move(
    *, user: AbstractBaseUser, operation: Operation, direction: str
) -> list[Operation]:
    """Move one operation up or down in its routing."""
    if direction not in ("up", "down"):
        raise InvalidInput("Direction must be up or down.", field="direction")
    ids = list(operation.job.operations.order_by("sequence", "id").values_list("pk", flat=True))
    index = ids.index(operation.pk)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(ids):
        raise ActionRefused(
            f"The operation is already at the {'top' if direction == 'up' else 'bottom'}."
        )
    ids[index], ids[target] = ids[target], ids[index]
    return routing_reorder(user=user, job=operation.job, operation_ids=ids)
