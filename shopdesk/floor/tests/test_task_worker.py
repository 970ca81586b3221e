"""The task worker sweeps shift ends itself: no separate resident process does it."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from shopdesk.jobs.models import LaborEndReason, LaborEntry

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def labor_from_yesterday(shop, released_job, operator):
    shop.shift_end_time = datetime.time(0, 0)
    shop.save()
    return LaborEntry.objects.create(
        shop=shop,
        job=released_job,
        operation=released_job.operations.order_by("sequence").first(),
        user=operator,
        started_at=timezone.now() - datetime.timedelta(days=1),
    )


def test_the_worker_closes_labor_past_the_shift_end(labor_from_yesterday, capsys):
    call_command("task_worker", "--once")
    labor_from_yesterday.refresh_from_db()
    assert labor_from_yesterday.end_reason == LaborEndReason.SHIFT_END
    assert "Shift end: 1 labor entry closed." in capsys.readouterr().out


def test_a_worker_told_not_to_sweep_leaves_labor_open(labor_from_yesterday):
    call_command("task_worker", "--once", "--shift-end-every", "0")
    labor_from_yesterday.refresh_from_db()
    assert labor_from_yesterday.is_open
