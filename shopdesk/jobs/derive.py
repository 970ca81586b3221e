"""What is derived from a job's facts: stage, current operation, progress, blockers, and the
work left (working days, and minutes of the current operation).

The derived values are stored on the job (so lists can filter 100,000 jobs by index) and
recomputed here, by one function, in the transaction of every change that can alter them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from shopdesk.jobs import live
from shopdesk.jobs.models import (
    Blocker,
    Job,
    JobStage,
    JobState,
    Operation,
    OperationStatus,
)


def derive_stage(state: str, operations: Sequence[Operation]) -> tuple[str, Operation | None]:
    """The stage of a job and its current operation (the first one not done)."""
    current = next((op for op in operations if op.status != OperationStatus.DONE), None)
    if state == JobState.CLOSED:
        return JobStage.CLOSED, None
    if state == JobState.SHIPPED:
        return JobStage.SHIPPED, None
    if state == JobState.PLANNED:
        return JobStage.PLANNED, current
    if operations and current is None:
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
    stage, current = derive_stage(job.state, operations)
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
    Returns how many jobs changed."""
    routings: dict[int, list[Operation]] = {}
    for op in (
        Operation.objects.filter(job_id__in=jobs, job__is_open=True)
        .select_related("job", "work_center")
        .order_by("job_id", "sequence", "id")
    ):
        routings.setdefault(op.job_id, []).append(op)
    changed = []
    for operations in routings.values():
        job = operations[0].job
        _stage, current = derive_stage(job.state, operations)
        work_left = derive_work_left(job, operations, current)
        if work_left != (job.work_days_left, job.current_minutes_left):
            job.work_days_left, job.current_minutes_left = work_left
            changed.append(job)
    Job.objects.bulk_update(changed, ["work_days_left", "current_minutes_left"], batch_size=500)
    return len(changed)
