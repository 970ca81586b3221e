"""Work centers: the list with open operations, and the planner's create and edit forms."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from shopdesk.core.models import Event
from shopdesk.core.tests.factories import WorkCenterFactory
from shopdesk.jobs import services as job_services
from shopdesk.jobs.models import WorkCenter

pytestmark = pytest.mark.django_db

LIST_URL = reverse("jobs:work_centers")
CREATE_URL = reverse("jobs:work_center_create")


def edit_url(work_center: WorkCenter) -> str:
    return reverse("jobs:work_center_edit", args=[work_center.pk])


def row_of(html: str, name: str) -> str:
    match = re.search(rf"<tr[^>]*>\s*<td><b>{re.escape(name)}</b></td>.*?</tr>", html, re.S)
    assert match, f"no row for {name}"
    return match.group(0)


def test_list_shows_kind_hours_status_and_open_operations(
    operator_client, supervisor, planned_job, work_centers, shop
):
    saw, mill, _ = work_centers
    job_services.operation_add(user=supervisor, job=planned_job, work_center=mill, name="Mill 2")
    WorkCenterFactory(shop=shop, name="Old Bridgeport", active=False, hours_per_day=Decimal("4"))

    response = operator_client.get(LIST_URL)

    assert response.status_code == 200
    html = response.content.decode()
    mill_row = row_of(html, "CNC Mill")
    assert "CNC mill" in mill_row and "8.0" in mill_row and "Active" in mill_row
    assert '<td class="num">2</td>' in mill_row
    assert '<td class="num">1</td>' in row_of(html, "Saw")
    assert "Inactive" in row_of(html, "Old Bridgeport")
    # Operators read the list but are not offered the planner's links.
    assert CREATE_URL not in html
    assert edit_url(saw) not in html


def test_operations_of_closed_jobs_and_done_operations_are_not_open(
    supervisor_client, supervisor, planned_job, work_centers
):
    job_services.job_close(user=supervisor, job=planned_job, reason="Cancelled")
    html = supervisor_client.get(LIST_URL).content.decode()
    assert '<td class="num">0</td>' in row_of(html, "Saw")


def test_list_shows_only_this_shops_work_centers(supervisor_client, work_centers, other_shop):
    WorkCenterFactory(shop=other_shop, name="Beta Secret Press")
    html = supervisor_client.get(LIST_URL).content.decode()
    assert "Beta Secret Press" not in html
    assert CREATE_URL in html


def test_list_costs_a_fixed_number_of_queries(
    supervisor_client, supervisor, shop, customer, part, django_assert_max_num_queries
):
    centers = [WorkCenterFactory(shop=shop, name=f"Center {index:02d}") for index in range(60)]
    job_services.job_create(
        user=supervisor,
        customer=customer,
        part=part,
        operations=[{"work_center": center, "name": center.name} for center in centers],
    )
    with django_assert_max_num_queries(15):
        response = supervisor_client.get(LIST_URL)
    assert response.content.decode().count("<td><b>Center ") == 60


def test_create_a_work_center(supervisor_client):
    response = supervisor_client.post(
        CREATE_URL, {"name": "Haas VF-2", "kind": "mill", "hours_per_day": "16"}
    )

    assert response.status_code == 303
    assert response["Location"] == LIST_URL
    center = WorkCenter.objects.get(name="Haas VF-2")
    assert (center.kind, center.hours_per_day, center.active) == ("mill", Decimal("16.0"), True)
    assert Event.objects.filter(kind="work_center.created", subject_id=center.pk).exists()
    assert "Haas VF-2" in supervisor_client.get(LIST_URL).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "kind": "mill", "hours_per_day": "8"}, "This field is required."),
        ({"name": "W" * 10_000, "kind": "mill", "hours_per_day": "8"}, "at most 80 characters"),
        ({"name": "Press", "kind": "rocket", "hours_per_day": "8"}, "Select a valid choice."),
        ({"name": "Press", "kind": "other", "hours_per_day": "25"}, "less than or equal to 24"),
        ({"name": "Press", "kind": "other", "hours_per_day": "-1"}, "greater than or equal to 0"),
        ({"name": "Press", "kind": "other", "hours_per_day": "all day"}, "Enter a number."),
        ({"name": "Press", "kind": "other", "hours_per_day": ""}, "This field is required."),
        ({"name": "saw", "kind": "saw", "hours_per_day": "8"}, "A work center with this name"),
    ],
)
def test_bad_input_to_create_is_refused_and_creates_nothing(
    supervisor_client, work_centers, data, message
):
    response = supervisor_client.post(CREATE_URL, data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert WorkCenter.objects.count() == 3


def test_script_in_a_name_is_shown_as_text(supervisor_client):
    supervisor_client.post(
        CREATE_URL, {"name": "<script>alert(1)</script>", "kind": "other", "hours_per_day": "8"}
    )
    html = supervisor_client.get(LIST_URL).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_edit_renames_and_deactivates(supervisor_client, work_centers):
    saw = work_centers[0]
    form = supervisor_client.get(edit_url(saw))
    assert form.status_code == 200
    assert 'value="Saw"' in form.content.decode()

    response = supervisor_client.post(
        edit_url(saw), {"name": "Band saw", "kind": "saw", "hours_per_day": "7.5"}
    )

    assert response.status_code == 303
    saw.refresh_from_db()
    assert (saw.name, saw.hours_per_day, saw.active) == ("Band saw", Decimal("7.5"), False)
    event = Event.objects.get(kind="work_center.updated", subject_id=saw.pk)
    assert event.before["name"] == "Saw" and event.after["name"] == "Band saw"


def test_edit_refuses_a_duplicate_name(supervisor_client, work_centers):
    saw = work_centers[0]
    response = supervisor_client.post(
        edit_url(saw), {"name": "CNC Mill", "kind": "saw", "hours_per_day": "8", "active": "on"}
    )
    assert response.status_code == 422
    assert "A work center with this name exists." in response.content.decode()
    saw.refresh_from_db()
    assert saw.name == "Saw"


def test_operator_gets_403_and_nothing_changes(operator_client, work_centers):
    saw = work_centers[0]
    assert operator_client.get(CREATE_URL).status_code == 403
    assert operator_client.get(edit_url(saw)).status_code == 403
    data = {"name": "Mine", "kind": "saw", "hours_per_day": "8"}
    assert operator_client.post(CREATE_URL, data).status_code == 403
    assert operator_client.post(edit_url(saw), data).status_code == 403
    saw.refresh_from_db()
    assert saw.name == "Saw"
    assert WorkCenter.objects.count() == 3


def test_outsider_gets_404_for_acmes_work_center(outsider_client, work_centers):
    saw = work_centers[0]
    assert outsider_client.get(edit_url(saw)).status_code == 404
    response = outsider_client.post(
        edit_url(saw), {"name": "Taken over", "kind": "saw", "hours_per_day": "8"}
    )
    assert response.status_code == 404
    saw.refresh_from_db()
    assert saw.name == "Saw"
    assert "Saw" not in outsider_client.get(LIST_URL).content.decode().split("<main")[1]


def test_unknown_work_center_answers_404(supervisor_client, work_centers):
    assert supervisor_client.get("/jobs/work-centers/999999/edit/").status_code == 404
