"""The work left stored on each job (Job.work_days_left, Job.current_minutes_left): what the
dispatch lists and the board rank by. Every change that alters it must leave it equal to what
the live job page counts from the routing, or a job at risk would sort as if it were not."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from shopdesk.core.errors import InvalidInput
from shopdesk.dispatch import selectors as dispatch
from shopdesk.dispatch.tests.test_dispatch import first_op, released_job, scan
from shopdesk.jobs import live, services
from shopdesk.jobs.models import Job


def routing_counts(job: Job) -> tuple[float, float]:
    """What the live page counts for the job now, read afresh from its routing."""
    job = Job.objects.get(pk=job.pk)
    routing = list(job.operations.select_related("work_center").order_by("sequence", "id"))
    current = next((op for op in routing if op.pk == job.current_operation_id), None)
    current_minutes = live.remaining_minutes(job, [current]) if current else Decimal("0")
    return float(live.working_days_needed(job, routing)), float(current_minutes)


def stored(job: Job) -> tuple[float, float]:
    job = Job.objects.get(pk=job.pk)
    return job.work_days_left, job.current_minutes_left


def assert_current(job: Job) -> None:
    assert stored(job) == pytest.approx(routing_counts(job))


@pytest.fixture
def two_step(supervisor, customer, part, work_centers):
    saw, mill = work_centers[0], work_centers[1]
    # 30 min setup + 10 x 6 min run at each: 90 min a step.
    return released_job(supervisor, customer, part, [saw, mill], quantity=10, run=6)


def test_a_new_job_counts_every_operation(two_step):
    # 90 min at each of two 8-hour centers: 180/480 of a day; the current step holds 90.
    assert stored(two_step) == pytest.approx((180 / 480, 90.0))
    assert_current(two_step)


def test_floor_actions_count_down_the_work(operator, two_step):
    saw_op = first_op(two_step)
    scan(operator, saw_op, "start")
    # Started: the setup is behind it, the run is not.
    assert stored(two_step) == pytest.approx((150 / 480, 60.0))
    scan(operator, saw_op, "finish", qty_good=10)
    # The mill step is the current one now, with its setup still to do.
    assert stored(two_step) == pytest.approx((90 / 480, 90.0))
    assert_current(two_step)


def test_changing_the_quantity_changes_the_work(supervisor, two_step):
    services.job_update(user=supervisor, job=two_step, quantity=20)
    # 30 + 20 x 6 = 150 min a step.
    assert stored(two_step) == pytest.approx((300 / 480, 150.0))
    assert_current(two_step)


def test_routing_edits_change_the_work(supervisor, work_centers, two_step):
    deburr = work_centers[2]
    services.operation_add(
        user=supervisor,
        job=two_step,
        work_center=deburr,
        name="Deburr",
        setup_minutes=0,
        run_minutes=3,
    )
    assert stored(two_step) == pytest.approx((210 / 480, 90.0))
    services.operation_update(user=supervisor, operation=first_op(two_step), setup_minutes=90)
    assert stored(two_step) == pytest.approx((270 / 480, 150.0))
    assert_current(two_step)


def test_a_work_centers_hours_change_every_open_job_with_work_there(
    shop, supervisor, customer, part, work_centers, two_step
):
    saw = work_centers[0]
    waiting = released_job(supervisor, customer, part, [saw], quantity=10, run=6)
    planned = released_job(supervisor, customer, part, [saw], quantity=10, run=6, release=False)
    services.work_center_update(user=supervisor, work_center=saw, hours_per_day="16")
    # The saw step's 90 min are now a sixteenth-hour day's share.
    assert stored(two_step)[0] == pytest.approx(90 / 960 + 90 / 480)
    assert stored(waiting)[0] == pytest.approx(90 / 960)
    assert stored(planned)[0] == pytest.approx(90 / 960)
    for job in (two_step, waiting, planned):
        assert_current(job)
    # And the dispatch list ranks by the new figure.
    row = next(r for r in dispatch.dispatch_list(shop, saw).ready if r.job.pk == waiting.pk)
    assert row.critical_ratio == dispatch.critical_ratio(
        waiting.due_date, timezone.localdate(), 90 / 960
    )


def test_a_center_not_staffed_counts_the_fallback_day(supervisor, work_centers, two_step):
    services.work_center_update(user=supervisor, work_center=work_centers[0], hours_per_day="0")
    assert stored(two_step)[0] == pytest.approx(180 / 480)
    assert_current(two_step)


def test_refused_hours_leave_the_work_as_it_was(supervisor, work_centers, two_step):
    before = stored(two_step)
    for hours in ("25", "-1", "NaN", "eight", "1e9"):
        with pytest.raises(InvalidInput):
            services.work_center_update(
                user=supervisor, work_center=work_centers[0], hours_per_day=hours
            )
    assert stored(two_step) == before


def test_closed_jobs_are_left_alone_when_hours_change(supervisor, work_centers, two_step):
    """A closed job's figures are history: recomputing them would touch every job ever made
    at the center."""
    services.job_close(user=supervisor, job=two_step, reason="Customer cancelled")
    before = stored(two_step)
    services.work_center_update(user=supervisor, work_center=work_centers[0], hours_per_day="4")
    assert stored(two_step) == before


def test_the_migration_fills_open_jobs_as_the_services_would(operator, two_step):
    scan(operator, first_op(two_step), "start")
    expected = stored(two_step)
    Job.objects.filter(pk=two_step.pk).update(work_days_left=0, current_minutes_left=0)
    migration = importlib.import_module("shopdesk.jobs.migrations.0007_work_left")
    migration.fill_work_left(apps, None)
    assert stored(two_step) == pytest.approx(expected)


def test_an_hours_change_costs_the_same_queries_for_many_jobs_as_for_few(
    supervisor, customer, part, work_centers
):
    """A center's open jobs are recomputed in a fixed number of queries, not one per job."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    saw = work_centers[0]

    def queries_for_an_hours_change(hours: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            services.work_center_update(user=supervisor, work_center=saw, hours_per_day=hours)
        return len(captured)

    released_job(supervisor, customer, part, [saw, work_centers[1]], quantity=10, run=6)
    few = queries_for_an_hours_change("10")
    jobs = [
        released_job(supervisor, customer, part, [saw, work_centers[1]], quantity=10, run=6)
        for _ in range(6)
    ]
    assert queries_for_an_hours_change("12") == few
    for job in jobs:
        assert_current(job)
