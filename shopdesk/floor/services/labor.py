"""Labor entries: who worked on which operation, from when to when.

Opened and closed by the floor actions (floor.services.actions) inside their transaction,
which holds the job row; closed at the shop's shift end by `labor_shift_end`. Nobody types a
timesheet.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from shopdesk.core.errors import ActionRefused
from shopdesk.core.event_kinds import EventKind
from shopdesk.core.models import Shop
from shopdesk.core.services import event_append
from shopdesk.jobs.models import Job, LaborEndReason, LaborEntry, Operation, OperationStatus
from shopdesk.lib.db import for_update


def _name(user: AbstractBaseUser) -> str:
    return user.get_full_name() or user.get_username()


def labor_open(
    *,
    user: AbstractBaseUser,
    operation: Operation,
    job: Job,
    at: datetime.datetime,
    anyone_on_it: bool = True,
) -> LaborEntry | None:
    """Open the operator's entry on the operation; None when one is already open.

    A caller starting an operation that is not running passes anyone_on_it=False: nobody has
    an open entry on it (pausing it, finishing it and the shift end close them all first), so
    there is nothing to look for.
    Call inside the floor action's transaction, holding the job row.
    """
    if (
        anyone_on_it
        and LaborEntry.objects.filter(
            operation=operation, user=user, ended_at__isnull=True
        ).exists()
    ):
        return None
    return LaborEntry.objects.create(
        shop_id=job.shop_id, job=job, operation=operation, user=user, started_at=at
    )


def labor_close(
    *,
    operation: Operation,
    at: datetime.datetime,
    reason: str,
    user: AbstractBaseUser | None = None,
) -> list[LaborEntry]:
    """Close the open entries on the operation (only `user`'s when given). Answers them.

    Call inside the floor action's transaction, holding the job row.
    """
    entries = for_update(LaborEntry.objects).filter(operation=operation, ended_at__isnull=True)
    if user is not None:
        entries = entries.filter(user=user)
    closed = list(entries.select_related("user"))
    _close(closed, at=at, reason=reason)
    return closed


def labor_pause(
    *,
    user: AbstractBaseUser,
    operation: Operation,
    at: datetime.datetime,
    for_everyone_allowed: bool = True,
) -> tuple[int, list[AbstractBaseUser]]:
    """Pause: close the operator's own open entry on the operation, or everyone's when they
    have none (a supervisor pausing it). Answers how many entries it closed and the people
    still on it, in the order they started. One read of the open entries, one write.

    Someone not on it who may not pause it for everyone (`for_everyone_allowed` false) is
    refused while others are on it: their pause would stop other people's time.
    Call inside the floor action's transaction, holding the job row.
    """
    entries = list(
        for_update(LaborEntry.objects)
        .filter(operation=operation, ended_at__isnull=True)
        .select_related("user")
        .order_by("started_at", "id")
    )
    mine = [entry for entry in entries if entry.user_id == user.pk]
    if entries and not mine and not for_everyone_allowed:
        names = ", ".join(_name(entry.user) for entry in entries)
        raise ActionRefused(
            f"You are not on Op {operation.sequence} {operation.name} ({names} "
            f"{'is' if len(entries) == 1 else 'are'} on it). Join it to record your time; "
            "only a supervisor can pause it for everyone."
        )
    closing = mine or entries
    _close(closing, at=at, reason=LaborEndReason.PAUSE)
    closed_ids = {entry.pk for entry in closing}
    still_on = [entry.user for entry in entries if entry.pk not in closed_ids]
    return len(closing), still_on


def _close(entries: list[LaborEntry], *, at: datetime.datetime, reason: str) -> None:
    for entry in entries:
        # A clock set back must not make an entry end before it starts.
        entry.ended_at = max(at, entry.started_at)
        entry.end_reason = reason
    if not entries:
        return
    if all(entry.ended_at == at for entry in entries):
        # The usual case: one UPDATE with plain values.
        LaborEntry.objects.filter(pk__in=[entry.pk for entry in entries]).update(
            ended_at=at, end_reason=reason
        )
    else:
        LaborEntry.objects.bulk_update(entries, ["ended_at", "end_reason"])


def shift_end_at(shop: Shop, day: datetime.date) -> datetime.datetime | None:
    """The shop's shift end on `day` as an aware datetime in the site's time zone."""
    if shop.shift_end_time is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, shop.shift_end_time))


def first_shift_end_after(shop: Shop, moment: datetime.datetime) -> datetime.datetime | None:
    """The first shift end after `moment`: that day's, or the next day's if it had passed."""
    day = timezone.localtime(moment).date()
    ends_at = shift_end_at(shop, day)
    if ends_at is not None and ends_at <= moment:
        ends_at = shift_end_at(shop, day + datetime.timedelta(days=1))
    return ends_at


@transaction.atomic
def labor_shift_end_for_shop(*, shop: Shop, now: datetime.datetime | None = None) -> int:
    """Close every open entry of the shop whose shift has ended.

    Each entry ends at the first shift end after it started (not when this runs: a check
    that ran late, or a server that was down, still records the right time), with reason
    shift_end, and each closing appends an event on its job. An entry started after today's
    shift end (overtime) runs until the operator pauses it or the next shift end. Running it
    again closes nothing more. Answers how many entries it closed.
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    today_end = shift_end_at(shop, today)
    if today_end is None:
        return 0
    # The latest shift end that has passed: today's, or yesterday's before today's comes.
    latest_end = (
        today_end if now >= today_end else shift_end_at(shop, today - datetime.timedelta(days=1))
    )
    due = LaborEntry.objects.filter(shop=shop, ended_at__isnull=True, started_at__lt=latest_end)
    # Jobs first, in id order, as the floor actions lock them: no deadlock with an operator.
    list(
        for_update(Job.objects)
        .filter(pk__in=due.values("job_id"))
        .order_by("id")
        .values_list("id", flat=True)
    )
    entries = list(for_update(due).select_related("user", "operation", "job").order_by("id"))
    for entry in entries:
        entry.ended_at = first_shift_end_after(shop, entry.started_at) or latest_end
        entry.end_reason = LaborEndReason.SHIFT_END
    LaborEntry.objects.bulk_update(entries, ["ended_at", "end_reason"])
    # An operation nobody is on any more is paused, so the board does not show it running.
    still_on = set(
        LaborEntry.objects.filter(
            operation_id__in={e.operation_id for e in entries}, ended_at__isnull=True
        ).values_list("operation_id", flat=True)
    )
    (
        Operation.objects.filter(pk__in={e.operation_id for e in entries} - still_on)
        .filter(status=OperationStatus.RUNNING)
        .update(status=OperationStatus.PAUSED)
    )
    for entry in entries:
        operation = entry.operation
        event_append(
            shop=shop,
            actor=None,
            kind=EventKind.LABOR_SHIFT_END,
            subject=entry,
            job=entry.job,
            summary=(
                f"Shift end: {_name(entry.user)}'s time on Op {operation.sequence} "
                f"{operation.name} paused at {timezone.localtime(entry.ended_at):%H:%M}"
            ),
            before={"ended_at": None, "operation_status": operation.status},
            after={
                "ended_at": entry.ended_at.isoformat(),
                "end_reason": LaborEndReason.SHIFT_END,
                "user_id": entry.user_id,
                "operation_id": entry.operation_id,
                "operation_status": (
                    OperationStatus.PAUSED
                    if operation.status == OperationStatus.RUNNING
                    and entry.operation_id not in still_on
                    else operation.status
                ),
            },
        )
    return len(entries)


def labor_shift_end(*, now: datetime.datetime | None = None) -> int:
    """Run the shift end for every shop that has one set. Answers the entries closed."""
    now = now or timezone.now()
    closed = 0
    shop_ids = (
        LaborEntry.objects.filter(ended_at__isnull=True, shop__shift_end_time__isnull=False)
        .values_list("shop_id", flat=True)
        .distinct()
    )
    for shop in Shop.objects.filter(pk__in=list(shop_ids)):
        closed += labor_shift_end_for_shop(shop=shop, now=now)
    return closed
