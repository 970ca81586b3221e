"""Labor capture: floor actions open and close labor entries; the shift end pauses them."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from shopdesk.core.errors import ActionRefused
from shopdesk.core.models import Event, Role
from shopdesk.core.tests.factories import member
from shopdesk.floor import services as floor_services
from shopdesk.floor.services.labor import labor_shift_end
from shopdesk.jobs import labor
from shopdesk.jobs.models import LaborEndReason, LaborEntry, OperationStatus


def _ops(job):
    return list(job.operations.order_by("sequence"))


def _act(user, operation, action, **extra):
    return floor_services.floor_action(
        user=user, operation=operation, action=action, client_id=uuid.uuid4().hex, **extra
    )


@pytest.fixture
def second_operator(shop):
    return member(shop, Role.OPERATOR, username="petra", first_name="Petra", last_name="Press")


def test_start_opens_an_entry_for_the_acting_operator(released_job, operator):
    first = _ops(released_job)[0]
    _act(operator, first, "start")
    entry = LaborEntry.objects.get()
    assert (entry.user, entry.operation, entry.job) == (operator, first, released_job)
    assert entry.is_open and entry.end_reason == ""


def test_two_operators_on_one_operation_each_have_an_entry(released_job, operator, second_operator):
    first = _ops(released_job)[0]
    _act(operator, first, "start")
    _act(second_operator, first, "start")  # joins the running operation
    assert LaborEntry.objects.filter(operation=first, ended_at__isnull=True).count() == 2
    assert Event.objects.filter(summary__contains="Petra Press joined Op 1").exists()

    # One pauses: only their entry closes, the operation keeps running for the other.
    _act(second_operator, first, "pause")
    first.refresh_from_db()
    assert first.status == OperationStatus.RUNNING
    petra = LaborEntry.objects.get(user=second_operator)
    assert petra.end_reason == LaborEndReason.PAUSE and not petra.is_open
    assert LaborEntry.objects.get(user=operator).is_open
    assert labor.on_operation([first.pk]) == {first.pk: ["Oscar Operator"]}

    # The last one pausing pauses the operation.
    _act(operator, first, "pause")
    first.refresh_from_db()
    assert first.status == OperationStatus.PAUSED
    assert not LaborEntry.objects.filter(ended_at__isnull=True).exists()


def test_starting_twice_on_the_same_operation_is_refused(released_job, operator):
    first = _ops(released_job)[0]
    _act(operator, first, "start")
    with pytest.raises(ActionRefused, match="you are on it"):
        _act(operator, first, "start")
    assert LaborEntry.objects.count() == 1


def test_one_operator_on_two_operations(released_job, operator, supervisor):
    first, second, _ = _ops(released_job)
    # Overlap: the second operation runs while the first is still running.
    _act(operator, first, "start")
    second.status = OperationStatus.PAUSED  # resumable without the first being finished
    second.save(update_fields=["status"])
    _act(operator, second, "start")
    assert set(
        LaborEntry.objects.filter(user=operator, ended_at__isnull=True).values_list(
            "operation_id", flat=True
        )
    ) == {first.pk, second.pk}
    _act(operator, first, "pause")
    assert LaborEntry.objects.get(operation=second).is_open


def test_finish_closes_every_open_entry_on_the_operation(released_job, operator, second_operator):
    first = _ops(released_job)[0]
    _act(operator, first, "start")
    _act(second_operator, first, "start")
    _act(operator, first, "finish", qty_good=100)
    entries = list(LaborEntry.objects.filter(operation=first))
    assert len(entries) == 2
    assert {e.end_reason for e in entries} == {LaborEndReason.FINISH}
    assert all(e.ended_at is not None for e in entries)


def test_a_supervisor_not_on_it_pauses_it_for_everyone(released_job, operator, supervisor):
    first = _ops(released_job)[0]
    _act(operator, first, "start")
    _act(supervisor, first, "pause")
    first.refresh_from_db()
    assert first.status == OperationStatus.PAUSED
    assert LaborEntry.objects.get().end_reason == LaborEndReason.PAUSE


def test_a_replayed_start_opens_no_second_entry(released_job, operator):
    first = _ops(released_job)[0]
    for _ in range(2):
        floor_services.floor_action(
            user=operator, operation=first, action="start", client_id="lab-0001"
        )
    assert LaborEntry.objects.count() == 1


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def test_shift_end_pauses_open_entries_once(shop, released_job, operator, second_operator):
    shop.shift_end_time = datetime.time(16, 30)
    shop.save()
    first, second, _ = _ops(released_job)
    today = timezone.localdate()
    LaborEntry.objects.create(
        shop=shop, job=released_job, operation=first, user=operator, started_at=_at(today, 8)
    )
    LaborEntry.objects.create(
        shop=shop,
        job=released_job,
        operation=first,
        user=second_operator,
        started_at=_at(today, 9),
    )
    first.status = OperationStatus.RUNNING
    first.save(update_fields=["status"])

    # Before the shift end nothing closes.
    assert labor_shift_end(now=_at(today, 16, 29)) == 0
    assert LaborEntry.objects.filter(ended_at__isnull=True).count() == 2

    assert labor_shift_end(now=_at(today, 16, 31)) == 2
    for entry in LaborEntry.objects.all():
        assert entry.end_reason == LaborEndReason.SHIFT_END
        assert entry.ended_at == _at(today, 16, 30)  # the shift end, not when the check ran
    first.refresh_from_db()
    assert first.status == OperationStatus.PAUSED
    events = Event.objects.filter(kind="labor.shift_end")
    assert events.count() == 2
    assert "Oscar Operator's time on Op 1 Saw paused at 16:30" in events.order_by("id")[0].summary

    # Idempotent: again, nothing more closes and no more events.
    assert labor_shift_end(now=_at(today, 16, 45)) == 0
    assert Event.objects.filter(kind="labor.shift_end").count() == 2


def test_shift_end_leaves_overtime_and_shops_without_a_shift_end(
    shop, other_shop, released_job, other_job, operator, outsider
):
    shop.shift_end_time = datetime.time(16, 0)
    shop.save()
    first = _ops(released_job)[0]
    today = timezone.localdate()
    overtime = LaborEntry.objects.create(
        shop=shop, job=released_job, operation=first, user=operator, started_at=_at(today, 17)
    )
    beta = LaborEntry.objects.create(
        shop=other_shop,
        job=other_job,
        operation=other_job.operations.get(),
        user=outsider,
        started_at=_at(today, 8),
    )
    assert labor_shift_end(now=_at(today, 18)) == 0
    overtime.refresh_from_db()
    beta.refresh_from_db()
    assert overtime.is_open and beta.is_open


def test_shift_end_command(shop, released_job, operator, capsys):
    shop.shift_end_time = datetime.time(0, 0)
    shop.save()
    first = _ops(released_job)[0]
    LaborEntry.objects.create(
        shop=shop,
        job=released_job,
        operation=first,
        user=operator,
        started_at=timezone.now() - datetime.timedelta(days=1),
    )
    call_command("labor_shift_end")
    assert "1 labor entry closed" in capsys.readouterr().out
    assert LaborEntry.objects.get().end_reason == LaborEndReason.SHIFT_END


def test_actual_against_estimated_per_operation_and_job(
    shop, released_job, operator, second_operator
):
    first, second, _ = _ops(released_job)
    now = timezone.now()
    for user, start, end in (
        (operator, now - datetime.timedelta(hours=3), now - datetime.timedelta(hours=1)),
        (second_operator, now - datetime.timedelta(minutes=90), None),
    ):
        LaborEntry.objects.create(
            shop=shop,
            job=released_job,
            operation=first,
            user=user,
            started_at=start,
            ended_at=end,
            end_reason="pause" if end else "",
        )
    summary = labor.job_labor(released_job, now=now)
    saw = summary.operations[0]
    # 30 min setup + 2 min × 100 parts = 230 min planned; 120 + 90 min worked.
    assert saw.estimated_minutes == Decimal("230")
    assert saw.actual_minutes == Decimal("210.00")
    assert saw.percent == 91 and not saw.over
    assert saw.on_it == ["Petra Press"]
    assert summary.operations[1].actual_minutes == 0
    assert summary.estimated_minutes == Decimal("690")
    assert summary.actual_minutes == Decimal("210.00")
    assert summary.on_it == ["Petra Press"]


def test_job_labor_is_one_query(released_job, operator, django_assert_num_queries):
    routing = _ops(released_job)
    for op in routing[:1]:
        _act(operator, op, "start")
    with django_assert_num_queries(1):
        labor.job_labor(released_job, routing)


def test_shift_end_missed_while_down_ends_at_the_right_shift_end(shop, released_job, operator):
    """The server was down at yesterday's shift end: the entry still ends at that time."""
    shop.shift_end_time = datetime.time(16, 30)
    shop.save()
    first = _ops(released_job)[0]
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    LaborEntry.objects.create(
        shop=shop, job=released_job, operation=first, user=operator, started_at=_at(yesterday, 8)
    )
    # This morning, before today's shift end.
    assert labor_shift_end(now=_at(today, 7)) == 1
    assert LaborEntry.objects.get().ended_at == _at(yesterday, 16, 30)


def test_overtime_runs_until_the_next_shift_end(shop, released_job, operator):
    shop.shift_end_time = datetime.time(16, 30)
    shop.save()
    first = _ops(released_job)[0]
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    LaborEntry.objects.create(
        shop=shop, job=released_job, operation=first, user=operator, started_at=_at(yesterday, 18)
    )
    assert labor_shift_end(now=_at(today, 7)) == 0
    assert labor_shift_end(now=_at(today, 16, 31)) == 1
    assert LaborEntry.objects.get().ended_at == _at(today, 16, 30)
