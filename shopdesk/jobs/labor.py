"""Reads for labor: actual against estimated hours per operation and per job, and the entry list.

Actual time is the sum of the labor entries' durations (an open entry counts up to now); the
estimate is setup + run per part × the job's quantity, as the routing plans it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from shopdesk.core.models import Shop
from shopdesk.jobs import live
from shopdesk.jobs.models import Job, LaborEntry, Operation

MINUTE = Decimal("60")


def _minutes(delta: datetime.timedelta) -> Decimal:
    return (Decimal(delta.total_seconds()) / MINUTE).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


@dataclass
class OperationLabor:
    operation: Operation | None  # None for a job's totals row
    estimated_minutes: Decimal
    actual_minutes: Decimal = Decimal("0")
    entries: int = 0
    on_it: list[str] = field(default_factory=list)  # names of the people clocked on it now

    @property
    def estimated_label(self) -> str:
        return live.minutes_label(self.estimated_minutes)

    @property
    def actual_label(self) -> str:
        return live.minutes_label(self.actual_minutes)

    @property
    def percent(self) -> int | None:
        """Actual as a share of the estimate (may pass 100); None without an estimate."""
        if self.estimated_minutes <= 0:
            return None
        return int((100 * self.actual_minutes / self.estimated_minutes).to_integral_value())

    @property
    def bar_percent(self) -> int:
        """The bar's width: the share, capped at 100 so an overrun fills the bar."""
        if self.percent is None:
            return 100 if self.actual_minutes > 0 else 0
        return min(self.percent, 100)

    @property
    def over(self) -> bool:
        return self.estimated_minutes > 0 and self.actual_minutes > self.estimated_minutes


@dataclass
class JobLabor:
    operations: list[OperationLabor]

    @property
    def estimated_minutes(self) -> Decimal:
        return sum((row.estimated_minutes for row in self.operations), Decimal("0"))

    @property
    def actual_minutes(self) -> Decimal:
        return sum((row.actual_minutes for row in self.operations), Decimal("0"))

    @property
    def total(self) -> OperationLabor:
        """The job's totals in the shape of one row, for the table's footer."""
        return OperationLabor(
            operation=None,
            estimated_minutes=self.estimated_minutes,
            actual_minutes=self.actual_minutes,
            entries=sum(r.entries for r in self.operations),
        )

    @property
    def has_labor(self) -> bool:
        return any(row.entries for row in self.operations)

    @property
    def on_it(self) -> list[str]:
        return sorted({name for row in self.operations for name in row.on_it})


def job_labor(
    job: Job,
    routing: Sequence[Operation] | None = None,
    *,
    now: datetime.datetime | None = None,
) -> JobLabor:
    """Actual against estimated per operation of the job, and the people on each now.

    One query for the entries (and one for the routing when not given).
    """
    now = now or timezone.now()
    if routing is None:
        routing = list(job.operations.order_by("sequence", "id"))
    # Outside work is done by the supplier's people, not the shop's: no labor to compare.
    rows = {
        op.pk: OperationLabor(
            operation=op,
            estimated_minutes=op.setup_minutes + op.run_minutes * (job.quantity or 0),
        )
        for op in routing
        if not op.is_outside
    }
    entries = (
        LaborEntry.objects.filter(job_id=job.pk).select_related("user").order_by("started_at", "id")
    )
    for entry in entries:
        row = rows.get(entry.operation_id)
        if row is None:
            continue
        row.entries += 1
        row.actual_minutes += _minutes(max(entry.duration(now), datetime.timedelta(0)))
        if entry.ended_at is None:
            name = live.person(entry.user)
            if name not in row.on_it:
                row.on_it.append(name)
    return JobLabor(operations=list(rows.values()))


def people_on(operation_ids: Sequence[int]) -> dict[int, list[Any]]:
    """The people clocked on each operation now, in the order they started, in one query."""
    people: dict[int, list[Any]] = defaultdict(list)
    for entry in (
        LaborEntry.objects.filter(operation_id__in=list(operation_ids), ended_at__isnull=True)
        .select_related("user")
        .order_by("started_at", "id")
    ):
        people[entry.operation_id].append(entry.user)
    return dict(people)


def open_work_of(shop: Shop, user: Any) -> list[LaborEntry]:
    """What this person is clocked on now, oldest first, with the job, the operation and its
    work center (one query)."""
    return list(
        LaborEntry.objects.filter(shop=shop, user=user, ended_at__isnull=True)
        .select_related("job", "operation", "operation__work_center")
        .order_by("started_at", "id")
    )


def on_operation(operation_ids: Sequence[int]) -> dict[int, list[str]]:
    """The names of the people clocked on each operation now, in one query."""
    return {
        op_id: [live.person(user) for user in users]
        for op_id, users in people_on(operation_ids).items()
    }


@dataclass(frozen=True)
class LaborFilters:
    job_number: int | None = None
    operation_id: int | None = None
    user_id: int | None = None
    open: bool | None = None
    started_from: datetime.date | None = None
    started_to: datetime.date | None = None


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def labor_entries(shop: Shop, filters: LaborFilters) -> QuerySet[LaborEntry]:
    """The shop's labor entries, newest first, filtered. Dates are local days, inclusive."""
    condition = Q(shop=shop)
    if filters.job_number is not None:
        condition &= Q(job__number=filters.job_number)
    if filters.operation_id is not None:
        condition &= Q(operation_id=filters.operation_id)
    if filters.user_id is not None:
        condition &= Q(user_id=filters.user_id)
    if filters.open is True:
        condition &= Q(ended_at__isnull=True)
    elif filters.open is False:
        condition &= Q(ended_at__isnull=False)
    if filters.started_from is not None:
        condition &= Q(started_at__gte=_day_start(filters.started_from))
    if filters.started_to is not None:
        condition &= Q(started_at__lt=_day_start(filters.started_to + datetime.timedelta(days=1)))
    return (
        LaborEntry.objects.filter(condition)
        .select_related("user", "job", "operation", "operation__work_center")
        .order_by("-started_at", "-id")
    )
