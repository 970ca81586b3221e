from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from shopdesk.core.errors import ActionRefused, InvalidInput, PermissionRefused
from shopdesk.core.event_kinds import EventKind
from shopdesk.core.gates import release_checks, ship_checks
from shopdesk.core.models import Event, Shop
from shopdesk.core.permissions import require_planner
from shopdesk.core.services import client_uuid, event_append, event_value, reason_clean
from shopdesk.customers.models import Customer
from shopdesk.jobs.derive import good_quantity, job_refresh_derived
from shopdesk.jobs.models import (
    Blocker,
    BlockerKind,
    Job,
    JobStage,
    JobState,
    MaterialStatus,
    NoticeStatus,
    OperationStatus,
    Priority,
    RevisionNotice,
)
from shopdesk.lib.db import for_update, retry_on_lock_conflict
from shopdesk.parts.models import Document, Part, PartRevision, RevisionStatus

MAX_QUANTITY = 10_000_000
# Who may release a job past the gate, saying why: the people who answer for the floor.
# Open blockers of these kinds hold a job at the gate: no material, or a question on the drawing.
GATE_BLOCKER_KINDS = (BlockerKind.MATERIAL, BlockerKind.DRAWING)
# The revision is not typed here: a job moves to another revision by job_move_revision.
EDITABLE_FIELDS = (
    "customer",
    "part",
    "material_status",
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
    material_status = values.get("material_status")
    if material_status is not None and material_status not in MaterialStatus.values:
        raise InvalidInput(
            "Material status must be not ordered, ordered, received or from stock.",
            field="material_status",
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


def job_due_date_warnings(due_date: datetime.date | None) -> list[str]:
    """What to tell whoever sets this due date. A date already past is accepted (a job entered
    after the fact, or one promised late) but said, so a typo in the year is noticed: the job
    is late from the start and sorts to the top of every late list."""
    if due_date is None:
        return []
    today = timezone.localdate()
    if due_date >= today:
        return []
    days = (today - due_date).days
    return [
        f"The due date {due_date:%b} {due_date.day}, {due_date.year} has passed "
        f"({days} day{'s' if days != 1 else ''} ago): the job is late from the start."
    ]


@retry_on_lock_conflict
@transaction.atomic
def job_create(
    *,
    user: AbstractBaseUser,
    customer: Customer,
    part: Part,
    quantity: int | None = None,
    due_date: datetime.date | None = None,
    revision: str = "",
    material_status: str = MaterialStatus.NOT_ORDERED,
    customer_po: str = "",
    priority: int = Priority.NORMAL,
    owner: AbstractBaseUser | None = None,
    notes: str = "",
    operations: list[dict[str, Any]] | None = None,
    client_id: uuid.UUID | str | None = None,
) -> Job:
    """Create a planned job with the next job number of the shop, and its routing if given.

    `operations` are dicts with work_center, name and optionally setup_minutes, run_minutes,
    instructions. The job's `warnings` (not stored) say what was accepted but should be read:
    a due date already past.

    `client_id` (a UUID the form or the API caller made) makes a retry safe: the same id again
    answers the job it created, with `replayed` set; the same id with other header values is
    refused (409) rather than taken as a new job or as the old one.
    """
    from shopdesk.jobs.services.routing import _operation_values

    shop = require_planner(user).shop
    client_id = client_uuid(client_id)
    if material_status not in MaterialStatus.values:
        raise InvalidInput(
            "Material status must be not ordered, ordered, received or from stock.",
            field="material_status",
        )
    part_revision = _part_revision_for(shop, part, revision)
    values = {
        "customer": customer,
        "part": part,
        "part_revision": part_revision,
        "revision": part_revision.code,
        "material_status": material_status,
        "quantity": quantity,
        "customer_po": customer_po.strip(),
        "due_date": due_date,
        "priority": priority,
        "owner": owner,
        "notes": notes,
    }
    _check_job_values(shop, values)
    routing = []
    for index, spec in enumerate(operations or []):
        try:
            routing.append(_operation_values(shop, spec))
        except InvalidInput as error:
            # Name the operation the problem is in, as the API's own checks do.
            raise InvalidInput(error.message, field=f"operations.{index}.{error.field}") from error

    locked_shop = for_update(Shop.objects).get(pk=shop.pk)
    if client_id is not None:
        # Creations in a shop queue on its row, so a twin request waits here and finds this.
        earlier = Job.objects.filter(shop=shop, client_id=client_id).first()
        if earlier is not None:
            return _replayed_creation(earlier, values, revision)
    number = locked_shop.next_job_number
    Shop.objects.filter(pk=shop.pk).update(next_job_number=number + 1)

    job = Job.objects.create(shop=shop, number=number, client_id=client_id, **values)
    for sequence, spec in enumerate(routing, start=1):
        job.operations.create(sequence=sequence, **spec)
    job_refresh_derived(job)
    event_append(
        shop=shop,
        actor=user,
        kind=EventKind.JOB_CREATED,
        subject=job,
        job=job,
        summary=f"{job} created for {customer}: {quantity or '?'} × {part.number}",
        after={**_snapshot(job, EDITABLE_FIELDS), "revision": job.revision},
    )
    job.warnings = job_due_date_warnings(due_date)
    job.replayed = False
    return job


def _replayed_creation(job: Job, values: dict[str, Any], revision: str) -> Job:
    """The job a client id already created, when the retry asks for the same job: its header
    values as they were created (the job.created event), whatever was edited since."""
    created = Event.objects.filter(job=job, kind=EventKind.JOB_CREATED).values_list(
        "after", flat=True
    )
    asked = {name: event_value(values[name]) for name in EDITABLE_FIELDS}
    if revision:
        asked["revision"] = values["revision"]
    first = next(iter(created), {})
    differing = sorted(name for name, value in asked.items() if first.get(name) != value)
    if differing:
        raise ActionRefused(
            f"This client id already created {job} with other values "
            f"({', '.join(name.replace('_', ' ') for name in differing)}); "
            "make a new id for a new job.",
            field="client_id",
        )
    job.warnings = []
    job.replayed = True
    return job


def _lock(job: Job) -> Job:
    return (
        for_update(Job.objects)
        .select_related("shop", "customer", "part", "part_revision")
        .get(pk=job.pk)
    )


@transaction.atomic
def job_update(*, user: AbstractBaseUser, job: Job, **changes: Any) -> Job:
    """Change the job's header fields. Closed and shipped jobs are not edited.

    A new part brings that part's current revision; a change of material status is an event
    of its own, so the timeline says when the material came in."""
    shop = require_planner(user).shop
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        if name == "revision":
            raise InvalidInput(
                "The revision is not edited here; move the job to another revision, saying why.",
                field="revision",
            )
        raise InvalidInput(f"Unknown field: {name}.", field=name)
    job = _lock(job)
    if job.state == JobState.CLOSED or job.stage == JobStage.SHIPPED:
        raise ActionRefused(
            f"{job} is {job.get_stage_display().lower()}; it can no longer be edited."
        )
    if "customer_po" in changes:
        changes["customer_po"] = (changes["customer_po"] or "").strip()
    if changes.get("material_status", "") is None:
        raise InvalidInput("Choose the material status.", field="material_status")
    if job.state == JobState.RELEASED:
        for name in ("quantity", "due_date"):
            if name in changes and changes[name] is None:
                raise InvalidInput(
                    "A released job needs a quantity and a due date; unrelease it first.",
                    field=name,
                )
    if "part" in changes and changes["part"] is None:
        raise InvalidInput("Choose the part.", field="part")
    _check_job_values(shop, changes)
    changed = tuple(name for name, value in changes.items() if getattr(job, name) != value)
    # Like job_create's: a due date changed to one already past is said (not stored).
    job.warnings = job_due_date_warnings(changes["due_date"]) if "due_date" in changed else []
    if not changed:
        return job
    before = _snapshot(job, changed)
    if "part" in changed:
        before["revision"] = job.revision
    for name in changed:
        setattr(job, name, changes[name])
    if "part" in changed:
        job.part_revision = _part_revision_for(shop, job.part)
        job.revision = job.part_revision.code
        _close_open_notices(
            user=user,
            job=job,
            note=f"The job's part was changed to {job.part.number}.",
        )
    job.updated_at = timezone.now()
    job.save()
    if "quantity" in changed:
        job_refresh_derived(job, count_blockers=False)  # the work left counts the parts
    header = tuple(name for name in changed if name != "material_status")
    if header:
        after = _snapshot(job, header)
        if "part" in header:
            after["revision"] = job.revision
        event_append(
            shop=shop,
            actor=user,
            kind=EventKind.JOB_UPDATED,
            subject=job,
            job=job,
            summary=f"{job} changed: {', '.join(name.replace('_', ' ') for name in header)}",
            before={name: before[name] for name in before if name != "material_status"},
            after=after,
        )
    if "material_status" in changed:
        old = MaterialStatus(before["material_status"]).label
        event_append(
            shop=shop,
            actor=user,
            kind=EventKind.JOB_MATERIAL_STATUS_CHANGED,
            subject=job,
            job=job,
            summary=f"{job} material: {old} → {job.get_material_status_display()}",
            before={"material_status": before["material_status"]},
            after={"material_status": job.material_status},
        )
    return job


def _close_open_notices(*, user: AbstractBaseUser, job: Job, note: str) -> int:
    """Mark the job's open notices of change as moved. Call holding the job row."""
    return RevisionNotice.objects.filter(job=job, status=NoticeStatus.OPEN).update(
        status=NoticeStatus.MOVED,
        decided_by=user,
        decided_at=timezone.now(),
        decision_note=note[:2000],
    )


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


_NOT_GIVEN: Any = object()


def _blocker_words(blocker: Blocker) -> str:
    note = " ".join(blocker.note.split())
    if len(note) > 80:
        note = note[:79].rstrip() + "…"
    return f"Resolve the open {blocker.get_kind_display().lower()} blocker: {note}"


def job_ready_check(job: Job, loaded: Mapping[str, Any]) -> list[str]:
    """The release gate's check of the job's own facts: quantity, due date, routing, material
    and the open blockers that hold a release (`loaded["open_blockers"]` when read)."""
    problems = []
    if not job.quantity:
        problems.append("Set a quantity.")
    if not job.due_date:
        problems.append("Set a due date.")
    if job.operations_total == 0:
        problems.append("Add at least one operation to the routing.")
    if job.material_status not in MaterialStatus.ready():
        problems.append(
            f"Material is {job.get_material_status_display().lower()}; mark it received or "
            "from stock when it is here."
        )
    open_blockers = loaded.get("open_blockers")
    if open_blockers is None:
        open_blockers = list(
            Blocker.objects.filter(
                job=job, resolved_at__isnull=True, kind__in=GATE_BLOCKER_KINDS
            ).order_by("raised_at", "id")
        )
    for blocker in sorted(open_blockers, key=lambda b: (b.raised_at, b.pk)):
        if blocker.kind in GATE_BLOCKER_KINDS and blocker.resolved_at is None:
            problems.append(_blocker_words(blocker))
    return problems


def job_gate_problems(
    job: Job,
    *,
    released_revision: PartRevision | None = _NOT_GIVEN,
    released_documents: list[Document] | None = None,
    open_blockers: list[Blocker] | None = None,
) -> list[str]:
    """What the release gate finds missing, in words a planner can act on; [] when ready.

    Asks every check registered in core.gates.release_checks (parts registers the revision
    and drawing check, jobs its own facts). The job's state is not judged here (see
    job_release_problems). A caller that has already loaded the part's released revision,
    its current documents or the job's open blockers passes them, so a page asks no query
    twice.
    """
    loaded: dict[str, Any] = {}
    if released_revision is not _NOT_GIVEN:
        loaded["released_revision"] = released_revision
    if released_documents is not None:
        loaded["released_documents"] = released_documents
    if open_blockers is not None:
        loaded["open_blockers"] = open_blockers
    return release_checks.problems(job, loaded)


def job_release_problems(job: Job, **loaded: Any) -> list[str]:
    """What stands between this job and release, in words a planner can act on."""
    problems = []
    if job.state != JobState.PLANNED:
        problems.append(f"The job is {job.get_state_display().lower()}, not planned.")
    return problems + job_gate_problems(job, **loaded)


def can_override_gate(user: AbstractBaseUser) -> bool:
    membership = getattr(user, "membership", None)
    return membership is not None and membership.can_supervise


@transaction.atomic
def job_release(*, user: AbstractBaseUser, job: Job, override_reason: str | None = None) -> Job:
    """Release a planned job to the floor when it passes the gate.

    A supervisor or owner may release past the gate's problems by giving `override_reason`;
    the problems overridden are recorded in a "job.release_overridden" event. Nothing
    overrides the state: only a planned job is released.
    """
    shop = require_planner(user).shop
    job = _lock(job)
    job_refresh_derived(job)
    if job.state != JobState.PLANNED:
        raise ActionRefused(
            f"{job} is {job.get_state_display().lower()}, not planned; there is nothing to release."
        )
    problems = job_gate_problems(job)
    reason = ""
    if problems and override_reason is None:
        raise ActionRefused(
            f"{job} cannot be released yet: " + " ".join(problems),
            errors=[{"field": None, "message": problem} for problem in problems],
        )
    if problems:
        if not can_override_gate(user):
            raise PermissionRefused(
                "Only a supervisor or the owner can release a job past what is missing."
            )
        reason = reason_clean(
            override_reason,
            field="override_reason",
            missing="Say why the job is released with these problems.",
        )
        event_append(
            shop=shop,
            actor=user,
            kind=EventKind.JOB_RELEASE_OVERRIDDEN,
            subject=job,
            job=job,
            summary=f"{job} released past the gate: {reason}",
            before={"problems": problems},
            after={"reason": reason},
        )
    return _move_state(
        user=user,
        shop=shop,
        job=job,
        to=JobState.RELEASED,
        kind=EventKind.JOB_RELEASED,
        summary=f"{job} released to the floor" + (" (gate overridden)" if problems else ""),
        **({"override_reason": reason} if problems else {}),
    )


@transaction.atomic
def job_move_revision(
    *, user: AbstractBaseUser, job: Job, revision: PartRevision, reason: str
) -> Job:
    """Move an open job to another revision of its part, saying why. Closes the job's open
    notices of change (status moved)."""
    shop = require_planner(user).shop
    reason = reason_clean(reason, missing="Say why the job moves to another revision.")
    if revision.shop_id != shop.id:
        raise InvalidInput("No such revision in this shop.", field="revision")
    job = _lock(job)
    if revision.part_id != job.part_id:
        raise InvalidInput(
            f"Revision {revision.code} is not a revision of {job.part.number}.", field="revision"
        )
    revision = for_update(PartRevision.objects).get(pk=revision.pk)
    if not job.is_open:
        raise ActionRefused(
            f"{job} is {job.get_stage_display().lower()}; only an open job moves to another "
            "revision."
        )
    if revision.status == RevisionStatus.SUPERSEDED:
        raise ActionRefused(
            f"Revision {revision.code} of {job.part.number} is superseded; choose the released "
            "revision.",
            field="revision",
        )
    if revision.pk == job.part_revision_id:
        raise ActionRefused(f"{job} is already on revision {revision.code}.", field="revision")
    before = job.revision
    job.part_revision = revision
    job.revision = revision.code
    job.updated_at = timezone.now()
    job.save(update_fields=["part_revision", "revision", "updated_at"])
    closed = _close_open_notices(user=user, job=job, note=reason)
    event_append(
        shop=shop,
        actor=user,
        kind=EventKind.JOB_REVISION_MOVED,
        subject=job,
        job=job,
        summary=f"{job} moved from revision {before} to {revision.code}: {reason}",
        before={"revision": before},
        after={"revision": revision.code, "reason": reason, "notices_closed": closed},
    )
    return job


@transaction.atomic
def job_unrelease(*, user: AbstractBaseUser, job: Job, reason: str) -> Job:
    shop = require_planner(user).shop
    reason = reason_clean(reason, missing="Say why the job goes back to planning.")
    job = _lock(job)
    if job.state != JobState.RELEASED:
        raise ActionRefused(f"{job} is not released.")
    if job.quantity_shipped:
        raise ActionRefused(f"{job} has shipped parts; it stays released.")
    if job.operations.filter(status=OperationStatus.RUNNING).exists():
        raise ActionRefused(f"{job} has an operation running; pause it before unreleasing.")
    return _move_state(
        user=user,
        shop=shop,
        job=job,
        to=JobState.PLANNED,
        kind=EventKind.JOB_UNRELEASED,
        summary=f"{job} back to planning: {reason}",
        reason=reason,
    )


@transaction.atomic
def job_ship(*, user: AbstractBaseUser, job: Job, quantity: int) -> Job:
    """Ship `quantity` good parts of a job whose routing is done: one shipment of a full or
    partial delivery. Never more than the good parts not yet shipped; the job's stage turns
    "shipped" (jobs.derive) when every good part has gone."""
    shop = require_planner(user).shop
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise InvalidInput("Ship a whole number of parts, 1 or more.", field="quantity")
    job = _lock(job)
    if job.state == JobState.CLOSED:
        raise ActionRefused(f"{job} is closed.")
    operations = list(job.operations.select_related("work_center").order_by("sequence", "id"))
    if job.state != JobState.RELEASED or not operations or job.stage == JobStage.PLANNED:
        raise ActionRefused(f"{job} can be shipped once every operation is done.")
    if any(op.status != OperationStatus.DONE for op in operations):
        raise ActionRefused(f"{job} can be shipped once every operation is done.")
    good = good_quantity(operations)
    left = good - job.quantity_shipped
    if left <= 0:
        raise ActionRefused(f"{job} has no good parts left to ship.")
    if quantity > left:
        raise InvalidInput(
            f"Only {left:,} good part{'s' if left != 1 else ''} of {job} "
            f"{'are' if left != 1 else 'is'} left to ship.",
            field="quantity",
        )
    before = {"quantity_shipped": job.quantity_shipped, "stage": job.stage}
    job.quantity_shipped += quantity
    job.updated_at = timezone.now()
    job.save(update_fields=["quantity_shipped", "updated_at"])
    job_refresh_derived(job, operations=operations, count_blockers=False)
    complete = job.stage == JobStage.SHIPPED
    event_append(
        shop=shop,
        actor=user,
        kind=EventKind.JOB_SHIPPED,
        subject=job,
        job=job,
        summary=f"{job}: {quantity:,} shipped ({job.quantity_shipped:,} of {good:,} good)"
        + ("; every good part has shipped" if complete else ""),
        before=before,
        after={
            "quantity": quantity,
            "quantity_shipped": job.quantity_shipped,
            "good": good,
            "stage": job.stage,
        },
    )
    return job


def job_mark_shipped(*, user: AbstractBaseUser, job: Job) -> Job:
    """Ship every good part not yet shipped (the "Mark shipped" button)."""
    require_planner(user)
    job = Job.objects.get(pk=job.pk)
    if job.stage != JobStage.COMPLETE:
        raise ActionRefused(f"{job} can be marked shipped once every operation is done.")
    problems = ship_checks.problems(job)
    if problems:
        raise ActionRefused(
            f"{job} cannot be shipped yet: " + " ".join(problems),
            errors=[{"field": None, "message": problem} for problem in problems],
        )
    operations = list(job.operations.order_by("sequence", "id"))
    left = good_quantity(operations) - job.quantity_shipped
    if left <= 0:
        raise ActionRefused(f"{job} has no good parts left to ship.")
    return job_ship(user=user, job=job, quantity=left)


@transaction.atomic
def job_close(*, user: AbstractBaseUser, job: Job, reason: str = "") -> Job:
    """Close a job: shipped jobs close normally; an unshipped job needs a reason (cancelled)."""
    shop = require_planner(user).shop
    # Blank is allowed for a shipped job only, which is known once the row is locked.
    reason = reason_clean(reason, missing=None)
    job = _lock(job)
    if job.state == JobState.CLOSED:
        raise ActionRefused(f"{job} is already closed.")
    if job.stage != JobStage.SHIPPED and not reason:
        raise InvalidInput("Say why an unshipped job is closed.", field="reason")
    return _move_state(
        user=user,
        shop=shop,
        job=job,
        to=JobState.CLOSED,
        kind=EventKind.JOB_CLOSED,
        summary=f"{job} closed" + (f": {reason}" if reason else ""),
        reason=reason,
    )
