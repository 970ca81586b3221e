"""Reads for the floor: each work center's dispatch list and the shop's live board.

Both cost a fixed number of queries whatever the queue length or the number of open jobs:
the operations and their jobs in one query, the work left per job in one more (a flat list of
the not-done operations' numbers, summed here with the same rules as the live job page).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from shopdesk.core.models import Shop
from shopdesk.jobs import live
from shopdesk.jobs.models import (
    Blocker,
    Job,
    JobState,
    Operation,
    OperationStatus,
    WorkCenter,
)

HOURS = Decimal("60")
BOARD_LIST_LIMIT = 12
BOARD_FINISHED_LIMIT = 40
BOARD_BLOCKER_LIMIT = 20


@dataclass
class RemainingWork:
    """The estimated work a job still needs, as minutes and as working days."""

    minutes: Decimal = Decimal("0")
    days: Decimal = Decimal("0")

    @property
    def hours(self) -> Decimal:
        return self.minutes / HOURS


def working_days_left(today: datetime.date, due: datetime.date) -> int:
    """Weekdays until the due date; negative for a due date passed (weekdays late)."""
    if due >= today:
        return live.working_days_until(today, due)
    return -live.working_days_until(due, today)


def _operation_minutes(
    quantity: int | None, status: str, setup: Decimal, run: Decimal, good: int, scrap: int
) -> Decimal:
    """The live page's rule: setup unless started, run time for the parts not yet reported."""
    left = max((quantity or 0) - good - scrap, 0)
    return (setup if status == OperationStatus.PENDING else Decimal("0")) + run * left


def remaining_work(jobs: Q) -> dict[int, RemainingWork]:
    """Work left per job for the jobs matching `jobs` (a Q on Operation.job), in one query."""
    rows = (
        Operation.objects.filter(jobs)
        .exclude(status=OperationStatus.DONE)
        .values_list(
            "job_id",
            "job__quantity",
            "status",
            "setup_minutes",
            "run_minutes",
            "qty_good",
            "qty_scrap",
            "work_center__hours_per_day",
        )
    )
    work: dict[int, RemainingWork] = defaultdict(RemainingWork)
    for job_id, quantity, status, setup, run, good, scrap, hours_per_day in rows:
        minutes = _operation_minutes(quantity, status, setup, run, good, scrap)
        hours_per_day = hours_per_day or live.HOURS_PER_DAY_FALLBACK
        entry = work[job_id]
        entry.minutes += minutes
        entry.days += minutes / (hours_per_day * HOURS)
    return work


def critical_ratio(
    due: datetime.date | None,
    today: datetime.date,
    hours_per_day: Decimal,
    remaining_hours: Decimal,
) -> Decimal | None:
    """(Working days to due × hours per day) ÷ hours of work left. Below 1: late unless it
    moves. None without a due date or without work left to measure against."""
    if due is None or remaining_hours <= 0:
        return None
    hours_per_day = hours_per_day or live.HOURS_PER_DAY_FALLBACK
    ratio = Decimal(working_days_left(today, due)) * hours_per_day / remaining_hours
    return ratio.quantize(Decimal("0.01"))


# ---------------------------------------------------------------------------- dispatch list


@dataclass
class DispatchRow:
    operation: Operation
    job: Job
    status: str  # running, paused or ready
    estimate_minutes: Decimal  # setup + run for the whole quantity, as planned
    remaining_minutes: Decimal  # what is left of this operation
    critical_ratio: Decimal | None
    next_operation: Operation | None
    waiting_for: str = ""
    position: int = 0

    @property
    def status_label(self) -> str:
        return {"running": "Running", "paused": "Paused"}.get(self.status, "Ready")

    @property
    def at_risk(self) -> bool:
        return self.critical_ratio is not None and self.critical_ratio < 1

    @property
    def setup_label(self) -> str:
        return live.minutes_label(self.operation.setup_minutes)

    @property
    def run_label(self) -> str:
        return live.minutes_label(self.operation.run_minutes * (self.job.quantity or 0))

    @property
    def remaining_label(self) -> str:
        return live.minutes_label(self.remaining_minutes)


@dataclass
class DispatchList:
    work_center: WorkCenter
    ready: list[DispatchRow] = field(default_factory=list)
    upcoming: list[DispatchRow] = field(default_factory=list)

    @property
    def queue_minutes(self) -> Decimal:
        return sum((row.remaining_minutes for row in self.ready), Decimal("0"))

    @property
    def queue_hours(self) -> Decimal:
        return (self.queue_minutes / HOURS).quantize(Decimal("0.1"))

    @property
    def queue_days(self) -> Decimal:
        hours_per_day = self.work_center.hours_per_day or live.HOURS_PER_DAY_FALLBACK
        return (self.queue_minutes / HOURS / hours_per_day).quantize(Decimal("0.1"))


