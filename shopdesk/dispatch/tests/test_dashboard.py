"""The supervisor dashboard (the board's figures with links) and the board's WIP by stage."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shopdesk.core.models import Role
from shopdesk.core.tests.factories import member
from shopdesk.dispatch.tests.test_dispatch import first_op, released_job, scan
from shopdesk.jobs import services
from shopdesk.jobs.models import Blocker

URL = reverse("jobs:dashboard")
BOARD = reverse("jobs:board")
HTMX = {"HX-Request": "true"}


def detail(job) -> str:
    return reverse("jobs:detail", args=[job.display_number])


@pytest.fixture
def floor(supervisor, operator, customer, part, work_centers):
    """A late job at the saw, a job that cannot make its date at the mill (started there), a
    relaxed job at the mill and a blocked one at inspection."""
    saw, mill, inspection = work_centers
    late = released_job(supervisor, customer, part, [saw, mill], due_days=-4)
    # 2,000 minutes of run time per part for 50 parts in two days: cannot make it.
    tight = released_job(supervisor, customer, part, [mill], due_days=2, run=2000, quantity=50)
    scan(operator, first_op(tight), "start")
    relaxed = released_job(supervisor, customer, part, [mill], due_days=60, run=1)
    blocked = released_job(supervisor, customer, part, [inspection], due_days=30)
    blocker, _ = services.blocker_raise(
        user=supervisor, job=blocked, kind="tooling", note="Gauge pin missing"
    )
    Blocker.objects.filter(pk=blocker.pk).update(
        raised_at=timezone.now() - datetime.timedelta(hours=5)
    )
    return {"late": late, "tight": tight, "relaxed": relaxed, "blocked": blocked}


def test_supervisor_sees_the_figures_with_links_into_jobs_and_work_centers(
    supervisor_client, floor, work_centers
):
    response = supervisor_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Supervisor dashboard</h1>" in html
    board = response.context["board"]
    assert board.open_jobs == 4
    assert board.late_count == 1 and board.at_risk_count == 1 and board.blocker_count == 1
    # Every job shown links into its live job page; every work center to its dispatch list.
    for job in floor.values():
        assert f'href="{detail(job)}"' in html
    for center in work_centers:
        assert f'href="{reverse("jobs:dispatch", args=[center.pk])}"' in html
    assert "4 d</span>" in html  # days late
    assert "CR" in html and str(board.at_risk[0].critical_ratio) in html
    assert "Gauge pin missing" in html and "5 h" in html
    assert 'aria-current="page">Dashboard</a>' in html


def test_wip_by_work_center_and_stage(supervisor_client, floor, work_centers):
    board = supervisor_client.get(URL).context["board"]
    by_center = {
        entry.work_center.name: (
            len(entry.jobs),
            entry.not_started,
            entry.in_production,
            entry.running,
            entry.blocked,
        )
        for entry in board.wip
    }
    assert by_center == {
        "Saw": (1, 1, 0, 0, 0),
        "CNC Mill": (2, 1, 1, 1, 0),
        "Inspection": (1, 1, 0, 0, 1),
    }
    stages = {entry.stage: entry.count for entry in board.stages}
    assert stages == {"planned": 0, "released": 3, "in_production": 1, "complete": 0}
    # 50 parts at 2,000 min each still to run plus the relaxed job's setup and run.
    mill = next(entry for entry in board.wip if entry.work_center.name == "CNC Mill")
    assert float(mill.queue_hours) == pytest.approx((50 * 2000 + 30 + 10) / 60, abs=0.1)


def test_charts_draw_queue_bars_and_the_stage_bar(supervisor_client, floor):
    html = supervisor_client.get(URL).content.decode()
    assert html.count('class="db-bar"') == 3
    # The mill holds the longest queue: its bar is the whole width, the saw's a sliver.
    assert 'class="db-fill bad" x="0" y="2" width="100%"' in html
    assert 'aria-label="CNC Mill: 1667.3 hours queued, 8.0 hours per day"' in html
    assert 'aria-label="Planned 0, Released 3, In production 1, Complete 0"' in html
    assert 'class="st-in_production" x="75.00%" y="0" width="25.00%"' in html


def test_the_polled_partial_changes_after_a_scan(supervisor_client, operator, floor):
    before = supervisor_client.get(URL, headers=HTMX)
    html = before.content.decode()
    assert html.lstrip().startswith('<div id="dashboard-live"')
    assert 'hx-trigger="every 5s"' in html
    assert "<html" not in html
    assert "No operation finished yet today." in html
    assert before["Vary"].count("HX-Request") == 1
    op = first_op(floor["late"])
    scan(operator, op, "start")
    scan(operator, op, "finish", qty_good=9, qty_scrap=1)
    html = supervisor_client.get(URL, headers=HTMX).content.decode()
    assert "No operation finished yet today." not in html
    assert "1 Saw" in html and '<td class="num" data-label="Good">9</td>' in html
    assert '<span class="badge bad">1</span>' in html
    board = supervisor_client.get(URL).context["board"]
    assert board.finished_today_count == 1
    wip = {entry.work_center.name: len(entry.jobs) for entry in board.wip}
    assert wip == {"Saw": 0, "CNC Mill": 3, "Inspection": 1}


def test_an_empty_shop_says_so(supervisor_client, work_centers):
    html = supervisor_client.get(URL).content.decode()
    assert "No job is late." in html
    assert "Nothing is blocked." in html
    assert "No operation finished yet today." in html


def test_only_planners_see_it(shop, operator_client, supervisor_client, floor):
    response = operator_client.get(URL)
    assert response.status_code == 403
    assert "J-1001" not in response.content.decode()
    assert 'href="/jobs/dashboard/"' not in operator_client.get(BOARD).content.decode()
    owner = member(shop, Role.OWNER, username="olga")
    office = member(shop, Role.OFFICE, username="otto")
    quality = member(shop, Role.QUALITY, username="quinn")
    for user, status in ((owner, 200), (office, 200), (quality, 403)):
        client = Client()
        client.force_login(user)
        assert client.get(URL).status_code == status


def test_another_shop_sees_only_its_own(outsider_client, floor, other_job):
    html = outsider_client.get(URL).content.decode()
    assert "Beta Mill" in html and other_job.display_number in html
    assert "Northwind" not in html and "CNC Mill" not in html and "Gauge pin" not in html
    assert outsider_client.get(URL).context["board"].open_jobs == 1


def test_signed_out_is_sent_to_sign_in_and_post_is_refused(supervisor_client, db):
    response = Client().get(URL)
    assert response.status_code == 302 and "login" in response["Location"]
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
    def count_queries() -> tuple[int, int]:
        with django_assert_max_num_queries(10) as page:
            supervisor_client.get(URL)
        with django_assert_max_num_queries(10) as partial:
            supervisor_client.get(URL, headers=HTMX)
        return len(page.captured_queries), len(partial.captured_queries)

    released_job(supervisor, customer, part, work_centers, due_days=5)
    few = count_queries()
    for index in range(30):
        job = released_job(supervisor, customer, part, work_centers, due_days=index - 10)
        if index % 4 == 0:
            op = first_op(job)
            scan(operator, op, "start")
            scan(operator, op, "finish", qty_good=10)
        if index % 5 == 0:
            # Raised after the scans: a blocked job's work cannot be started.
            services.blocker_raise(user=supervisor, job=job, kind="tooling", note="Insert")
    assert count_queries() == few
    assert supervisor_client.get(URL).context["board"].open_jobs == 31


def test_board_shows_wip_by_stage(supervisor_client, floor):
    html = supervisor_client.get(BOARD, headers=HTMX).content.decode()
    assert 'aria-label="Work in process by work center and stage"' in html
    assert '<div class="bd-stage st-in_production"><b>1</b><span>in production</span>' in html
    assert '<div class="bd-stage st-released"><b>3</b><span>released</span>' in html
    assert '1 not started</span> · <span class="st-in_production">1 in production' in html
    assert "1 blocked" in html
    assert "h queued" in html
