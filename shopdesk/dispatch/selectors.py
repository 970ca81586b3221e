"""Reads for the floor: each work center's dispatch list and the shop's live board.

Both cost a fixed number of queries whatever the queue length or the number of open jobs:
the operations and their jobs in one query. The work left per job, which the critical ratio
divides by, is derived state stored on the job (Job.work_days_left, by the live job page's
rules; jobs.derive keeps it current), not summed over every routing on every refresh.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections
from django.db.models import Count, FloatField, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from shopdesk.core.event_kinds import EventKind
from shopdesk.core.models import Event, Shop
from shopdesk.jobs import live
from shopdesk.jobs.models import (
    Blocker,
    Job,
    JobStage,
    JobState,
    Operation,
    OperationStatus,
    WorkCenter,
    earlier_operation_pending,
    inside_operation_q,
    operation_is_ready,
)
from shopdesk.lib import db

HOURS = Decimal("60")
BOARD_LIST_LIMIT = 12
BOARD_FINISHED_LIMIT = 40
BOARD_BLOCKER_LIMIT = 20


@functools.lru_cache(maxsize=4096)
def working_days_left(today: datetime.date, due: datetime.date) -> int:
    """Weekdays until the due date; negative for a due date passed (weekdays late)."""
    if due >= today:
        return live.working_days_until(today, due)
    return -live.working_days_until(due, today)


def critical_ratio(due: datetime.date | None, today: datetime.date, days: float) -> Decimal | None:
    """Working days to the due date ÷ working days of work left (each operation at its own
    work center's hours per day), to two places. Below 1: late unless it moves; negative once
    past due. None without a due date or without work left to measure against. The dispatch
    lists, the kiosk, the board and the dashboard all use this one figure."""
    return _ratio_decimal(_ratio(due, today, days))


def _ratio(due: datetime.date | None, today: datetime.date, days: float) -> float | None:
    """critical_ratio as a float rounded to two places: what a long list orders by, the same
    figure the rows show."""
    if due is None or not days or days <= 0:
        return None
    return round(working_days_left(today, due) / days, 2)


def _ratio_decimal(ratio: float | None) -> Decimal | None:
    return None if ratio is None else Decimal(f"{ratio:.2f}")


# ---------------------------------------------------------------------------- dispatch list


@dataclass
class DispatchRow:
    operation: Operation
    job: Job
    status: str  # running, paused or ready
    estimate_minutes: Decimal  # setup + run for the whole quantity, as planned
    remaining_minutes: Decimal  # what is left of this operation
    critical_ratio: Decimal | None
    next_operation: NextOperation | None
    waiting_for: str = ""
    position: int = 0
    move_url: str = ""  # set by the dispatch page for its move buttons

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
    # Set when the list holds only the first rows (dispatch_list(limit=...)): the figures of
    # the whole queue, which the rows shown would understate.
    ready_count_all: int | None = None
    upcoming_count_all: int | None = None
    queue_minutes_all: Decimal | None = None

    @property
    def ready_count(self) -> int:
        return len(self.ready) if self.ready_count_all is None else self.ready_count_all

    @property
    def upcoming_count(self) -> int:
        return len(self.upcoming) if self.upcoming_count_all is None else self.upcoming_count_all

    @property
    def is_cut(self) -> bool:
        return self.ready_count > len(self.ready) or self.upcoming_count > len(self.upcoming)

    @property
    def queue_minutes(self) -> Decimal:
        if self.queue_minutes_all is not None:
            return self.queue_minutes_all
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
    return _order_key(
        operation.dispatch_rank,
        job.priority,
        row.critical_ratio,
        job.due_date,
        job.number,
        operation.sequence,
        operation.pk,
    )


def _order_key(
    rank: int | None,
    priority: int,
    ratio: Decimal | None,
    due: datetime.date | None,
    number: int,
    sequence: int,
    pk: int,
) -> tuple:
    return (
        rank is None,
        rank or 0,
        -priority,
        ratio is None,
        ratio or 0,
        due is None,
        due or datetime.date.min,
        number,
        sequence,
        pk,
    )


def _dispatch_row(operation: Operation, ratio: Decimal | None) -> DispatchRow:
    """A row of the list for an operation loaded with its job (next operation not yet set)."""
    job = operation.job
    return DispatchRow(
        operation=operation,
        job=job,
        status=operation.status if operation.status != OperationStatus.PENDING else "ready",
        estimate_minutes=operation.setup_minutes + operation.run_minutes * (job.quantity or 0),
        remaining_minutes=live.operation_minutes(
            job.quantity,
            operation.status,
            operation.setup_minutes,
            operation.run_minutes,
            operation.qty_good,
            operation.qty_scrap,
        ),
        critical_ratio=ratio,
        next_operation=None,
    )


def _is_ready(operation: Operation, job: Job) -> bool:
    """The ready rule (jobs.models.operation_is_ready) for an operation annotated by
    _waiting_at with whether an earlier one of its job is still pending."""
    return operation_is_ready(
        status=operation.status,
        open_blockers=job.open_blocker_count,
        earlier_pending=operation.earlier_pending,
    )


def _waiting_at(shop: Shop, work_center: WorkCenter) -> QuerySet[Operation]:
    """The operations a dispatch list orders: not done, at the work center, on the shop's
    released jobs (ready or upcoming)."""
    # Outside operations (at a supplier) have no work center and are never on a list; the
    # explicit filter keeps that true whatever the work center argument.
    return (
        Operation.objects.filter(inside_operation_q(), work_center=work_center, job__shop=shop)
        .filter(job__state=JobState.RELEASED)
        .exclude(status__in=[OperationStatus.DONE, OperationStatus.AT_SUPPLIER])
        .annotate(earlier_pending=earlier_operation_pending())
    )


def dispatch_list(
    shop: Shop,
    work_center: WorkCenter,
    *,
    today: datetime.date | None = None,
    for_update: bool = False,
    limit: int | None = None,
) -> DispatchList:
    """The work center's ready operations in the order to run them, and the upcoming ones.

    At most four queries whatever the queue length. `for_update` locks the operation rows
    (call inside a transaction; services.dispatch does). With `limit`, only the first `limit`
    ready and upcoming rows are loaded whole (the order, counts and queue hours still cover
    every row): a page cannot show 2,000 rows in the time a floor page has.
    """
    today = today or timezone.localdate()
    if limit is not None and not for_update:
        return _dispatch_list_first(shop, work_center, today=today, limit=limit)
    operations = (
        _waiting_at(shop, work_center)
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
        operations = db.for_update(operations)
    operations = list(operations)
    next_ops = _next_operations(operations) if operations else {}
    blocker_kinds = _open_blocker_kinds(
        {op.job_id for op in operations if op.job.open_blocker_count}
    )

    result = DispatchList(work_center=work_center)
    for operation in operations:
        job = operation.job
        row = _dispatch_row(operation, critical_ratio(job.due_date, today, job.work_days_left))
        row.next_operation = next_ops.get(operation.pk)
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


# What a shown row of a long list reads (the dispatch page, the kiosk queue, the API).
SHOWN_ROW_FIELDS = (
    "id",
    "job_id",
    "sequence",
    "name",
    "status",
    "setup_minutes",
    "run_minutes",
    "qty_good",
    "qty_scrap",
    "dispatch_rank",
    "work_center_id",
    "job__id",
    "job__shop_id",
    "job__number",
    "job__customer_id",
    "job__part_id",
    "job__revision",
    "job__quantity",
    "job__priority",
    "job__due_date",
    "job__state",
    "job__open_blocker_count",
    "job__is_open",
    "job__current_operation_id",
    "job__customer__id",
    "job__customer__name",
    "job__customer__code",
    "job__part__id",
    "job__part__number",
    "job__part__description",
    "job__current_operation__id",
    "job__current_operation__sequence",
    "job__current_operation__name",
    "job__current_operation__status",
    "job__current_operation__work_center_id",
    "job__current_operation__work_center__id",
    "job__current_operation__work_center__name",
)


def _dispatch_list_first(
    shop: Shop, work_center: WorkCenter, *, today: datetime.date, limit: int
) -> DispatchList:
    """dispatch_list(limit=...): every candidate as a plain row to order it, by the same rules
    and the same figures, then the first `limit` ready and upcoming rows as full objects."""
    # Minutes as floats, read without Django's converters: Decimal fields are converted value
    # by value, which at 2,000 rows costs more than the query.
    real = FloatField()
    candidates = (
        _waiting_at(shop, work_center)
        .order_by()
        .annotate(setup=Cast("setup_minutes", real), run=Cast("run_minutes", real))
        .values_list(
            "pk",
            "status",
            "setup",
            "run",
            "qty_good",
            "qty_scrap",
            "dispatch_rank",
            "sequence",
            "job__number",
            "job__priority",
            "job__due_date",
            "job__quantity",
            "job__open_blocker_count",
            "earlier_pending",
            "job__work_days_left",
        )
    )
    # Ordered as plain tuples; a DispatchRow is made only for the rows shown.
    ready, upcoming = [], []
    queue_minutes = 0.0
    for values in _plain_rows(candidates):
        pk, status, setup, run, good, scrap, rank, sequence = values[:8]
        number, priority, due, quantity, blockers, earlier_pending, days = values[8:]
        due = _date(due)
        ratio = _ratio(due, today, days)
        key = _order_key(rank, priority, ratio, due, number, sequence, pk)
        if operation_is_ready(
            status=status, open_blockers=blockers, earlier_pending=bool(earlier_pending)
        ):
            ready.append((key, pk, ratio))
            queue_minutes += live.operation_minutes(quantity, status, setup, run, good, scrap)
        else:
            upcoming.append((key[2:], pk, ratio))
    ready.sort()
    upcoming.sort()

    result = DispatchList(
        work_center=work_center,
        ready_count_all=len(ready),
        upcoming_count_all=len(upcoming),
        queue_minutes_all=_decimal(queue_minutes, "0.01"),
    )
    shown_plain = ready[:limit] + upcoming[:limit]
    # The rows shown, with what a row shows of their operation, job, customer, part and where
    # the job is now: a job has dozens of columns, and building 500 whole objects costs more
    # than the query.
    whole = {
        op.pk: op
        for op in Operation.objects.filter(pk__in=[values[1] for values in shown_plain])
        .select_related(
            "job",
            "job__customer",
            "job__part",
            "job__current_operation",
            "job__current_operation__work_center",
        )
        .only(*SHOWN_ROW_FIELDS)
        .order_by()
    }

    def whole_row(values: tuple) -> DispatchRow:
        _, pk, ratio = values
        return _dispatch_row(whole[pk], _ratio_decimal(ratio))

    result.ready = [whole_row(values) for values in ready[:limit]]
    result.upcoming = [whole_row(values) for values in upcoming[:limit]]
    for position, row in enumerate(result.ready, start=1):
        row.position = position
    shown = result.ready + result.upcoming
    next_ops = _next_operations([row.operation for row in shown]) if shown else {}
    blocker_kinds = _open_blocker_kinds(
        {row.job.pk for row in result.upcoming if row.job.open_blocker_count}
    )
    for row in shown:
        row.next_operation = next_ops.get(row.operation.pk)
    for row in result.upcoming:
        row.waiting_for = _waiting_for(row.job, blocker_kinds.get(row.job.pk, []))
    return result


def _plain_rows(query: QuerySet) -> list[tuple]:
    """A values_list query's rows as the database driver returns them, without Django's
    value-by-value converters. The caller reads dates with _date (SQLite answers text)."""
    sql, params = query.query.sql_with_params()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@functools.lru_cache(maxsize=4096)
def _date(value: str | datetime.date | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class CenterRef:
    id: int
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class NextOperation:
    """What a dispatch row says of the operation after it: plain values, not a model (a page
    of rows would otherwise build every operation of every shown job)."""

    id: int
    sequence: int
    name: str
    status: str
    work_center: CenterRef | None
    outside_vendor: str = ""

    @property
    def where(self) -> str:
        return (
            f"{self.outside_vendor} (outside)"
            if self.work_center is None
            else str(self.work_center)
        )

    @property
    def pk(self) -> int:
        return self.id


def _next_operations(operations: list[Operation]) -> dict[int, NextOperation]:
    """For each operation, the one after it in its job's routing (with its work center)."""
    routing = (
        Operation.objects.filter(job_id__in={op.job_id for op in operations})
        .order_by("job_id", "sequence", "pk")
        .values_list(
            "id",
            "job_id",
            "sequence",
            "name",
            "status",
            "work_center_id",
            "work_center__name",
            "outside_vendor",
        )
    )
    following: dict[int, NextOperation] = {}
    previous: tuple | None = None
    for values in routing:
        if previous is not None and previous[1] == values[1]:
            following[previous[0]] = NextOperation(
                id=values[0],
                sequence=values[2],
                name=values[3],
                status=values[4],
                # None when the next operation is outside work, at a supplier.
                work_center=CenterRef(id=values[5], name=values[6]) if values[5] else None,
                outside_vendor=values[7],
            )
        previous = values
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
    if current is not None and current.is_outside:
        return f"Op {current.sequence} {current.name} at {current.outside_vendor} (outside)"
    if current is None or current.status != OperationStatus.PENDING:
        # The job's current operation has started (this one may overlap it once the ones
        # between have): what it waits for is a later one, not yet started.
        return "An earlier operation, not yet started"
    return f"Op {current.sequence} {current.name} at {current.work_center}"


# ---------------------------------------------------------------------------------- board


@dataclass(slots=True)
class FloorJob:
    """An open job as the board needs it: read as a plain row, not a model instance, because
    the board reads every open job of the shop every few seconds."""

    pk: int
    number: int
    priority: int
    due_date: datetime.date | None
    stage: str
    open_blocker_count: int
    current_status: str
    current_work_center_id: int | None
    current_work_center_name: str
    customer_name: str
    part_number: str
    # The supplier, when the current operation is outside work (no work center).
    current_vendor: str = ""
    days_late: int = 0
    critical_ratio: Decimal | None = None
    days_needed: Decimal = Decimal("0")

    @property
    def display_number(self) -> str:
        return f"J-{self.number}"

    @property
    def stage_label(self) -> str:
        """The words of Job.stage_label, and where outside work is."""
        if self.current_vendor:
            if self.current_status == OperationStatus.AT_SUPPLIER:
                return f"At {self.current_vendor} (outside)"
            return f"To send out to {self.current_vendor}"
        if self.stage == JobStage.IN_PRODUCTION and self.current_work_center_name:
            return f"In production at {self.current_work_center_name}"
        return JobStage(self.stage).label

    @property
    def at_supplier(self) -> bool:
        return self.current_status == OperationStatus.AT_SUPPLIER


@dataclass
class WorkCenterWip:
    """The jobs whose current operation is at one work center, and the work they hold there."""

    work_center: WorkCenter
    jobs: list[FloorJob] = field(default_factory=list)
    queue_minutes: Decimal = Decimal("0")

    @property
    def running(self) -> int:
        return sum(1 for job in self.jobs if job.current_status == OperationStatus.RUNNING)

    @property
    def waiting(self) -> int:
        return len(self.jobs) - self.running

    @property
    def not_started(self) -> int:
        """Jobs released whose first operation is waiting here (stage 'released')."""
        return sum(1 for job in self.jobs if job.stage == JobStage.RELEASED)

    @property
    def in_production(self) -> int:
        return len(self.jobs) - self.not_started

    @property
    def blocked(self) -> int:
        return sum(1 for job in self.jobs if job.open_blocker_count)

    @property
    def hours_per_day(self) -> Decimal:
        return self.work_center.hours_per_day or live.HOURS_PER_DAY_FALLBACK

    @property
    def queue_hours(self) -> Decimal:
        return (self.queue_minutes / HOURS).quantize(Decimal("0.1"))

    @property
    def queue_days(self) -> Decimal:
        return (self.queue_minutes / HOURS / self.hours_per_day).quantize(Decimal("0.1"))


@dataclass
class StageCount:
    stage: str
    label: str
    count: int


@dataclass
class Board:
    today: datetime.date
    now: datetime.datetime
    wip: list[WorkCenterWip]
    late: list[FloorJob]
    # Released jobs whose current operation is outside work: at a supplier or to send out.
    outside: list[FloorJob]
    at_risk: list[FloorJob]
    late_count: int
    at_risk_count: int
    open_jobs: int
    blockers: list[Blocker]
    blocker_count: int
    finished_today: list[Operation]
    finished_today_count: int
    stages: list[StageCount] = field(default_factory=list)

    @property
    def wip_jobs(self) -> int:
        """Jobs on the floor with an operation waiting or running at a work center."""
        return sum(len(entry.jobs) for entry in self.wip)

    @property
    def open_all_stages(self) -> int:
        return sum(entry.count for entry in self.stages)

    @property
    def stage_segments(self) -> list[dict]:
        """The stacked bar of open jobs by stage: each stage's share and where it starts, in
        percent of the bar."""
        total = self.open_all_stages
        segments, start = [], Decimal("0")
        for entry in self.stages:
            share = Decimal(entry.count * 100) / total if total else Decimal("0")
            share = share.quantize(Decimal("0.01"))
            segments.append({"entry": entry, "start": start, "share": share})
            start += share
        return segments

    @property
    def busiest_hours(self) -> Decimal:
        """The scale of the queue chart: the longest queue or the longest day, whichever is
        more, so a bar and the one-day mark share one axis."""
        values = [entry.queue_hours for entry in self.wip] + [e.hours_per_day for e in self.wip]
        return max(values, default=Decimal("0")) or Decimal("1")


def _decimal(value: float | None, places: str = "0.0001") -> Decimal:
    """A float summed by the database, as the Decimal the pages show."""
    return Decimal(repr(value or 0.0)).quantize(Decimal(places))


def board(
    shop: Shop, *, now: datetime.datetime | None = None, list_limit: int = BOARD_LIST_LIMIT
) -> Board:
    """The shop's live board (and the supervisor dashboard), in six queries whatever the
    number of open jobs. `list_limit` caps the late and at-risk lists (the counts are whole).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    # Every open job in one query, as plain rows: the planned ones are only counted, the
    # released ones are the floor.
    rows = (
        Job.objects.filter(shop=shop, is_open=True)
        .values_list(
            "id",
            "number",
            "priority",
            "due_date",
            "stage",
            "state",
            "open_blocker_count",
            "current_operation__status",
            "current_work_center_id",
            "current_work_center__name",
            "customer__name",
            "part__number",
            "work_days_left",
            "current_minutes_left",
            "current_operation__outside_vendor",
        )
        .order_by()
    )
    by_stage: dict[str, int] = defaultdict(int)
    jobs: list[FloorJob] = []
    days_left: dict[int, float] = {}
    queue: dict[int | None, float] = defaultdict(float)
    for (
        pk,
        number,
        priority,
        due_date,
        stage,
        state,
        open_blockers,
        current_status,
        center_id,
        center_name,
        customer_name,
        part_number,
        work_days_left,
        current_minutes_left,
        current_vendor,
    ) in rows:
        by_stage[stage] += 1
        if state != JobState.RELEASED:
            continue
        days_left[pk] = work_days_left
        if center_id is not None:
            # Outside work queues at the supplier, not at any of the shop's work centers.
            queue[center_id] += current_minutes_left
        jobs.append(
            FloorJob(
                pk=pk,
                number=number,
                priority=priority,
                due_date=due_date,
                stage=stage,
                open_blocker_count=open_blockers,
                current_status=current_status or "",
                current_work_center_id=center_id,
                current_work_center_name=center_name or "",
                customer_name=customer_name,
                part_number=part_number,
                current_vendor=current_vendor or "",
            )
        )
    centers = {wc.pk: WorkCenterWip(work_center=wc) for wc in WorkCenter.objects.filter(shop=shop)}
    for center_id, minutes in queue.items():
        if center_id in centers:
            centers[center_id].queue_minutes = _decimal(minutes)
    late: list[FloorJob] = []
    at_risk: list[FloorJob] = []
    outside: list[FloorJob] = []
    for job in jobs:
        due = job.due_date
        days = days_left.get(job.pk, 0.0)
        job.days_needed = _decimal(days, "0.1")
        if due is not None:
            if due < today:
                job.days_late = (today - due).days
            job.critical_ratio = critical_ratio(due, today, days)
        if job.current_work_center_id in centers:
            centers[job.current_work_center_id].jobs.append(job)
        elif job.current_vendor:
            outside.append(job)
        if job.days_late:
            late.append(job)
        elif job.critical_ratio is not None and job.critical_ratio < 1:
            at_risk.append(job)
    late.sort(key=lambda job: (-job.days_late, -job.priority, job.number))
    outside.sort(key=lambda job: (job.current_vendor.lower(), job.due_date or datetime.date.max))
    at_risk.sort(key=lambda job: (job.critical_ratio, -job.priority, job.number))
    wip = [entry for entry in centers.values() if entry.jobs or entry.work_center.active]
    wip.sort(key=lambda entry: entry.work_center.name.lower())
    for entry in wip:
        entry.jobs.sort(
            key=lambda job: (-job.priority, job.due_date or datetime.date.max, job.number)
        )

    stages = [
        StageCount(stage=stage.value, label=stage.label, count=by_stage.get(stage.value, 0))
        for stage in map(JobStage, JobStage.open_stages())
    ]

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
    # Today's finish events find today's finished operations through the event log's
    # (shop, created_at) index; a filter on Operation.finished_at would read every operation
    # ever finished (no index on it), which at 100,000 jobs is most of a second.
    finished_ids = Event.objects.filter(
        shop=shop,
        # Finished at a work center, or received back from a supplier.
        kind__in=[EventKind.OPERATION_FINISH, EventKind.OPERATION_RECEIVED],
        subject_type="operation",
        created_at__gte=start_of_day,
    ).values("subject_id")
    finished = Operation.objects.filter(
        pk__in=finished_ids,
        job__shop=shop,
        status=OperationStatus.DONE,
        finished_at__gte=start_of_day,
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
        outside=outside,
        late=late[:list_limit],
        at_risk=at_risk[:list_limit],
        late_count=len(late),
        at_risk_count=len(at_risk),
        open_jobs=len(jobs),
        blockers=blockers,
        blocker_count=blocker_count,
        finished_today=finished_today,
        finished_today_count=counted,
        stages=stages,
    )
