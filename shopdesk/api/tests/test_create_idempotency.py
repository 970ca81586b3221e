"""Creating a job and printing a traveler are safe to retry through the API as through the pages:
the client id is kept with the row (Job.client_id, Traveler.client_id) and checked in the
service, so a replay answers the original row and other values with the same id are a 409."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from shopdesk.core.models import Event
from shopdesk.jobs.models import Job
from shopdesk.travelers.models import Traveler

CLIENT_ID = "0b8c9f3e-4d2a-4f6b-9a51-7c3e2d1f0a9b"
PRINT_URL = "/api/v1/jobs/J-1001/traveler.pdf"


def _job_body(customer, part, work_centers, **fields) -> dict:
    due = timezone.localdate() + datetime.timedelta(days=21)
    return {
        "customer": customer.pk,
        "part": part.pk,
        "quantity": 40,
        "due_date": due.isoformat(),
        "customer_po": "PO-9001",
        "operations": [{"work_center": work_centers[0].pk, "name": "Saw"}],
        "client_id": CLIENT_ID,
        **fields,
    }


# ---------------------------------------------------------------------------- job creation


def test_a_retried_job_create_answers_the_job_first_created(
    supervisor_api, customer, part, work_centers
):
    body = _job_body(customer, part, work_centers)
    first = supervisor_api.post("/api/v1/jobs", body)
    again = supervisor_api.post("/api/v1/jobs", body)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"] == "J-1001"
    assert again.json()["operations"] == first.json()["operations"]
    job = Job.objects.get()
    assert job.client_id == uuid.UUID(CLIENT_ID)
    assert job.operations.count() == 1
    assert Event.objects.filter(kind="job.created").count() == 1


def test_the_same_client_id_with_other_values_is_a_409(
    supervisor_api, customer, part, work_centers
):
    supervisor_api.post("/api/v1/jobs", _job_body(customer, part, work_centers))
    response = supervisor_api.post(
        "/api/v1/jobs", _job_body(customer, part, work_centers, quantity=41)
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "client_id"
    assert "already created J-1001 with other values (quantity)" in response.json()["detail"]
    assert Job.objects.count() == 1


def test_a_replay_after_an_edit_still_answers_the_job(supervisor_api, customer, part, work_centers):
    """What the retry is compared with is what was created, not what the job became."""
    body = _job_body(customer, part, work_centers)
    supervisor_api.post("/api/v1/jobs", body)
    supervisor_api.patch("/api/v1/jobs/J-1001", {"quantity": 50})
    again = supervisor_api.post("/api/v1/jobs", body)
    assert again.status_code == 200
    assert again.json()["quantity"] == 50
    assert Job.objects.count() == 1


def test_without_a_client_id_each_create_makes_a_job(supervisor_api, customer, part, work_centers):
    body = _job_body(customer, part, work_centers)
    del body["client_id"]
    assert supervisor_api.post("/api/v1/jobs", body).status_code == 201
    assert supervisor_api.post("/api/v1/jobs", body).status_code == 201
    assert Job.objects.count() == 2


@pytest.mark.parametrize("client_id", ["not-a-uuid", "", 42, "0b8c9f3e"])
def test_a_malformed_client_id_is_a_422_and_creates_nothing(
    supervisor_api, customer, part, work_centers, client_id
):
    body = _job_body(customer, part, work_centers, client_id=client_id)
    response = supervisor_api.post("/api/v1/jobs", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "client_id"
    assert not Job.objects.exists()


def test_the_page_form_and_the_api_share_the_client_id(
    supervisor_client, supervisor_api, customer, part, work_centers
):
    """The new-job form's one-time id is the creation's client id: the API retrying with it
    finds the job the page created."""
    due = timezone.localdate() + datetime.timedelta(days=21)
    page = supervisor_client.post(
        reverse("jobs:create"),
        {
            "form_id": CLIENT_ID,
            "customer": str(customer.pk),
            "part": str(part.pk),
            "revision": "",
            "quantity": "40",
            "due_date": due.isoformat(),
            "customer_po": "PO-9001",
            "priority": "2",
            "owner": "",
            "notes": "",
            "material_status": "not_ordered",
            "ops-TOTAL_FORMS": "0",
            "ops-INITIAL_FORMS": "0",
        },
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    body = _job_body(customer, part, work_centers)
    del body["operations"]
    response = supervisor_api.post("/api/v1/jobs", body)
    assert response.status_code == 200, response.json()
    assert response.json()["number"] == "J-1001"
    assert Job.objects.count() == 1


def test_another_shop_may_use_the_same_client_id(
    supervisor_api, outsider_api, customer, part, work_centers, other_job
):
    """Client ids are unique per shop: one shop's id neither finds nor blocks another's job."""
    first = supervisor_api.post("/api/v1/jobs", _job_body(customer, part, work_centers))
    assert first.status_code == 201
    Job.objects.filter(pk=other_job.pk).update(client_id=uuid.UUID(CLIENT_ID))
    again = supervisor_api.post("/api/v1/jobs", _job_body(customer, part, work_centers))
    assert again.status_code == 200
    assert again.json()["number"] == "J-1001"
    assert Job.objects.filter(shop=customer.shop).count() == 1


# ---------------------------------------------------------------------------- traveler print


def test_a_retried_print_answers_the_traveler_first_printed(supervisor_api, released_job):
    first = supervisor_api.post(PRINT_URL, {"client_id": CLIENT_ID})
    again = supervisor_api.post(PRINT_URL, {"client_id": CLIENT_ID})

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.content.startswith(b"%PDF") and again.content.startswith(b"%PDF")
    traveler = Traveler.objects.get()
    assert traveler.client_id == uuid.UUID(CLIENT_ID)
    assert Event.objects.filter(kind="traveler.printed").count() == 1


def test_a_print_without_a_body_or_id_prints_each_time(supervisor_api, released_job):
    assert supervisor_api.post(PRINT_URL).status_code == 201
    assert supervisor_api.post(PRINT_URL, {}).status_code == 201
    assert Traveler.objects.count() == 2


def test_a_print_client_id_used_for_another_job_is_a_409(
    supervisor, supervisor_api, released_job, customer, part
):
    from shopdesk.jobs import services as job_services
    from shopdesk.travelers import services as traveler_services

    second = job_services.job_create(
        user=supervisor,
        customer=customer,
        part=part,
        quantity=1,
        operations=[{"work_center": released_job.operations.first().work_center, "name": "Saw"}],
    )
    traveler_services.traveler_print(user=supervisor, job=second, client_id=CLIENT_ID)

    response = supervisor_api.post(PRINT_URL, {"client_id": CLIENT_ID})
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "client_id"
    assert not Traveler.objects.filter(job=released_job).exists()


def test_a_malformed_print_client_id_is_a_422(supervisor_api, released_job):
    response = supervisor_api.post(PRINT_URL, {"client_id": "print-form-0001"})
    assert response.status_code == 422
    assert not Traveler.objects.exists()


def test_the_print_button_and_the_api_share_the_client_id(
    supervisor_client, supervisor_api, released_job
):
    page = supervisor_client.post(
        reverse("jobs:traveler_print", args=["J-1001"]), {"client_id": uuid.UUID(CLIENT_ID).hex}
    )
    assert page.status_code == 303
    again = supervisor_api.post(PRINT_URL, {"client_id": CLIENT_ID})
    assert again.status_code == 200
    assert Traveler.objects.count() == 1
    traveler = Traveler.objects.get()
    assert page["Location"] == reverse("jobs:traveler_pdf", args=["J-1001", traveler.pk])


def test_the_print_button_twice_prints_once_across_sessions(supervisor, released_job):
    """The id is kept with the row, not the browser session: another session replaying the
    same form gets the same traveler."""
    from django.test import Client

    first, second = Client(), Client()
    first.force_login(supervisor)
    second.force_login(supervisor)
    url = reverse("jobs:traveler_print", args=["J-1001"])
    one = first.post(url, {"client_id": CLIENT_ID})
    two = second.post(url, {"client_id": CLIENT_ID})
    assert one["Location"] == two["Location"]
    assert Traveler.objects.count() == 1


def test_the_openapi_schema_documents_the_client_ids(supervisor_api):
    schema = supervisor_api.get("/api/v1/openapi.json").json()
    job_in = schema["components"]["schemas"]["JobIn"]["properties"]["client_id"]
    assert "retry" in job_in["description"]
    operation = schema["paths"]["/api/v1/jobs/{number}/traveler.pdf"]["post"]
    assert {"200", "201", "409"} <= set(operation["responses"])
    assert schema["paths"]["/api/v1/jobs"]["post"]["responses"].keys() >= {"200", "201", "409"}
