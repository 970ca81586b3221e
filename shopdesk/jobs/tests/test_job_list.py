"""The job list (jobs:list): what a supervisor sees, filters, search, paging, htmx, tenancy."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from shopdesk.core.models import Role
from shopdesk.core.tests.factories import (
    CustomerFactory,
    PartFactory,
    member,
)
from shopdesk.floor import services as floor_services
from shopdesk.jobs import services
from shopdesk.jobs.models import Job

URL = reverse("jobs:list")


def _job(user, customer, part, work_centers, *, days=10, po="", quantity=10, owner=None) -> Job:
    return services.job_create(
        user=user,
        customer=customer,
        part=part,
        material_status="from_stock",
        quantity=quantity,
        due_date=timezone.localdate() + datetime.timedelta(days=days),
        customer_po=po,
        owner=owner,
        operations=[{"work_center": wc, "name": wc.name} for wc in work_centers],
    )


def _floor(user, job: Job, sequence: int, action: str, **quantities: int) -> None:
    operation = job.operations.get(sequence=sequence)
    floor_services.floor_action(
        user=user, operation=operation, action=action, client_id=uuid.uuid4().hex, **quantities
    )


def _numbers(response) -> list[str]:
    """The job numbers in the table, in order."""
    return [job.display_number for job in response.context["jobs"]]


@pytest.fixture
def shop_jobs(supervisor, operator, customer, part, work_centers):
    """A small shop's day: one planned, one running at CNC Mill, one late, one blocked,
    one closed, and one for another customer."""
    saw, mill, _ = work_centers
    planned = _job(supervisor, customer, part, work_centers, days=20, po="PO-PLAN")
    running = services.job_release(
        user=supervisor,
        job=_job(supervisor, customer, part, work_centers, days=5, po="PO-RUN", owner=supervisor),
    )
    _floor(operator, running, 1, "start")
    _floor(operator, running, 1, "finish", qty_good=10)
    _floor(operator, running, 2, "start")
    late = services.job_release(
        user=supervisor, job=_job(supervisor, customer, part, work_centers, days=-3, po="PO-LATE")
    )
    blocked = services.job_release(
        user=supervisor, job=_job(supervisor, customer, part, work_centers, days=8, po="PO-BLK")
    )
    services.blocker_raise(user=operator, job=blocked, kind="material", note="Bar stock short")
    services.blocker_raise(user=operator, job=blocked, kind="tooling", note="Insert worn")
    closed = _job(supervisor, customer, part, work_centers, days=-30, po="PO-CLOSED")
    services.job_close(user=supervisor, job=closed, reason="Customer cancelled")
    other_customer = CustomerFactory(shop=customer.shop, name="Zenith Valves")
    valve = PartFactory(shop=customer.shop, customer=other_customer, number="ZV-9", revision="C")
    other = _job(supervisor, other_customer, valve, work_centers, days=12, po="ZV-PO-77")
    return {
        "planned": planned,
        "running": running,
        "late": late,
        "blocked": blocked,
        "closed": closed,
        "other": other,
        "mill": mill,
        "saw": saw,
        "other_customer": other_customer,
    }


def test_sign_in_required(client, shop_jobs):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_open_jobs_soonest_due_first_with_their_columns(supervisor_client, shop_jobs):
    response = supervisor_client.get(URL)
    assert response.status_code == 200
    late, running = shop_jobs["late"], shop_jobs["running"]
    # Closed work is history: the day's list shows open jobs, the late one first.
    assert _numbers(response) == [
        late.display_number,
        running.display_number,
        shop_jobs["blocked"].display_number,
        shop_jobs["other"].display_number,
        shop_jobs["planned"].display_number,
    ]
    html = response.content.decode()
    assert "Northwind Pumps" in html
    assert "NP-220" in html and "rev A" in html
    assert "PO-RUN" in html
    assert "In production at CNC Mill" in html
    assert "Sam Supervisor" in html  # the running job's owner
    assert 'aria-valuenow="1"' in html  # 1 of 3 operations done on the running job
    assert "PO-CLOSED" not in html


def test_late_job_stands_out(supervisor_client, shop_jobs):
    html = supervisor_client.get(URL).content.decode()
    assert '<tr class="late">' in html
    assert "Late 3 d" in html
    # Only the late job is marked.
    assert html.count('<tr class="late">') == 1


def test_blocked_job_shows_its_open_blocker_count(supervisor_client, shop_jobs):
    html = supervisor_client.get(URL).content.decode()
    assert "Blocked 2" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("stage=planned", ["other", "planned"]),
        ("stage=in_production", ["running"]),
        ("stage=released", ["late", "blocked"]),
        ("stage=closed", ["closed"]),
        ("stage=all", ["closed", "late", "running", "blocked", "other", "planned"]),
        ("late=1", ["late"]),
        ("blocked=1", ["blocked"]),
        ("late=1&blocked=1", []),
    ],
)
def test_stage_late_and_blocked_filters(supervisor_client, shop_jobs, query, expected):
    response = supervisor_client.get(f"{URL}?{query}")
    assert response.status_code == 200
    assert _numbers(response) == [shop_jobs[name].display_number for name in expected]


def test_customer_filter(supervisor_client, shop_jobs):
    response = supervisor_client.get(URL, {"customer": shop_jobs["other_customer"].pk})
    assert _numbers(response) == [shop_jobs["other"].display_number]
    assert "selected>Zenith Valves</option>" in response.content.decode()


def test_work_center_filter_is_the_current_work_center(supervisor_client, shop_jobs):
    response = supervisor_client.get(URL, {"work_center": shop_jobs["mill"].pk})
    assert _numbers(response) == [shop_jobs["running"].display_number]
    # The others wait at the saw, their first operation (planned ones are headed there).
    response = supervisor_client.get(URL, {"work_center": shop_jobs["saw"].pk})
    assert _numbers(response) == [
        shop_jobs[name].display_number for name in ("late", "blocked", "other", "planned")
    ]


@pytest.mark.parametrize("number", ["J-{n}", "j-{n}", "{n}", " J{n} "])
def test_search_by_job_number(supervisor_client, shop_jobs, number):
    job = shop_jobs["blocked"]
    response = supervisor_client.get(URL, {"q": number.format(n=job.number)})
    assert _numbers(response) == [job.display_number]


def test_search_by_customer_po(supervisor_client, shop_jobs):
    response = supervisor_client.get(URL, {"q": "po-late"})
    assert _numbers(response) == [shop_jobs["late"].display_number]


def test_search_by_part_number(supervisor_client, shop_jobs):
    response = supervisor_client.get(URL, {"q": "ZV-9"})
    assert _numbers(response) == [shop_jobs["other"].display_number]


def test_search_with_no_match_says_so(supervisor_client, shop_jobs):
    response = supervisor_client.get(URL, {"q": "nothing-like-this"})
    assert response.status_code == 200
    assert "No jobs match these filters." in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "customer=abc",
        "customer=-1",
        "customer=99999999999999999999999",
        "work_center=%27%3B+drop+table",
        "stage=bogus",
        "page=-1",
        "page=abc",
        "page=99999",
        "late=maybe&blocked=",
        "q=" + "x" * 10_000,
        "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "q=%00%FF",
    ],
)
def test_bad_parameters_never_fail(supervisor_client, shop_jobs, query):
    response = supervisor_client.get(f"{URL}?{query}")
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_unknown_filter_values_are_ignored(supervisor_client, shop_jobs):
    everything_open = _numbers(supervisor_client.get(URL))
    assert _numbers(supervisor_client.get(URL, {"customer": "abc"})) == everything_open
    assert _numbers(supervisor_client.get(URL, {"stage": "bogus"})) == everything_open


def test_another_shops_customer_id_shows_nothing_of_theirs(outsider_client, shop_jobs, other_job):
    # Acme's customer id in Beta's list: ignored, and Beta still sees only Beta's jobs.
    response = outsider_client.get(URL, {"customer": shop_jobs["other_customer"].pk})
    assert _numbers(response) == [other_job.display_number]


def test_outsider_sees_only_their_own_shop(outsider_client, shop_jobs, other_job):
    response = outsider_client.get(URL, {"stage": "all"})
    html = response.content.decode()
    assert _numbers(response) == [other_job.display_number]
    assert "Northwind Pumps" not in html and "Zenith Valves" not in html
    assert "CNC Mill" not in html  # Acme's work centers are not in Beta's dropdown
    assert "Beta Mill" in html and "Beta Customer" in html
    response = outsider_client.get(URL, {"q": shop_jobs["running"].display_number})
    assert _numbers(response) == []


def test_dropdowns_list_the_shops_own_customers_and_work_centers(
    supervisor_client, shop_jobs, other_job
):
    response = supervisor_client.get(URL)
    names = [name for _, name, _ in response.context["customer_options"]]
    assert names == ["Northwind Pumps", "Zenith Valves"]
    assert "Beta Customer" not in response.content.decode()
    assert [w.name for w in response.context["work_centers"]] == ["CNC Mill", "Inspection", "Saw"]


def test_planner_sees_new_job_button_operator_does_not(
    supervisor_client, operator_client, shop_jobs
):
    new_job = f'<a class="button" href="{reverse("jobs:create")}">New job</a>'
    assert new_job in supervisor_client.get(URL).content.decode()
    html = operator_client.get(URL).content.decode()
    assert new_job not in html
    assert shop_jobs["running"].display_number in html  # operators still see the list


def test_htmx_request_gets_only_the_table(supervisor_client, shop_jobs):
    response = supervisor_client.get(URL, {"late": "1"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="job-table"')
    assert "<html" not in html and "<form" not in html
    assert shop_jobs["late"].display_number in html
    assert "HX-Request" in response["Vary"]
    # Polling keeps the filters the table was made with.
    assert 'hx-trigger="every 15s"' in html
    assert "late=1" in html


def test_full_page_varies_on_htmx_and_polls(supervisor_client, shop_jobs):
    response = supervisor_client.get(URL)
    assert "HX-Request" in response["Vary"]
    html = response.content.decode()
    assert 'hx-trigger="every 15s"' in html
    assert 'hx-target="#job-table"' in html


def test_paginated_fifty_a_page_in_few_queries(
    supervisor, supervisor_client, customer, part, work_centers, django_assert_max_num_queries
):
    owners = [member(customer.shop, Role.SUPERVISOR) for _ in range(3)]
    for index in range(65):
        job = _job(
            supervisor,
            customer,
            part,
            work_centers,
            days=index - 5,
            po=f"PO-{index}",
            owner=owners[index % 3],
        )
        if index % 2:
            services.job_release(user=supervisor, job=job)
        if index % 7 == 0:
            services.blocker_raise(user=supervisor, job=job, kind="material", note="Short")
    with django_assert_max_num_queries(15):
        response = supervisor_client.get(URL)
    assert response.status_code == 200
    assert len(response.context["jobs"]) == 50
    html = response.content.decode()
    assert "1–50 of 65 jobs" in html
    assert "Page 1 of 2" in html
    with django_assert_max_num_queries(15):
        response = supervisor_client.get(URL, {"page": 2, "stage": "all"})
    assert len(response.context["jobs"]) == 15
    with django_assert_max_num_queries(15):
        supervisor_client.get(URL, {"late": "1", "q": "PO-3", "blocked": "1"})


def test_jobs_without_a_due_date_come_last(supervisor, supervisor_client, customer, part):
    undated = services.job_create(user=supervisor, customer=customer, part=part, quantity=1)
    dated = services.job_create(
        user=supervisor,
        customer=customer,
        part=part,
        quantity=1,
        due_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    response = supervisor_client.get(URL)
    assert _numbers(response) == [dated.display_number, undated.display_number]
    assert "No date" in response.content.decode()


def test_post_is_not_allowed(supervisor_client, shop_jobs):
    assert supervisor_client.post(URL).status_code == 405
