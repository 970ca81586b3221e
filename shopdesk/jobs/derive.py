"""What is derived from a job's facts: stage, current operation, progress, blockers.

The derived values are stored on the job (so lists can filter 100,000 jobs by index) and
recomputed here, by one function, in the transaction of every change that can alter them.
"""

from __future__ import annotations

from collections.abc import Sequence

from shopdesk.jobs.models import Blocker, Job, JobStage, JobState, Operation, OperationStatus


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


def job_refresh_derived(
    job: Job, *, operations: Sequence[Operation] | None = None, count_blockers: bool = True
) -> Job:
    """Recompute and store the derived fields. Call inside the transaction holding the job row.

    A caller that already holds the job's operations in order (with their new state) passes
    them; one that cannot have changed the blockers passes count_blockers=False.
    """
    if operations is None:
        operations = list(job.operations.order_by("sequence", "id"))
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
            "updated_at",
        ]
    )
    return job
