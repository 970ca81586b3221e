"""Labor on the live job page: actual vs estimated per operation and who is on each."""

from __future__ import annotations

import datetime
import uuid

from django.urls import reverse
from django.utils import timezone

from shopdesk.core.models import Role
from shopdesk.core.tests.factories import member
from shopdesk.floor import services as floor_services
from shopdesk.jobs.models import LaborEntry


def test_live_page_shows_labor_and_who_is_on_it(
    supervisor_client, released_job, operator, shop, django_assert_max_num_queries
):
    petra = member(shop, Role.OPERATOR, username="petra", first_name="Petra", last_name="Press")
    saw = released_job.operations.order_by("sequence").first()
    for user in (operator, petra):
        floor_services.floor_action(
            user=user, operation=saw, action="start", client_id=uuid.uuid4().hex
        )
    # An earlier stretch of two hours on the saw.
    now = timezone.now()
    LaborEntry.objects.create(
        shop=shop,
        job=released_job,
        operation=saw,
        user=operator,
        started_at=now - datetime.timedelta(hours=5),
        ended_at=now - datetime.timedelta(hours=3),
        end_reason="pause",
    )
    url = reverse("jobs:detail", args=[released_job.display_number])
    response = supervisor_client.get(url)
    body = response.content.decode()
    assert 'id="job-labor"' in body
    assert "Oscar Operator, Petra Press" in body
    # 230 min planned on the saw; two hours worked so far: 52% of the estimate.
    assert "3 h 50 min" in body and "2 h" in body and "52%" in body
    # The polled live regions carry it too.
    polled = supervisor_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Petra Press" in polled and 'id="job-labor"' in polled


def test_live_page_without_labor_says_so(supervisor_client, released_job):
    body = supervisor_client.get(
        reverse("jobs:detail", args=[released_job.display_number])
    ).content.decode()
    assert "No labor recorded yet" in body


def test_overrun_is_marked(supervisor_client, released_job, operator, shop):
    saw = released_job.operations.order_by("sequence").first()
    now = timezone.now()
    LaborEntry.objects.create(
        shop=shop,
        job=released_job,
        operation=saw,
        user=operator,
        started_at=now - datetime.timedelta(hours=10),
        ended_at=now,
        end_reason="finish",
    )
    body = supervisor_client.get(
        reverse("jobs:detail", args=[released_job.display_number])
    ).content.decode()
    assert 'class="labor-over"' in body and "261%" in body
