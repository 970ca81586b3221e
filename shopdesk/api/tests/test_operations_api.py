"""A job's operations: /api/v1/jobs/{number}/operations and /api/v1/operations/{id}."""

from __future__ import annotations

import pytest

from shopdesk.core.tests.factories import WorkCenterFactory
from shopdesk.jobs import services
from shopdesk.jobs.models import Operation


def test_list_the_routing(supervisor_api, planned_job):
    response = supervisor_api.get("/api/v1/jobs/J-1001/operations")
    assert response.status_code == 200
    assert [(op["sequence"], op["name"]) for op in response.json()] == [
        (1, "Saw"),
        (2, "CNC Mill"),
        (3, "Inspection"),
    ]


def test_the_routing_costs_a_fixed_number_of_queries(
    supervisor_api, supervisor, planned_job, work_centers, django_assert_max_num_queries
):
    for index in range(50):
        services.operation_add(
            user=supervisor,
            job=planned_job,
            work_center=work_centers[index % 3],
            name=f"Op {index}",
        )
    with django_assert_max_num_queries(10):
        response = supervisor_api.get("/api/v1/jobs/J-1001/operations")
    assert len(response.json()) == 53


def test_read_one_operation(supervisor_api, planned_job):
    operation = planned_job.operations.get(sequence=2)
    body = supervisor_api.get(f"/api/v1/operations/{operation.pk}").json()
    assert body["job"] == "J-1001" and body["name"] == "CNC Mill"
    assert body["setup_minutes"] == "30.00" and body["status_label"] == "Not started"


def test_add_an_operation_at_a_position(supervisor_api, planned_job, work_centers):
    response = supervisor_api.post(
        "/api/v1/jobs/J-1001/operations",
        {"work_center": work_centers[2].pk, "name": "Deburr", "run_minutes": 0.5, "position": 2},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["sequence"] == 2
    assert list(planned_job.operations.order_by("sequence").values_list("name", flat=True)) == [
        "Saw",
        "Deburr",
        "CNC Mill",
        "Inspection",
    ]


def test_change_an_operation(supervisor_api, planned_job, work_centers):
    operation = planned_job.operations.get(sequence=1)
    response = supervisor_api.patch(
        f"/api/v1/operations/{operation.pk}",
        {"name": "Saw 3 in bar", "setup_minutes": "12.5", "work_center": work_centers[1].pk},
    )
    assert response.status_code == 200, response.json()
    operation.refresh_from_db()
    assert operation.name == "Saw 3 in bar" and str(operation.setup_minutes) == "12.50"
    assert operation.work_center_id == work_centers[1].pk


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "work_center"),
        ({"work_center": "saw"}, "work_center"),
        ({"work_center": 1, "setup_minutes": -5}, "setup_minutes"),
        ({"work_center": 1, "run_minutes": 10**12}, "run_minutes"),
        ({"work_center": 1, "name": "x" * 100_000}, "name"),
        ({"work_center": 1, "position": 0}, "position"),
        ({"work_center": 1, "position": 99}, "position"),
    ],
)
def test_add_refuses_bad_input(supervisor_api, planned_job, work_centers, payload, field):
    if payload.get("work_center") == 1:
        payload["work_center"] = work_centers[0].pk
    response = supervisor_api.post("/api/v1/jobs/J-1001/operations", payload)
    assert response.status_code == 422, response.json()
    assert response.json()["errors"][0]["field"] == field
    assert Operation.objects.count() == 3


def test_another_shops_work_center_is_422(supervisor_api, planned_job, other_shop):
    foreign = WorkCenterFactory(shop=other_shop)
    response = supervisor_api.post("/api/v1/jobs/J-1001/operations", {"work_center": foreign.pk})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "work_center"
    operation = planned_job.operations.first()
    response = supervisor_api.patch(
        f"/api/v1/operations/{operation.pk}", {"work_center": foreign.pk}
    )
    assert response.status_code == 422
    assert Operation.objects.filter(work_center=foreign).count() == 0


def test_the_outsider_cannot_see_or_change_acmes_operations(
    outsider_api, planned_job, work_centers
):
    operation = planned_job.operations.first()
    assert outsider_api.get("/api/v1/jobs/J-1001/operations").status_code == 404
    assert outsider_api.get(f"/api/v1/operations/{operation.pk}").status_code == 404
    assert (
        outsider_api.patch(f"/api/v1/operations/{operation.pk}", {"name": "Mine"}).status_code
        == 404
    )
    response = outsider_api.post(
        "/api/v1/jobs/J-1001/operations", {"work_center": work_centers[0].pk}
    )
    assert response.status_code == 404
    operation.refresh_from_db()
    assert operation.name == "Saw" and Operation.objects.count() == 3


def test_an_operator_may_not_edit_the_routing(operator_api, planned_job, work_centers):
    operation = planned_job.operations.first()
    assert (
        operator_api.patch(f"/api/v1/operations/{operation.pk}", {"name": "Mine"}).status_code
        == 403
    )
    assert (
        operator_api.post(
            "/api/v1/jobs/J-1001/operations", {"work_center": work_centers[0].pk}
        ).status_code
        == 403
    )
    assert Operation.objects.count() == 3


def test_bad_operation_ids_are_refused(supervisor_api, planned_job):
    assert supervisor_api.get("/api/v1/operations/999999").status_code == 404
    assert supervisor_api.get("/api/v1/operations/abc").status_code == 422
    assert supervisor_api.get(f"/api/v1/operations/{10**30}").status_code == 422
    assert supervisor_api.patch("/api/v1/operations/1", raw="{").status_code == 400
