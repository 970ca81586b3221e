"""Outside operations: parts sent to a supplier (anodize, plating, heat treat) and received
back. The floor does not start or finish these at a work center; the office records that the
parts went out and came back, with how many came back good and scrapped.

Until the suppliers app exists, the supplier is the operation's `outside_vendor` name; the
suppliers app will add its outside order beside these two actions, not replace them.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from shopdesk.core.errors import ActionRefused, InvalidInput
from shopdesk.core.event_kinds import EventKind
from shopdesk.core.permissions import require_planner
from shopdesk.core.services import event_append
from shopdesk.jobs.derive import available_at, job_refresh_derived
from shopdesk.jobs.models import Job, JobState, Operation, OperationStatus
from shopdesk.lib.db import for_update

MAX_REPORTED = 10_000_000


def _locked(operation: Operation) -> tuple[Job, Operation, list[Operation]]:
    """The job under lock, its routing in order, and `operation` from that routing."""
    job = for_update(Job.objects).get(pk=operation.job_id)
    ordered = list(job.operations.select_related("work_center").order_by("sequence", "id"))
    for op in ordered:
        op.job = job
    operation = next(op for op in ordered if op.pk == operation.pk)
    if not operation.is_outside:
        raise ActionRefused(
            f"Op {operation.sequence} {operation.name} runs at {operation.work_center}; "
            "it is started and finished on the floor."
        )
    if job.state != JobState.RELEASED:
        raise ActionRefused(
            f"{job} is {job.get_state_display().lower()}; outside work needs a released job."
        )
    return job, operation, ordered


@transaction.atomic
def operation_send_out(
    *, user: AbstractBaseUser, operation: Operation, note: str = ""
) -> Operation:
    """The parts left for the supplier. Every earlier operation must be done: the parts that
    go out are the ones the routing has finished so far."""
    shop = require_planner(user).shop
    note = _note(note)
    job, operation, ordered = _locked(operation)
    label = f"Op {operation.sequence} {operation.name}"
    if operation.status == OperationStatus.AT_SUPPLIER:
        raise ActionRefused(f"{label} is already at {operation.outside_vendor}.")
    if operation.status == OperationStatus.DONE:
        raise ActionRefused(f"{label} is already back from {operation.outside_vendor}.")
    waiting = next(
        (
            op
            for op in ordered
            if op.sequence < operation.sequence and op.status != OperationStatus.DONE
        ),
        None,
    )
    if waiting is not None:
        raise ActionRefused(
            f"{label} cannot go out yet: op {waiting.sequence} {waiting.name} is not done."
        )
    now = timezone.now()
    operation.status = OperationStatus.AT_SUPPLIER
    operation.started_at = now
    operation.started_by = user
    operation.save(update_fields=["status", "started_at", "started_by"])
    job.updated_at = now
    job_refresh_derived(job, operations=ordered, count_blockers=False)
    parts = available_at(job, operation, ordered)
    event_append(
        shop=shop,
        actor=user,
        kind=EventKind.OPERATION_SENT_OUT,
        subject=operation,
        job=job,
        summary=f"{label}: {parts:,} parts sent to {operation.outside_vendor}"
        + (f" — {note}" if note else ""),
        before={"status": OperationStatus.PENDING},
        after={
            "status": operation.status,
            "vendor": operation.outside_vendor,
            "quantity": parts,
            "note": note,
        },
    )
    return operation


@transaction.atomic
def operation_receive(
    *,
    user: AbstractBaseUser,
    operation: Operation,
    qty_good: int,
    qty_scrap: int = 0,
    note: str = "",
) -> Operation:
    """The parts came back from the supplier: the operation is done with `qty_good` good and
    `qty_scrap` scrapped, never more than were sent out."""
    shop = require_planner(user).shop
    for field, value in (("qty_good", qty_good), ("qty_scrap", qty_scrap)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidInput("Quantities are whole numbers, 0 or more.", field=field)
        if value > MAX_REPORTED:
            raise InvalidInput("That quantity is more than any job holds.", field=field)
    if qty_good + qty_scrap == 0:
        raise InvalidInput(
            "Report how many parts came back good (and scrap, if any).", field="qty_good"
        )
    note = _note(note)
    job, operation, ordered = _locked(operation)
    label = f"Op {operation.sequence} {operation.name}"
    if operation.status == OperationStatus.DONE:
        raise ActionRefused(f"{label} is already back from {operation.outside_vendor}.")
    if operation.status != OperationStatus.AT_SUPPLIER:
        raise ActionRefused(f"{label} has not been sent out to {operation.outside_vendor} yet.")
    sent = available_at(job, operation, ordered)
    if qty_good + qty_scrap > sent:
        raise InvalidInput(
            f"{qty_good} good + {qty_scrap} scrap is more than the {sent} parts sent out.",
            field="qty_good",
        )
    now = timezone.now()
    before = {"status": operation.status, "qty_good": operation.qty_good}
    operation.status = OperationStatus.DONE
    operation.qty_good = qty_good
    operation.qty_scrap = qty_scrap
    operation.finished_at = now
    operation.finished_by = user
    operation.save(update_fields=["status", "qty_good", "qty_scrap", "finished_at", "finished_by"])
    job.updated_at = now
    job_refresh_derived(job, operations=ordered, count_blockers=False)
    event_append(
        shop=shop,
        actor=user,
        kind=EventKind.OPERATION_RECEIVED,
        subject=operation,
        job=job,
        summary=f"{label} back from {operation.outside_vendor}: {qty_good} good, "
        f"{qty_scrap} scrap" + (f" — {note}" if note else ""),
        before=before,
        after={
            "status": operation.status,
            "qty_good": qty_good,
            "qty_scrap": qty_scrap,
            "vendor": operation.outside_vendor,
            "note": note,
        },
    )
    return operation


def _note(note: str) -> str:
    note = (note or "").strip()
    if "\x00" in note:
        raise InvalidInput("The note contains a NUL character.", field="note")
    if len(note) > 2000:
        raise InvalidInput("A note is at most 2000 characters.", field="note")
    return note
