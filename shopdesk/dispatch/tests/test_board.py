"""The live board: WIP by work center, late and at-risk jobs, blockers, today's finished work."""

from __future__ import annotations

import datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shopdesk.dispatch.tests.test_dispatch import first_op, released_job, scan
from shopdesk.jobs import services
from shopdesk.jobs.models import Blocker

URL = reverse("jobs:board")
HTMX = {"HX-Request": "true"}


def test_board_shows_late_at_risk_and_wip(
    supervisor, supervisor_client, customer, part, work_centers
):
    saw, mill, _ = work_centers
    released_job(supervisor, customer, part, [saw, mill], due_days=-4)
    # 2,000 minutes of run time per part for 50 parts in two days: cannot make it.
    released_job(supervisor, customer, part, [mill], due_days=2, run=2000, quantity=50)
    released_job(supervisor, customer, part, [mill], due_days=60, run=1)
    response = supervisor_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="board"' in html
    assert "4 d late" in html and "J-1001" in html
    assert "CR 0." in html and "J-1002" in html
    board = response.context["board"]
    assert board.late_count == 1 and board.at_risk_count == 1
    assert [job.display_number for job in board.at_risk] == ["J-1002"]
    wip = {entry.work_center.name: len(entry.jobs) for entry in board.wip}
    assert wip == {"Saw": 1, "CNC Mill": 2, "Inspection": 0}


def test_blockers_oldest_first_with_their_age(supervisor, supervisor_client, released_job):
    old, _ = services.blocker_raise(user=supervisor, job=released_job, kind="material", note="Bar")
    Blocker.objects.filter(pk=old.pk).update(raised_at=timezone.now() - datetime.timedelta(days=3))
    services.blocker_raise(user=supervisor, job=released_job, kind="drawing", note="Rev C?")
    html = supervisor_client.get(URL).content.decode()
    assert "3 d" in html
    assert html.index("Material") < html.index("Drawing question")
    assert "Nothing is blocked." not in html


def test_a_scan_changes_the_polled_partial(supervisor_client, operator, released_job):
    before = supervisor_client.get(URL, headers=HTMX)
    html = before.content.decode()
    assert html.lstrip().startswith('<div id="board-live"')
    assert "<html" not in html
    assert "No operation finished yet today." in html
    op = first_op(released_job)
    scan(operator, op, "start")
    scan(operator, op, "finish", qty_good=100)
    after = supervisor_client.get(URL, headers=HTMX)
    html = after.content.decode()
    assert "<b>1</b><span>ops finished today</span>" in html
    assert "op 1 Saw" in html and "100 good" in html
    assert "No operation finished yet today." not in html
    # The job moved on: the mill holds it now, the saw is idle.
    wip = {
        entry.work_center.name: len(entry.jobs)
        for entry in supervisor_client.get(URL).context["board"].wip
    }
    assert wip["Saw"] == 0 and wip["CNC Mill"] == 1


def test_every_member_sees_only_their_own_shop(
    operator_client, outsider_client, released_job, other_job
):
    mine = operator_client.get(URL)
    assert mine.status_code == 200
    assert "J-1001" in mine.content.decode()
    assert "Beta Mill" not in mine.content.decode()
    theirs = outsider_client.get(URL).content.decode()
    assert "Beta Mill" in theirs
    assert "Acme" not in theirs and "CNC Mill" not in theirs and "Northwind" not in theirs


def test_signed_out_is_sent_to_sign_in_and_post_is_refused(supervisor_client, db):
    assert Client().get(URL).status_code == 302
    assert supervisor_client.post(URL).status_code == 405


def test_query_count_is_fixed_whatever_the_open_jobs(
    supervisor,
    operator,
    supervisor_client,
    customer,
    part,
    work_centers,
    django_assert_max_num_queries,
):
    for index in range(40):
        job = released_job(supervisor, customer, part, work_centers, due_days=index - 10)
        if index % 4 == 0:
            op = first_op(job)
            scan(operator, op, "start")
            scan(operator, op, "finish", qty_good=10)
        if index % 5 == 0:
            # Raised after the scans: a blocked job's work cannot be started.
            services.blocker_raise(user=supervisor, job=job, kind="tooling", note="Insert")
    with django_assert_max_num_queries(9):
        response = supervisor_client.get(URL)
    assert response.context["board"].open_jobs == 40
    assert response.context["board"].finished_today_count == 10
    with django_assert_max_num_queries(9):
        supervisor_client.get(URL, headers=HTMX)


def test_a_work_center_with_no_hours_counts_a_days_work_as_the_fallback_day(
    supervisor, supervisor_client, customer, part, work_centers
):
    """Zero hours a day (a center that is not staffed) must not divide by zero: its work
    counts at the default day, as the live page counts it."""
    from shopdesk.dispatch import selectors as dispatch
    from shopdesk.jobs import live

    saw = work_centers[0]
    saw.hours_per_day = 0
    saw.save()
    job = released_job(supervisor, customer, part, [saw], due_days=30, run=2, quantity=10)
    for url in (URL, reverse("jobs:dashboard"), reverse("jobs:dispatch", args=[saw.pk])):
        assert supervisor_client.get(url, headers=HTMX).status_code == 200
    # 30 min setup + 20 min run at the fallback day.
    days = 50 / (float(live.HOURS_PER_DAY_FALLBACK) * 60)
    expected = dispatch.critical_ratio(job.due_date, timezone.localdate(), days)
    rows = {row.job.pk: row for row in dispatch.dispatch_list(job.shop, saw).ready}
    assert rows[job.pk].critical_ratio == expected
