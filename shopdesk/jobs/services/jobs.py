from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from shopdesk.core.errors import ActionRefused, InvalidInput
from shopdesk.core.models import Shop
from shopdesk.core.permissions import require_planner
from shopdesk.core.services import event_append
from shopdesk.customers.models import Customer
from shopdesk.jobs.derive import job_refresh_derived
from shopdesk.jobs.models import (
    Job,
    JobStage,
    JobState,
    OperationStatus,
    Priority,
)
from shopdesk.parts.models import Part, PartRevision, RevisionStatus

MAX_QUANTITY = 10_000_000
EDITABLE_FIELDS = (
    "customer",
    "part",
    "revision",
    "quantity",
    "customer_po",
    "due_date",
    "priority",
    "owner",
    "notes",
)


def _check_job_values(shop: Shop, values: dict[str, Any]) -> None:
    """Refuse values that do not belong to the shop or are out of range."""
    customer = values.get("customer")
    if customer is not None and customer.shop_id != shop.id:
        raise InvalidInput("No such customer in this shop.", field="customer")
    part = values.get("part")
    if part is not None and part.shop_id != shop.id:
        raise InvalidInput("No such part in this shop.", field="part")
    owner = values.get("owner")
    if owner is not None:
        membership = getattr(owner, "membership", None)
        if membership is None or membership.shop_id != shop.id:
            raise InvalidInput("The owner must be a person in this shop.", field="owner")
    quantity = values.get("quantity")
    if quantity is not None and not (1 <= quantity <= MAX_QUANTITY):
        raise InvalidInput(
            f"Quantity must be a whole number from 1 to {MAX_QUANTITY:,}.", field="quantity"
        )
    priority = values.get("priority")
    if priority is not None and priority not in Priority.values:
        raise InvalidInput("Priority must be low, normal, high or hot.", field="priority")
    due_date = values.get("due_date")
    if due_date is not None and not (
        datetime.date(2000, 1, 1) <= due_date <= datetime.date(2100, 1, 1)
    ):
        raise InvalidInput("The due date must be between 2000 and 2100.", field="due_date")
    for name, limit in (("customer_po", 60), ("revision", 10), ("notes", 4000)):
        if len(values.get(name) or "") > limit:
            raise InvalidInput(f"At most {limit} characters.", field=name)


def _part_revision_for(shop: Shop, part: Part, code: str = "") -> PartRevision:
    """The revision a new job is made to: the one named, else the part's released revision,
    else its newest draft."""
    if part.shop_id != shop.id:
        raise InvalidInput("No such part in this shop.", field="part")
    code = (code or "").strip()
    revisions = PartRevision.objects.filter(part=part)
    if code:
        found = revisions.filter(code=code).first()
        if found is None:
            raise InvalidInput(f"Part {part.number} has no revision {code[:10]}.", field="revision")
        return found
    found = (
        revisions.filter(status=RevisionStatus.RELEASED).first()
        or revisions.exclude(status=RevisionStatus.SUPERSEDED)
        .order_by("-created_at", "-id")
        .first()
    )
    if found is None:
        raise InvalidInput(
            f"Part {part.number} has no current revision; add one first.", field="part"
        )
    return found


def _snapshot(job: Job, fields: tuple[str, ...]) -> dict[str, Any]:
    snapshot: dict[str, Any] = {}
    for name in fields:
        value = getattr(job, f"{name}_id" if name in {"customer", "part", "owner"} else name)
        snapshot[name] = value.isoformat() if isinstance(value, datetime.date) else value
    return snapshot


@transaction.atomic
def job_create(
    *,
    user: AbstractBaseUser,
    customer: Customer,
    part: Part,
    quantity: int | None = None,
    due_date: datetime.date | None = None,
    revision: str = "",
    customer_po: str = "",
    priority: int = Priority.NORMAL,
    owner: AbstractBaseUser | None = None,
    notes: str = "",
    operations: list[dict[str, Any]] | None = None,
) -> Job:
    """Create a planned job with the next job number of the shop, and its routing if given.

    `operations` are dicts with work_center, name and optionally setup_minutes, run_minutes,
    instructions.
    """
    from shopdesk.jobs.services.routing import _operation_values

    shop = require_planner(user).shop
    part_revision = _part_revision_for(shop, part, revision)
    values = {
        "customer": customer,
        "part": part,
        "part_revision": part_revision,
        "revision": part_revision.code,
        "quantity": quantity,
        "customer_po": customer_po.strip(),
        "due_date": due_date,
        "priority": priority,
        "owner": owner,
        "notes": notes,
    }
    _check_job_values(shop, values)
    routing = [_operation_values(shop, spec) for spec in (operations or [])]

    locked_shop = Shop.objects.select_for_update().get(pk=shop.pk)
    number = locked_shop.next_job_number
    Shop.objects.filter(pk=shop.pk).update(next_job_number=number + 1)

    job = Job.objects.create(shop=shop, number=number, **values)
    for sequence, spec in enumerate(routing, start=1):
        job.operations.create(sequence=sequence, **spec)
    job_refresh_derived(job)
    event_append(
        shop=shop,
        actor=user,
        kind="job.created",
        subject=job,
        job=job,
        summary=f"{job} created for {customer}: {quantity or '?'} × {part.number}",
        after=_snapshot(job, EDITABLE_FIELDS),
    )
    return job


def _lock(job: Job) -> Job:
    return Job.objects.select_for_update().select_related("shop", "customer", "part").get(pk=job.pk)


