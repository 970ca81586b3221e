"""Outside work and shipping in quantities through the API, by the same rules as the pages."""

from __future__ import annotations

import uuid

import pytest

from shopdesk.floor import services as floor_services
from shopdesk.jobs import services
from shopdesk.jobs.models import Job, Operation

VENDOR = "Bright Anodize Inc"


def _finish(user, operation, good):
    for action, fields in (("start", {}), ("finish", {"qty_good": good})):
        floor_services.floor_action(
            user=user, operation=operation, action=action, client_id=uuid.uuid4().hex, **fields
        )


@pytest.fixture
def anodize(supervisor_api, planned_job):
    """An outside operation added to J-1001 through the API, after the Saw."""
    response = supervisor_api.post(
        "/api/v1/jobs/J-1001/operations",
        {"outside_vendor": VENDOR, "name": "Anodize", "run_minutes": "4", "position": 2},
    )
    assert response.status_code == 201, response.json()
    return Operation.objects.get(pk=response.json()["id"])


def test_an_outside_operation_is_created_and_read(supervisor_api, anodize):
    body = supervisor_api.get(f"/api/v1/operations/{anodize.pk}").json()
    assert body["work_center"] is None
    assert body["outside_vendor"] == VENDOR
    assert body["is_outside"] is True
    assert body["sequence"] == 2
    routing = supervisor_api.get("/api/v1/jobs/J-1001/operations").json()
    assert [op["is_outside"] for op in routing] == [False, True, False, False]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Plate"}, "work_center"),
        ({"name": "Plate", "outside_vendor": VENDOR, "work_center": "saw"}, "work_center"),
        ({"name": "Plate", "outside_vendor": "x" * 121}, "outside_vendor"),
    ],
)
def test_a_work_center_or_a_supplier_is_required(supervisor_api, planned_job, body, field):
    if body.get("work_center") == "saw":
        body["work_center"] = planned_job.operations.first().work_center_id
        field = "outside_vendor"
    response = supervisor_api.post("/api/v1/jobs/J-1001/operations", body)
    assert response.status_code == 422, response.json()
    assert response.json()["errors"][0]["field"].endswith(field)
    assert planned_job.operations.count() == 3


def test_an_operation_moves_outside_by_patch(supervisor_api, planned_job):
    mill = planned_job.operations.get(sequence=2)
    response = supervisor_api.patch(f"/api/v1/operations/{mill.pk}", {"outside_vendor": "Mill Co"})
    assert response.status_code == 200, response.json()
    assert (response.json()["work_center"], response.json()["outside_vendor"]) == (None, "Mill Co")


def test_a_job_is_created_with_an_outside_step(supervisor_api, customer, part, work_centers):
    response = supervisor_api.post(
        "/api/v1/jobs",
        {
            "customer": customer.pk,
            "part": part.pk,
            "quantity": 10,
            "operations": [
                {"work_center": work_centers[0].pk, "name": "Saw"},
                {"outside_vendor": VENDOR, "name": "Anodize"},
            ],
        },
    )
    assert response.status_code == 201, response.json()
    assert [op["outside_vendor"] for op in response.json()["operations"]] == ["", VENDOR]


def test_sent_out_and_received_back_through_the_api(
    supervisor, supervisor_api, operator, operator_api, anodize
):
    services.job_release(user=supervisor, job=Job.objects.get(pk=anodize.job_id))
    saw = Operation.objects.get(job=anodize.job, sequence=1)
    send_out = f"/api/v1/operations/{anodize.pk}/send-out"
    receive = f"/api/v1/operations/{anodize.pk}/receive"

    refused = supervisor_api.post(send_out, {})
    assert refused.status_code == 409
    assert "op 1 Saw is not done" in refused.json()["detail"]

    _finish(operator, saw, 100)
    # The floor cannot start it (scan API), and an operator cannot send it out.
    scan = operator_api.post(
        "/api/v1/scans",
        {"job": "J-1001", "operation": anodize.pk, "action": "start", "client_id": "c" * 12},
    )
    assert scan.status_code == 409
    assert "not started at a work center" in scan.json()["detail"]
    assert operator_api.post(send_out, {}).status_code == 403

    response = supervisor_api.post(send_out, {"note": "Crate 7"})
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["status_label"]) == (
        "at_supplier",
        "At supplier",
    )
    assert supervisor_api.post(send_out, {}).status_code == 409

    assert supervisor_api.post(receive, {"qty_good": 101}).status_code == 422
    response = supervisor_api.post(receive, {"qty_good": 99, "qty_scrap": 1})
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["qty_good"]) == ("done", 99)
    job = supervisor_api.get("/api/v1/jobs/J-1001").json()
    assert job["progress"] == {"done": 2, "total": 4}


def test_another_shops_outside_operation_answers_404(outsider_api, anodize):
    for path, body in (("send-out", {}), ("receive", {"qty_good": 1})):
        response = outsider_api.post(f"/api/v1/operations/{anodize.pk}/{path}", body)
        assert response.status_code == 404


# --- Shipping ----------------------------------------------------------------------------------


@pytest.fixture
def complete_job(operator, released_job):
    for operation in released_job.operations.order_by("sequence"):
        _finish(operator, operation, 100)
    return released_job


def test_a_job_ships_in_two_quantities_through_the_api(supervisor_api, complete_job):
    response = supervisor_api.post("/api/v1/jobs/J-1001/ship", {"quantity": 60})
    assert response.status_code == 200, response.json()
    assert (response.json()["quantity_shipped"], response.json()["stage"]) == (60, "complete")

    refused = supervisor_api.post("/api/v1/jobs/J-1001/ship", {"quantity": 41})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "quantity"

    response = supervisor_api.post("/api/v1/jobs/J-1001/ship", {"quantity": 40})
    assert (response.json()["quantity_shipped"], response.json()["stage"]) == (100, "shipped")
    listed = supervisor_api.get("/api/v1/jobs", {"stage": "shipped"}).json()
    assert [job["number"] for job in listed["items"]] == ["J-1001"]
    assert listed["items"][0]["quantity_shipped"] == 100
    assert supervisor_api.post("/api/v1/jobs/J-1001/ship", {}).status_code == 409


def test_ship_without_a_quantity_ships_the_rest(supervisor_api, complete_job):
    response = supervisor_api.post("/api/v1/jobs/J-1001/ship")
    assert response.status_code == 200, response.json()
    assert (response.json()["quantity_shipped"], response.json()["stage"]) == (100, "shipped")


@pytest.mark.parametrize("quantity", [0, -3, "ten", True, 1.5])
def test_a_bad_quantity_is_422_and_ships_nothing(supervisor_api, complete_job, quantity):
    response = supervisor_api.post("/api/v1/jobs/J-1001/ship", {"quantity": quantity})
    assert response.status_code == 422
    complete_job.refresh_from_db()
    assert complete_job.quantity_shipped == 0


def test_ship_is_for_planners_of_the_shop(operator_api, outsider_api, complete_job):
    assert operator_api.post("/api/v1/jobs/J-1001/ship", {"quantity": 1}).status_code == 403
    assert outsider_api.post("/api/v1/jobs/J-1001/ship", {"quantity": 1}).status_code == 404
    complete_job.refresh_from_db()
    assert complete_job.quantity_shipped == 0