def dispatch_order_key(row: DispatchRow) -> tuple:
    """Manual rank first (unranked after), then hot before normal, then the lowest critical
    ratio, then the soonest due date; job number and sequence keep ties stable."""
    operation, job = row.operation, row.job
    rank = operation.dispatch_rank
    ratio = row.critical_ratio
    return (
        rank is None,
        rank or 0,
        -job.priority,
        ratio is None,
        ratio or 0,
        job.due_date is None,
        job.due_date or datetime.date.min,
        job.number,
        operation.sequence,
        operation.pk,
    )


def _is_ready(operation: Operation, job: Job) -> bool:
    if job.open_blocker_count:
        return False
    if operation.status in (OperationStatus.RUNNING, OperationStatus.PAUSED):
        return True
    # The job's current operation is its first one not done: every earlier one is done.
    return job.current_operation_id == operation.pk


def dispatch_list(
    shop: Shop,
    work_center: WorkCenter,
    *,
    today: datetime.date | None = None,
    for_update: bool = False,
) -> DispatchList:
    """The work center's ready operations in the order to run them, and the upcoming ones.

    Five queries whatever the queue length. `for_update` locks the operation rows (call inside
    a transaction; services.dispatch does).
    """
    today = today or timezone.localdate()
    operations = (
        Operation.objects.filter(
            work_center=work_center,
            job__shop=shop,
            job__state=JobState.RELEASED,
        )
        .exclude(status=OperationStatus.DONE)
        .select_related(
            "job",
            "job__customer",
            "job__part",
            "job__current_operation",
            "job__current_operation__work_center",
        )
        .order_by("job__number", "sequence", "pk")
    )
    if for_update:
        operations = operations.select_for_update(of=("self",))
    operations = list(operations)
    job_ids = {op.job_id for op in operations}
    work = remaining_work(Q(job_id__in=job_ids)) if job_ids else {}
    next_ops = _next_operations(operations) if operations else {}
    blocker_kinds = _open_blocker_kinds(
        {op.job_id for op in operations if op.job.open_blocker_count}
    )

    result = DispatchList(work_center=work_center)
    for operation in operations:
        job = operation.job
        remaining_hours = work[job.pk].hours if job.pk in work else Decimal("0")
        row = DispatchRow(
            operation=operation,
            job=job,
            status=operation.status if operation.status != OperationStatus.PENDING else "ready",
            estimate_minutes=operation.setup_minutes + operation.run_minutes * (job.quantity or 0),
            remaining_minutes=_operation_minutes(
                job.quantity,
                operation.status,
                operation.setup_minutes,
                operation.run_minutes,
                operation.qty_good,
                operation.qty_scrap,
            ),
            critical_ratio=critical_ratio(
                job.due_date, today, work_center.hours_per_day, remaining_hours
            ),
            next_operation=next_ops.get(operation.pk),
        )
        if _is_ready(operation, job):
            result.ready.append(row)
        else:
            row.waiting_for = _waiting_for(job, blocker_kinds.get(job.pk, []))
            result.upcoming.append(row)
    result.ready.sort(key=dispatch_order_key)
    for position, row in enumerate(result.ready, start=1):
        row.position = position
    # Upcoming work has no manual place yet: the rules alone order it.
    result.upcoming.sort(key=lambda row: dispatch_order_key(row)[2:])
    return result


def _next_operations(operations: list[Operation]) -> dict[int, Operation]:
    """For each operation, the one after it in its job's routing (with its work center)."""
    routing = (
        Operation.objects.filter(job_id__in={op.job_id for op in operations})
        .select_related("work_center")
        .only("id", "job_id", "sequence", "name", "status", "work_center__name")
        .order_by("job_id", "sequence", "pk")
    )
    by_job: dict[int, list[Operation]] = defaultdict(list)
    for op in routing:
        by_job[op.job_id].append(op)
    following: dict[int, Operation] = {}
    for ops in by_job.values():
        for current, after in zip(ops, ops[1:], strict=False):
            following[current.pk] = after
    return following


def _open_blocker_kinds(job_ids: Iterable[int]) -> dict[int, list[str]]:
    job_ids = set(job_ids)
    if not job_ids:
        return {}
    kinds: dict[int, list[str]] = defaultdict(list)
    for blocker in Blocker.objects.filter(job_id__in=job_ids, resolved_at__isnull=True).only(
        "job_id", "kind"
    ):
        kinds[blocker.job_id].append(blocker.get_kind_display())
    return kinds