@transaction.atomic
def job_update(*, user: AbstractBaseUser, job: Job, **changes: Any) -> Job:
    """Change the job's header fields. Closed and shipped jobs are not edited."""
    shop = require_planner(user).shop
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown field: {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    job = _lock(job)
    if job.state in (JobState.SHIPPED, JobState.CLOSED):
        raise ActionRefused(
            f"{job} is {job.get_state_display().lower()}; it can no longer be edited."
        )
    if "revision" in changes:
        changes["revision"] = (changes["revision"] or "").strip()
        if not changes["revision"]:
            raise InvalidInput("A revision is required.", field="revision")
    if "customer_po" in changes:
        changes["customer_po"] = (changes["customer_po"] or "").strip()
    if job.state == JobState.RELEASED:
        for name in ("quantity", "due_date"):
            if name in changes and changes[name] is None:
                raise InvalidInput(
                    "A released job needs a quantity and a due date; unrelease it first.",
                    field=name,
                )
    _check_job_values(shop, changes)
    changed = tuple(name for name, value in changes.items() if getattr(job, name) != value)
    if not changed:
        return job
    before = _snapshot(job, changed)
    for name in changed:
        setattr(job, name, changes[name])
    job.updated_at = timezone.now()
    job.save()
    event_append(
        shop=shop,
        actor=user,
        kind="job.updated",
        subject=job,
        job=job,
        summary=f"{job} changed: {', '.join(name.replace('_', ' ') for name in changed)}",
        before=before,
        after=_snapshot(job, changed),
    )
    return job


def _move_state(
    *,
    user: AbstractBaseUser,
    shop: Shop,
    job: Job,
    to: str,
    kind: str,
    summary: str,
    **after: Any,
) -> Job:
    """Move a locked job to another lifecycle state, refresh what derives from it, and append
    the event. Call inside the transaction holding the job row, after the checks."""
    before = job.state
    job.state = to
    job.updated_at = timezone.now()
    fields = ["state", "updated_at"]
    if to == JobState.RELEASED:
        job.released_at = job.updated_at
        fields.append("released_at")
    job.save(update_fields=fields)
    job_refresh_derived(job)
    event_append(
        shop=shop,
        actor=user,
        kind=kind,
        subject=job,
        job=job,
        summary=summary,
        before={"state": before},
        after={"state": to, **after},
    )
    return job


def job_release_problems(job: Job) -> list[str]:
    """What stands between this job and release, in words a planner can act on."""
    problems = []
    if job.state != JobState.PLANNED:
        problems.append(f"The job is {job.get_state_display().lower()}, not planned.")
    if not job.quantity:
        problems.append("Set a quantity.")
    if not job.due_date:
        problems.append("Set a due date.")
    if job.operations_total == 0:
        problems.append("Add at least one operation to the routing.")
    return problems


@transaction.atomic
def job_release(*, user: AbstractBaseUser, job: Job) -> Job:
    shop = require_planner(user).shop
    job = _lock(job)
    job_refresh_derived(job)
    problems = job_release_problems(job)
    if problems:
        raise ActionRefused(
            f"{job} cannot be released yet: " + " ".join(problems),
            errors=[{"field": None, "message": problem} for problem in problems],
        )
    return _move_state(
        user=user,
        shop=shop,
        job=job,
        to=JobState.RELEASED,
        kind="job.released",
        summary=f"{job} released to the floor",
    )


@transaction.atomic
def job_unrelease(*, user: AbstractBaseUser, job: Job, reason: str) -> Job:
    shop = require_planner(user).shop
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why the job goes back to planning.", field="reason")
    if len(reason) > 500:
        raise InvalidInput("At most 500 characters.", field="reason")
    job = _lock(job)
    if job.state != JobState.RELEASED:
        raise ActionRefused(f"{job} is not released.")
    if job.operations.filter(status=OperationStatus.RUNNING).exists():
        raise ActionRefused(f"{job} has an operation running; pause it before unreleasing.")
    return _move_state(
        user=user,
        shop=shop,
        job=job,
        to=JobState.PLANNED,
        kind="job.unreleased",
        summary=f"{job} back to planning: {reason}",
        reason=reason,
    )


@transaction.atomic
def job_mark_shipped(*, user: AbstractBaseUser, job: Job) -> Job:
    shop = require_planner(user).shop
    job = _lock(job)
    if job.stage != JobStage.COMPLETE:
        raise ActionRefused(f"{job} can be marked shipped once every operation is done.")
    return _move_state(
        user=user,
        shop=shop,
        job=job,
        to=JobState.SHIPPED,
        kind="job.shipped",
        summary=f"{job} shipped",
    )


@transaction.atomic
def job_close(*, user: AbstractBaseUser, job: Job, reason: str = "") -> Job:
    """Close a job: shipped jobs close normally; an unshipped job needs a reason (cancelled)."""
    shop = require_planner(user).shop
    reason = (reason or "").strip()[:500]
    job = _lock(job)
    if job.state == JobState.CLOSED:
        raise ActionRefused(f"{job} is already closed.")
    if job.state != JobState.SHIPPED and not reason:
        raise InvalidInput("Say why an unshipped job is closed.", field="reason")
    return _move_state(
        user=user,
        shop=shop,
        job=job,
        to=JobState.CLOSED,
        kind="job.closed",
        summary=f"{job} closed" + (f": {reason}" if reason else ""),
        reason=reason,
    )
