"""Removing and reordering a job's operations over the API.

DELETE /api/v1/operations/{id}, PUT /api/v1/jobs/{number}/routing and
POST /api/v1/operations/{id}/move.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from shopdesk.core.models import Event
from shopdesk.core.tests.api_clients import ApiClient
from shopdesk.floor import services as floor_services
from shopdesk.jobs import services
from shopdesk.jobs.models import Job, Operation


def put(api: ApiClient, path: str, body: Any = None, *, raw: str | bytes | None = None) -> Any:
    data = raw if raw is not None else ("" if body is None else json.dumps(body))
    return api.client.put(path, data, content_type="application/json", headers=api._headers())


def delete(api: ApiClient, path: str) -> Any:
    return api.client.delete(path, headers=api._headers())


def routing(job: Job) -> list[tuple[int, str]]:
    return list(job.operations.order_by("sequence").values_list("sequence", "name"))


def ids(job: Job) -> list[int]:
    return list(job.operations.order_by("sequence").values_list("pk", flat=True))


def start(operator: Any, operation: Operation, client_id: str = "scan-start-0001") -> None:
    floor_services.floor_action(
        user=operator, operation=operation, action="start", client_id=client_id
    )


ORIGINAL = [(1, "Saw"), (2, "CNC Mill"), (3, "Inspection")]


# ------------------------------------------------------------------------------------ remove


def test_remove_an_operation(supervisor_api, planned_job):
    mill = planned_job.operations.get(name="CNC Mill")
    response = delete(supervisor_api, f"/api/v1/operations/{mill.pk}")
    assert response.status_code == 204
    assert response.content == b""
    assert routing(planned_job) == [(1, "Saw"), (2, "Inspection")]
    planned_job.refresh_from_db()
    assert planned_job.operations_total == 2
    event = Event.objects.get(kind="operation.removed")
    assert event.job_id == planned_job.pk and event.subject_id == mill.pk
    assert event.before == {"sequence": 2, "name": "CNC Mill"}
    # The job detail no longer lists it.
    body = supervisor_api.get("/api/v1/jobs/J-1001").json()
    assert [op["name"] for op in body["operations"]] == ["Saw", "Inspection"]


def test_removing_twice_is_a_404_the_second_time(supervisor_api, planned_job):
    saw = planned_job.operations.get(name="Saw")
    assert delete(supervisor_api, f"/api/v1/operations/{saw.pk}").status_code == 204
    response = delete(supervisor_api, f"/api/v1/operations/{saw.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": []}
    assert Event.objects.filter(kind="operation.removed").count() == 1


def test_an_operation_with_floor_activity_stays(supervisor_api, operator, released_job):
    saw = released_job.operations.get(name="Saw")
    start(operator, saw)
    response = delete(supervisor_api, f"/api/v1/operations/{saw.pk}")
    assert response.status_code == 409
    assert "has floor activity" in response.json()["detail"]
    assert routing(released_job) == ORIGINAL
    assert not Event.objects.filter(kind="operation.removed").exists()


def test_a_released_job_keeps_its_last_operation(supervisor_api, supervisor, released_job):
    first, second, last = released_job.operations.order_by("sequence")
    for operation in (first, second):
        services.operation_remove(user=supervisor, operation=operation)
    response = delete(supervisor_api, f"/api/v1/operations/{last.pk}")
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "A released job keeps at least one operation; unrelease it first."
    )
    assert routing(released_job) == [(1, "Inspection")]


def test_the_outsider_cannot_remove_acmes_operation(outsider_api, planned_job, other_job):
    saw = planned_job.operations.get(name="Saw")
    response = delete(outsider_api, f"/api/v1/operations/{saw.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": []}
    assert routing(planned_job) == ORIGINAL
    assert not Event.objects.filter(kind="operation.removed").exists()


def test_an_operator_may_not_remove_an_operation(operator_api, planned_job):
    saw = planned_job.operations.get(name="Saw")
    response = delete(operator_api, f"/api/v1/operations/{saw.pk}")
    assert response.status_code == 403
    assert response.json()["detail"]
    assert routing(planned_job) == ORIGINAL


def test_removing_needs_a_token(anonymous_api, planned_job):
    saw = planned_job.operations.get(name="Saw")
    assert delete(anonymous_api, f"/api/v1/operations/{saw.pk}").status_code == 401
    assert routing(planned_job) == ORIGINAL


# A NUL in the path names nothing: 404 for every path (see test_nul_characters).
@pytest.mark.parametrize("operation_id", ["abc", "-1", "0", str(10**30), "1.5"])
def test_remove_refuses_bad_ids(supervisor_api, planned_job, operation_id):
    response = delete(supervisor_api, f"/api/v1/operations/{operation_id}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "operation_id"
    assert routing(planned_job) == ORIGINAL


# ----------------------------------------------------------------------------------- reorder


def test_reorder_the_routing(supervisor_api, planned_job):
    saw, mill, inspection = ids(planned_job)
    response = put(
        supervisor_api, "/api/v1/jobs/J-1001/routing", {"operation_ids": [mill, saw, inspection]}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [(op["id"], op["sequence"], op["name"]) for op in body] == [
        (mill, 1, "CNC Mill"),
        (saw, 2, "Saw"),
        (inspection, 3, "Inspection"),
    ]
    # Same shape as the job detail's operations.
    assert body[0]["work_center"]["name"] == "CNC Mill" and body[0]["job"] == "J-1001"
    assert routing(planned_job) == [(1, "CNC Mill"), (2, "Saw"), (3, "Inspection")]
    event = Event.objects.get(kind="routing.reordered")
    assert event.job_id == planned_job.pk
    assert event.before == {"order": [saw, mill, inspection]}
    assert event.after == {"order": [mill, saw, inspection]}
    detail = supervisor_api.get("/api/v1/jobs/J-1001").json()
    assert [op["id"] for op in detail["operations"]] == [mill, saw, inspection]


def test_the_job_number_without_prefix_works(supervisor_api, planned_job):
    saw, mill, inspection = ids(planned_job)
    response = put(
        supervisor_api, "/api/v1/jobs/1001/routing", {"operation_ids": [inspection, mill, saw]}
    )
    assert response.status_code == 200
    assert routing(planned_job) == [(1, "Inspection"), (2, "CNC Mill"), (3, "Saw")]


def test_the_same_order_changes_nothing(supervisor_api, planned_job):
    response = put(
        supervisor_api, "/api/v1/jobs/J-1001/routing", {"operation_ids": ids(planned_job)}
    )
    assert response.status_code == 200
    assert [op["name"] for op in response.json()] == ["Saw", "CNC Mill", "Inspection"]
    assert not Event.objects.filter(kind="routing.reordered").exists()


def test_a_retry_of_the_same_reorder_appends_one_event(supervisor_api, planned_job):
    saw, mill, inspection = ids(planned_job)
    body = {"operation_ids": [inspection, saw, mill]}
    assert put(supervisor_api, "/api/v1/jobs/J-1001/routing", body).status_code == 200
    assert put(supervisor_api, "/api/v1/jobs/J-1001/routing", body).status_code == 200
    assert routing(planned_job) == [(1, "Inspection"), (2, "Saw"), (3, "CNC Mill")]
    assert Event.objects.filter(kind="routing.reordered").count() == 1


def test_started_operations_stay_ahead(supervisor_api, operator, released_job):
    saw, mill, inspection = ids(released_job)
    start(operator, Operation.objects.get(pk=saw))
    response = put(
        supervisor_api, "/api/v1/jobs/J-1001/routing", {"operation_ids": [mill, saw, inspection]}
    )
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "Operations that have started stay ahead of the ones that have not."
    )
    assert routing(released_job) == ORIGINAL
    # The unstarted ones may still swap among themselves.
    response = put(
        supervisor_api, "/api/v1/jobs/J-1001/routing", {"operation_ids": [saw, inspection, mill]}
    )
    assert response.status_code == 200
    assert routing(released_job) == [(1, "Saw"), (2, "Inspection"), (3, "CNC Mill")]


@pytest.mark.parametrize(
    "make_ids",
    [
        pytest.param(lambda saw, mill, insp, foreign: [saw, mill], id="missing"),
        pytest.param(lambda saw, mill, insp, foreign: [saw, mill, insp, 999_999], id="extra"),
        pytest.param(lambda saw, mill, insp, foreign: [saw, mill, mill], id="duplicated"),
        pytest.param(lambda saw, mill, insp, foreign: [saw, mill, insp, insp], id="dup-extra"),
        pytest.param(lambda saw, mill, insp, foreign: [saw, mill, foreign], id="other-shop"),
        pytest.param(lambda saw, mill, insp, foreign: [], id="empty"),
    ],
)
def test_reorder_needs_exactly_the_jobs_operations(
    supervisor_api, planned_job, other_job, make_ids
):
    saw, mill, inspection = ids(planned_job)
    foreign = other_job.operations.get().pk
    response = put(
        supervisor_api,
        "/api/v1/jobs/J-1001/routing",
        {"operation_ids": make_ids(saw, mill, inspection, foreign)},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "operation_ids", "message": "Give every operation of this job exactly once."}
    ]
    assert routing(planned_job) == ORIGINAL
    assert not Event.objects.filter(kind="routing.reordered").exists()


def test_another_jobs_operation_is_refused(supervisor_api, supervisor, planned_job, part, customer):
    second = services.job_create(
        user=supervisor,
        customer=customer,
        part=part,
        quantity=1,
        operations=[{"work_center": planned_job.operations.first().work_center, "name": "Saw"}],
    )
    saw, mill, _ = ids(planned_job)
    response = put(
        supervisor_api,
        "/api/v1/jobs/J-1001/routing",
        {"operation_ids": [saw, mill, second.operations.get().pk]},
    )
    assert response.status_code == 422
    assert routing(planned_job) == ORIGINAL
    assert list(second.operations.values_list("sequence", flat=True)) == [1]


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "operation_ids"),
        ({"operation_ids": None}, "operation_ids"),
        ({"operation_ids": "1,2,3"}, "operation_ids"),
        ({"operation_ids": 1}, "operation_ids"),
        ({"operation_ids": {"1": 1}}, "operation_ids"),
        ({"operation_ids": ["saw"]}, "operation_ids.0"),
        ({"operation_ids": [1.5]}, "operation_ids.0"),
        ({"operation_ids": [1.0]}, "operation_ids.0"),
        ({"operation_ids": ["1"]}, "operation_ids.0"),
        ({"operation_ids": [True]}, "operation_ids.0"),
        ({"operation_ids": ["<script>alert(1)</script>"]}, "operation_ids.0"),
        ({"operation_ids": [-1]}, "operation_ids.0"),
        ({"operation_ids": [0]}, "operation_ids.0"),
        ({"operation_ids": [10**30]}, "operation_ids.0"),
        ({"operation_ids": [None]}, "operation_ids.0"),
        ({"operation_ids": [[1]]}, "operation_ids.0"),
        ({"operation_ids": list(range(1, 10_001))}, "operation_ids"),
        ({"operation_ids": [1], "job": "J-1001"}, "job"),
        ({"order": [1, 2, 3]}, None),
    ],
)
def test_reorder_refuses_bad_input(supervisor_api, planned_job, body, field):
    response = put(supervisor_api, "/api/v1/jobs/J-1001/routing", body)
    assert response.status_code == 422, response.json()
    errors = response.json()["errors"]
    if field is not None:
        assert field in {error["field"] for error in errors}
    assert routing(planned_job) == ORIGINAL
    assert not Event.objects.filter(kind="routing.reordered").exists()


@pytest.mark.parametrize(
    "raw, status",
    [
        ("", 422),
        ("{", 400),
        ("not json", 400),
        ("[1, 2, 3]", 422),
        ('"operation_ids"', 422),
        ("null", 422),
        ('{"operation_ids": [1, 2, 3]', 400),
    ],
)
def test_reorder_refuses_malformed_bodies(supervisor_api, planned_job, raw, status):
    response = put(supervisor_api, "/api/v1/jobs/J-1001/routing", raw=raw)
    assert response.status_code == status
    assert response.json()["detail"]
    assert routing(planned_job) == ORIGINAL


def test_the_outsider_cannot_reorder_acmes_routing(outsider_api, planned_job):
    saw, mill, inspection = ids(planned_job)
    response = put(
        outsider_api, "/api/v1/jobs/J-1001/routing", {"operation_ids": [mill, saw, inspection]}
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": []}
    assert routing(planned_job) == ORIGINAL
    assert not Event.objects.filter(kind="routing.reordered").exists()


def test_acmes_ids_on_the_outsiders_own_job_are_refused(outsider_api, planned_job, other_job):
    # Job numbers are per shop: the outsider's J-1001 is Beta's job, not Acme's.
    saw, mill, inspection = ids(planned_job)
    beta_ids = ids(other_job)
    response = put(
        outsider_api, "/api/v1/jobs/J-1001/routing", {"operation_ids": [mill, saw, inspection]}
    )
    assert response.status_code == 422
    assert "CNC Mill" not in response.content.decode()
    assert routing(planned_job) == ORIGINAL
    assert ids(other_job) == beta_ids
    assert not Event.objects.filter(kind="routing.reordered").exists()


def test_an_operator_may_not_reorder(operator_api, planned_job):
    saw, mill, inspection = ids(planned_job)
    response = put(
        operator_api, "/api/v1/jobs/J-1001/routing", {"operation_ids": [mill, saw, inspection]}
    )
    assert response.status_code == 403
    assert routing(planned_job) == ORIGINAL


@pytest.mark.parametrize("number", ["J-999999", "nonsense", "J-" + "9" * 40, "%00"])
def test_an_unknown_job_is_404(supervisor_api, planned_job, number):
    response = put(supervisor_api, f"/api/v1/jobs/{number}/routing", {"operation_ids": [1]})
    assert response.status_code == 404
    assert routing(planned_job) == ORIGINAL


def test_a_shipped_jobs_routing_is_final(supervisor_api, supervisor, operator, released_job):
    for index, operation in enumerate(released_job.operations.order_by("sequence")):
        start(operator, operation, client_id=f"start-op-{index:04d}")
        floor_services.floor_action(
            user=operator,
            operation=operation,
            action="finish",
            client_id=f"finish-op-{index:04d}",
            qty_good=100,
        )
    services.job_mark_shipped(user=supervisor, job=Job.objects.get(pk=released_job.pk))
    saw, mill, inspection = ids(released_job)
    response = put(
        supervisor_api, "/api/v1/jobs/J-1001/routing", {"operation_ids": [saw, inspection, mill]}
    )
    assert response.status_code == 409
    assert delete(supervisor_api, f"/api/v1/operations/{saw}").status_code == 409
    assert routing(released_job) == ORIGINAL


def test_reordering_a_long_routing_costs_a_bounded_number_of_queries(
    supervisor_api, supervisor, planned_job, work_centers, django_assert_max_num_queries
):
    for index in range(60):
        services.operation_add(
            user=supervisor,
            job=planned_job,
            work_center=work_centers[index % 3],
            name=f"Op {index}",
        )
    order = list(reversed(ids(planned_job)))
    # Each moved operation is one UPDATE; the rest is a fixed number of queries.
    with django_assert_max_num_queries(len(order) + 20):
        response = put(supervisor_api, "/api/v1/jobs/J-1001/routing", {"operation_ids": order})
    assert response.status_code == 200
    assert [op["id"] for op in response.json()] == order
    assert ids(planned_job) == order


# -------------------------------------------------------------------------------------- move


def test_move_an_operation_up_and_down(supervisor_api, planned_job):
    saw, mill, inspection = ids(planned_job)
    response = supervisor_api.post(f"/api/v1/operations/{inspection}/move", {"direction": "up"})
    assert response.status_code == 200, response.json()
    assert [op["id"] for op in response.json()] == [saw, inspection, mill]
    assert routing(planned_job) == [(1, "Saw"), (2, "Inspection"), (3, "CNC Mill")]
    response = supervisor_api.post(f"/api/v1/operations/{saw}/move", {"direction": "down"})
    assert response.status_code == 200
    assert ids(planned_job) == [inspection, saw, mill]
    assert Event.objects.filter(kind="routing.reordered").count() == 2


def test_move_past_the_end_is_409(supervisor_api, planned_job):
    saw, _, inspection = ids(planned_job)
    response = supervisor_api.post(f"/api/v1/operations/{saw}/move", {"direction": "up"})
    assert response.status_code == 409
    assert response.json()["detail"] == "The operation is already at the top."
    response = supervisor_api.post(f"/api/v1/operations/{inspection}/move", {"direction": "down"})
    assert response.status_code == 409
    assert routing(planned_job) == ORIGINAL


def test_move_a_started_operation_behind_an_unstarted_one_is_409(
    supervisor_api, operator, released_job
):
    saw, _, _ = ids(released_job)
    start(operator, Operation.objects.get(pk=saw))
    response = supervisor_api.post(f"/api/v1/operations/{saw}/move", {"direction": "down"})
    assert response.status_code == 409
    assert routing(released_job) == ORIGINAL


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"direction": "sideways"},
        {"direction": "UP"},
        {"direction": 1},
        {"direction": None},
        {"direction": "up", "steps": 2},
        {"direction": "x" * 100_000},
    ],
)
def test_move_refuses_bad_input(supervisor_api, planned_job, body):
    mill = planned_job.operations.get(name="CNC Mill")
    response = supervisor_api.post(f"/api/v1/operations/{mill.pk}/move", body)
    assert response.status_code == 422
    assert routing(planned_job) == ORIGINAL


def test_move_refuses_malformed_json(supervisor_api, planned_job):
    mill = planned_job.operations.get(name="CNC Mill")
    response = supervisor_api.post(f"/api/v1/operations/{mill.pk}/move", raw="{direction: up")
    assert response.status_code == 400
    assert response.json()["detail"] == "The request body is not valid JSON."
    assert routing(planned_job) == ORIGINAL


def test_the_outsider_cannot_move_acmes_operation(outsider_api, planned_job, other_job):
    mill = planned_job.operations.get(name="CNC Mill")
    response = outsider_api.post(f"/api/v1/operations/{mill.pk}/move", {"direction": "up"})
    assert response.status_code == 404
    assert routing(planned_job) == ORIGINAL


def test_an_operator_may_not_move(operator_api, planned_job):
    mill = planned_job.operations.get(name="CNC Mill")
    response = operator_api.post(f"/api/v1/operations/{mill.pk}/move", {"direction": "up"})
    assert response.status_code == 403
    assert routing(planned_job) == ORIGINAL


# ----------------------------------------------------------------------------------- schema


def test_the_schema_documents_remove_reorder_and_move(db, anonymous_api):
    schema = anonymous_api.get("/api/v1/openapi.json").json()
    remove = schema["paths"]["/api/v1/operations/{operation_id}"]["delete"]["responses"]
    assert {"204", "403", "404", "409", "422"} <= set(remove)
    reorder = schema["paths"]["/api/v1/jobs/{number}/routing"]["put"]
    assert {"200", "403", "404", "409", "422"} <= set(reorder["responses"])
    body = reorder["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/RoutingIn"}
    routing_in = schema["components"]["schemas"]["RoutingIn"]
    assert routing_in["required"] == ["operation_ids"]
    assert routing_in["additionalProperties"] is False
    assert routing_in["properties"]["operation_ids"]["maxItems"] == 200
    move = schema["paths"]["/api/v1/operations/{operation_id}/move"]["post"]["responses"]
    assert {"200", "403", "404", "409", "422"} <= set(move)
