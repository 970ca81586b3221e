"""What is derived from a job's facts: stage, current operation, progress, blockers, and the
work left (working days, and minutes of the current operation).

The derived values are stored on the job (so lists can filter 100,000 jobs by index) and
recomputed here, by one function, in the transaction of every change that can alter them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection

from shopdesk.jobs import live
from shopdesk.jobs.models import (
    Blocker,
    Job,
    JobStage,
    JobState,
    Operation,
    OperationStatus,
    WorkCenter,
)


def good_quantity(operations: Sequence[Operation]) -> int:
    """Good parts out of the routing: what its last operation passed, once it is done."""
    if operations and operations[-1].status == OperationStatus.DONE:
        return operations[-1].qty_good
    return 0


def derive_stage(
    state: str, operations: Sequence[Operation], quantity_shipped: int = 0
) -> tuple[str, Operation | None]:
    """The stage of a job and its current operation (the first one not done). A released job
    whose routing is done is shipped once every good part has shipped, complete before."""
    current = next((op for op in operations if op.status != OperationStatus.DONE), None)
    if state == JobState.CLOSED:
        return JobStage.CLOSED, None
    if state == JobState.PLANNED:
        return JobStage.PLANNED, current
    if operations and current is None:
        good = good_quantity(operations)
        if good and quantity_shipped >= good:
            return JobStage.SHIPPED, None
        return JobStage.COMPLETE, None
    if any(op.status != OperationStatus.PENDING for op in operations):
        return JobStage.IN_PRODUCTION, current
    return JobStage.RELEASED, current


def derive_work_left(
    job: Job, operations: Sequence[Operation], current: Operation | None
) -> tuple[float, float]:
    """(working days of work left, minutes left of the current operation), by the live page's
    rules: each operation at its own work center's hours per day. The operations need their
    work centers loaded. Stored on the job so the dispatch lists and the board rank thousands
    of jobs by critical ratio without summing every routing on every refresh."""
    days = live.working_days_needed(job, operations)
    minutes = live.remaining_minutes(job, [current]) if current is not None else 0
    return float(days), float(minutes)


def job_refresh_derived(
    job: Job, *, operations: Sequence[Operation] | None = None, count_blockers: bool = True
) -> Job:
    """Recompute and store the derived fields. Call inside the transaction holding the job row.

    A caller that already holds the job's operations in order (with their new state and their
    work centers loaded) passes them; one that cannot have changed the blockers passes
    count_blockers=False.
    """
    if operations is None:
        operations = list(job.operations.select_related("work_center").order_by("sequence", "id"))
    stage, current = derive_stage(job.state, operations, job.quantity_shipped)
    job.stage = stage
    job.is_open = stage in JobStage.open_stages()
    job.current_operation = current
    if current is not None and Operation.work_center.is_cached(current):
        # Keep the loaded work center on the job: the scan answer names it, without a query.
        job.current_work_center = current.work_center
    else:
        job.current_work_center_id = current.work_center_id if current else None
    job.operations_total = len(operations)
    job.operations_done = sum(1 for op in operations if op.status == OperationStatus.DONE)
    job.work_days_left, job.current_minutes_left = derive_work_left(job, operations, current)
    if count_blockers:
        job.open_blocker_count = Blocker.objects.filter(job=job, resolved_at__isnull=True).count()
    job.save(
        update_fields=[
            "stage",
            "is_open",
            "current_operation",
            "current_work_center",
            "operations_total",
            "operations_done",
            "open_blocker_count",
            "work_days_left",
            "current_minutes_left",
            "updated_at",
        ]
    )
    return job


def jobs_refresh_work_left(jobs: Iterable[int]) -> int:
    """Recompute the work left of the open jobs among `jobs` (ids, or a query of ids) from
    their routings, for a change that is not one job's: a work center's hours per day.
    Returns how many jobs changed. A center holds a couple of thousand open jobs at most, and
    this runs in the request that saves its hours: it reads only what the rule needs and
    writes the changed jobs in one batched statement."""
    open_jobs = Job.objects.filter(pk__in=jobs, is_open=True).only(
        "id",
        "shop_id",
        "state",
        "quantity",
        "quantity_shipped",
        "work_days_left",
        "current_minutes_left",
    )
    by_id = {job.pk: job for job in open_jobs}
    centers: dict[int, WorkCenter] = {}
    routings: dict[int, list[Operation]] = {}
    for op in (
        Operation.objects.filter(job_id__in=open_jobs.values("pk"))
        .only(*WORK_LEFT_FIELDS)
        .order_by("job_id", "sequence", "id")
    ):
        # Each job and work center built once, not once per operation row.
        op.job = by_id[op.job_id]
        if op.work_center_id is None:
            op.work_center = None  # outside, at a supplier
        else:
            if op.work_center_id not in centers:
                centers.update(WorkCenter.objects.filter(shop_id=op.job.shop_id).in_bulk())
            op.work_center = centers[op.work_center_id]
        routings.setdefault(op.job_id, []).append(op)
    changed = []
    for operations in routings.values():
        job = operations[0].job
        _stage, current = derive_stage(job.state, operations, job.quantity_shipped)
        work_left = derive_work_left(job, operations, current)
        if work_left != (job.work_days_left, job.current_minutes_left):
            changed.append((*work_left, job.pk))
    if changed:
        table = connection.ops.quote_name(Job._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET work_days_left = %s, current_minutes_left = %s"  # noqa: S608
                " WHERE id = %s",
                changed,
            )
    return len(changed)


# What derive_stage and derive_work_left read of an operation.
WORK_LEFT_FIELDS = (
    "id",
    "job_id",
    "work_center_id",
    "sequence",
    "status",
    "setup_minutes",
    "run_minutes",
    "qty_good",
    "qty_scrap",
)


def available_at(job: Job, operation: Operation, ordered: list[Operation]) -> int:
    """Parts that can be reported at this operation: what the previous one passed as good."""
    quantity = job.quantity or 0
    previous = [op for op in ordered if op.sequence < operation.sequence]
    if previous and previous[-1].status == OperationStatus.DONE:
        return previous[-1].qty_good
    return quantity