def _waiting_for(job: Job, blocker_kinds: list[str]) -> str:
    if job.open_blocker_count:
        return "Blocked: " + (", ".join(blocker_kinds) or "open blocker")
    current = job.current_operation
    if current is None:
        return "An earlier operation"
    return f"Op {current.sequence} {current.name} at {current.work_center}"


# ---------------------------------------------------------------------------------- board


@dataclass
class WorkCenterWip:
    work_center: WorkCenter
    jobs: list[Job] = field(default_factory=list)

    @property
    def running(self) -> int:
        return sum(1 for job in self.jobs if job.current_status == OperationStatus.RUNNING)

    @property
    def waiting(self) -> int:
        return len(self.jobs) - self.running


@dataclass
class Board:
    today: datetime.date
    now: datetime.datetime
    wip: list[WorkCenterWip]
    late: list[Job]
    at_risk: list[Job]
    late_count: int
    at_risk_count: int
    open_jobs: int
    blockers: list[Blocker]
    blocker_count: int
    finished_today: list[Operation]
    finished_today_count: int


def board(shop: Shop, *, now: datetime.datetime | None = None) -> Board:
    """The shop's live board, in six queries whatever the number of open jobs."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    on_floor = Q(shop=shop, state=JobState.RELEASED, is_open=True)
    jobs = list(
        Job.objects.filter(on_floor)
        .select_related("customer", "part", "current_work_center", "current_operation")
        .order_by("number")
    )
    work = remaining_work(Q(job__shop=shop, job__state=JobState.RELEASED, job__is_open=True))
    centers = {wc.pk: WorkCenterWip(work_center=wc) for wc in WorkCenter.objects.filter(shop=shop)}
    late: list[Job] = []
    at_risk: list[Job] = []
    for job in jobs:
        job.current_status = job.current_operation.status if job.current_operation else ""
        job.days_late = live.days_late(job, today)
        entry = work.get(job.pk)
        job.days_needed = entry.days.quantize(Decimal("0.1")) if entry else Decimal("0")
        job.critical_ratio = None
        if job.due_date is not None and entry is not None and entry.days > 0:
            job.critical_ratio = (
                Decimal(working_days_left(today, job.due_date)) / entry.days
            ).quantize(Decimal("0.01"))
        if job.current_work_center_id in centers:
            centers[job.current_work_center_id].jobs.append(job)
        if job.days_late:
            late.append(job)
        elif job.critical_ratio is not None and job.critical_ratio < 1:
            at_risk.append(job)
    late.sort(key=lambda job: (-job.days_late, -job.priority, job.number))
    at_risk.sort(key=lambda job: (job.critical_ratio, -job.priority, job.number))
    wip = [entry for entry in centers.values() if entry.jobs or entry.work_center.active]
    wip.sort(key=lambda entry: entry.work_center.name.lower())
    for entry in wip:
        entry.jobs.sort(key=lambda job: (-job.priority, job.due_date or datetime.date.max))

    open_blockers = Blocker.objects.filter(shop=shop, resolved_at__isnull=True, job__is_open=True)
    blocker_count = open_blockers.count()
    blockers = list(
        open_blockers.select_related("job", "owner", "operation__work_center").order_by(
            "raised_at", "pk"
        )[:BOARD_BLOCKER_LIMIT]
    )
    for blocker in blockers:
        blocker.age_label = live.short_age(now - blocker.raised_at)

    start_of_day = timezone.make_aware(
        datetime.datetime.combine(today, datetime.time.min), timezone.get_current_timezone()
    )
    finished = Operation.objects.filter(
        job__shop=shop, status=OperationStatus.DONE, finished_at__gte=start_of_day
    )
    counted = finished.aggregate(n=Count("pk"))["n"]
    finished_today = list(
        finished.select_related("job", "work_center", "finished_by").order_by("-finished_at")[
            :BOARD_FINISHED_LIMIT
        ]
    )
    return Board(
        today=today,
        now=now,
        wip=wip,
        late=late[:BOARD_LIST_LIMIT],
        at_risk=at_risk[:BOARD_LIST_LIMIT],
        late_count=len(late),
        at_risk_count=len(at_risk),
        open_jobs=len(jobs),
        blockers=blockers,
        blocker_count=blocker_count,
        finished_today=finished_today,
        finished_today_count=counted,
    )
