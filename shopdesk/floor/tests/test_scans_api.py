"""POST /api/v1/scans: floor actions by traveler token or job number, idempotent by client_id."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shopdesk.core.models import Event
from shopdesk.jobs.models import FloorAction, Operation, OperationStatus
from shopdesk.travelers.models import Traveler


def _traveler(job, user, **extra) -> Traveler:
    return Traveler.objects.create(
        shop=job.shop,
        job=job,
        revision=job.revision,
        paper_size=job.shop.paper_size,
        printed_by=user,
        **extra,
    )


def _ops(job) -> list[Operation]:
    return list(job.operations.order_by("sequence"))


def test_start_by_job_number_on_the_current_operation(operator_api, released_job):
    response = operator_api.post(
        "/api/v1/scans", {"job": "J-1001", "action": "start", "client_id": "phone-1-0001"}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["replayed"] is False
    assert body["operation"]["name"] == "Saw" and body["operation"]["status"] == "running"
    assert body["job"]["stage"] == "in_production"
    assert body["job"]["stage_label"] == "In production at Saw"
    assert body["action"]["client_id"] == "phone-1-0001"
    assert _ops(released_job)[0].status == OperationStatus.RUNNING


def test_start_pause_finish_by_traveler_token(operator_api, operator, released_job):
    token = _traveler(released_job, operator).token
    first = _ops(released_job)[0]
    for action, client_id, extra in (
        ("start", "c-00000001", {}),
        ("pause", "c-00000002", {"note": "Lunch"}),
        ("start", "c-00000003", {}),
        ("finish", "c-00000004", {"qty_good": 98, "qty_scrap": 2}),
    ):
        response = operator_api.post(
            "/api/v1/scans",
            {"traveler_token": token, "action": action, "client_id": client_id, **extra},
        )
        assert response.status_code == 201, (action, response.json())
    body = response.json()
    assert body["operation"]["id"] == first.pk
    assert body["operation"]["status"] == "done"
    assert (body["operation"]["qty_good"], body["operation"]["qty_scrap"]) == (98, 2)
    assert body["job"]["progress"] == {"done": 1, "total": 3}
    assert body["job"]["current_operation"] == _ops(released_job)[1].pk


def test_a_note_on_a_named_operation(operator_api, released_job):
    third = _ops(released_job)[2]
    response = operator_api.post(
        "/api/v1/scans",
        {
            "job": "1001",
            "operation": third.pk,
            "action": "note",
            "note": "Gauge at cal lab",
            "client_id": "note-0000001",
        },
    )
    assert response.status_code == 201
    assert Event.objects.filter(kind="operation.note", subject_id=third.pk).exists()


def test_a_replay_answers_the_same_body_with_replayed(operator_api, released_job):
    payload = {"job": "J-1001", "action": "start", "client_id": "retry-000001"}
    first = operator_api.post("/api/v1/scans", payload)
    again = operator_api.post("/api/v1/scans", payload)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["replayed"] is True
    assert {**first.json(), "replayed": True} == again.json()
    assert FloorAction.objects.count() == 1
    assert Event.objects.filter(kind="operation.start").count() == 1


def test_a_retried_finish_replays_although_the_job_moved_on(operator_api, released_job):
    operator_api.post(
        "/api/v1/scans", {"job": "J-1001", "action": "start", "client_id": "s-0000001"}
    )
    payload = {"job": "J-1001", "action": "finish", "qty_good": 100, "client_id": "f-0000001"}
    first = operator_api.post("/api/v1/scans", payload)
    # The first finish moved the job to its next operation; the phone never saw the answer.
    again = operator_api.post("/api/v1/scans", payload)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["operation"]["id"] == first.json()["operation"]["id"]
    assert FloorAction.objects.filter(action="finish").count() == 1


def test_the_same_client_id_with_another_payload_is_409(operator_api, released_job):
    operator_api.post(
        "/api/v1/scans", {"job": "J-1001", "action": "start", "client_id": "dup-00001"}
    )
    response = operator_api.post(
        "/api/v1/scans", {"job": "J-1001", "action": "pause", "client_id": "dup-00001"}
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "client_id"
    assert _ops(released_job)[0].status == OperationStatus.RUNNING
    assert FloorAction.objects.count() == 1


def test_a_revoked_traveler_is_410(operator_api, supervisor, released_job):
    traveler = _traveler(released_job, supervisor, revoked_at=timezone.now())
    response = operator_api.post(
        "/api/v1/scans",
        {"traveler_token": traveler.token, "action": "start", "client_id": "rev-000001"},
    )
    assert response.status_code == 410
    assert response.json()["errors"][0]["field"] == "traveler_token"
    assert _ops(released_job)[0].status == OperationStatus.PENDING


def test_an_unknown_traveler_token_is_404(operator_api, released_job):
    response = operator_api.post(
        "/api/v1/scans", {"traveler_token": "nope", "action": "start", "client_id": "unk-000001"}
    )
    assert response.status_code == 404
    assert FloorAction.objects.count() == 0


def test_a_planned_job_refuses_floor_work(operator_api, planned_job):
    response = operator_api.post(
        "/api/v1/scans", {"job": "J-1001", "action": "start", "client_id": "pl-0000001"}
    )
    assert response.status_code == 409
    assert "released job" in response.json()["detail"]


def test_the_outsider_cannot_scan_acmes_job_traveler_or_operation(
    outsider_api, supervisor, released_job
):
    token = _traveler(released_job, supervisor).token
    operation = _ops(released_job)[0]
    for payload in (
        {"job": "J-1001"},
        {"traveler_token": token},
        {"traveler_token": token, "operation": operation.pk},
    ):
        response = outsider_api.post(
            "/api/v1/scans", {**payload, "action": "start", "client_id": "out-000001"}
        )
        assert response.status_code == 404, payload
        assert "Saw" not in response.content.decode()
    assert FloorAction.objects.count() == 0
    assert _ops(released_job)[0].status == OperationStatus.PENDING


def test_the_outsider_cannot_reach_acmes_operation_through_their_own_job(
    outsider_api, other_job, released_job
):
    acme_operation = _ops(released_job)[0]
    response = outsider_api.post(
        "/api/v1/scans",
        {
            "job": other_job.display_number,
            "operation": acme_operation.pk,
            "action": "start",
            "client_id": "out-000002",
        },
    )
    assert response.status_code == 404
    assert _ops(released_job)[0].status == OperationStatus.PENDING


@pytest.mark.parametrize(
    "payload, status, field",
    [
        ({}, 422, "action"),
        ({"action": "start"}, 422, "client_id"),
        ({"action": "start", "client_id": "short"}, 422, "client_id"),
        ({"action": "start", "client_id": "bad id with spaces"}, 422, "client_id"),
        ({"action": "start", "client_id": "x" * 65}, 422, "client_id"),
        ({"action": "explode", "client_id": "bad-000001"}, 422, "action"),
        ({"action": "finish", "qty_good": "ten", "client_id": "bad-000002"}, 422, "qty_good"),
        ({"action": "finish", "qty_good": -1, "client_id": "bad-000003"}, 422, "qty_good"),
        ({"action": "finish", "qty_good": 10**12, "client_id": "bad-000004"}, 422, "qty_good"),
        ({"action": "finish", "qty_scrap": 1.5, "client_id": "bad-000005"}, 422, "qty_scrap"),
        ({"action": "note", "note": "x" * 100_000, "client_id": "bad-000006"}, 422, "note"),
        ({"action": "note", "note": "", "client_id": "bad-000007"}, 422, "note"),
        ({"action": "start", "operation": "first", "client_id": "bad-000008"}, 422, "operation"),
        ({"action": "start", "operation": 10**20, "client_id": "bad-000009"}, 422, "operation"),
        ({"action": "start", "colour": "red", "client_id": "bad-000010"}, 422, "colour"),
        ({"action": "start", "qty_good": 5, "client_id": "bad-000011"}, 422, "qty_good"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    operator_api, released_job, payload, status, field
):
    response = operator_api.post("/api/v1/scans", {"job": "J-1001", **payload})
    assert response.status_code == status, response.json()
    assert field in [error["field"] for error in response.json()["errors"]]
    assert FloorAction.objects.count() == 0
    assert all(op.status == OperationStatus.PENDING for op in _ops(released_job))


def test_a_token_and_a_job_together_or_neither_is_422(operator_api, operator, released_job):
    token = _traveler(released_job, operator).token
    for payload in (
        {},
        {"job": "J-1001", "traveler_token": token},
        {"job": "", "traveler_token": ""},
    ):
        response = operator_api.post(
            "/api/v1/scans", {**payload, "action": "start", "client_id": "both-00001"}
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "traveler_token"
    assert FloorAction.objects.count() == 0


def test_an_operation_of_another_job_is_422(
    operator_api, supervisor, released_job, customer, part, work_centers
):
    from shopdesk.jobs import services

    other = services.job_create(
        user=supervisor,
        customer=customer,
        part=part,
        quantity=1,
        operations=[{"work_center": work_centers[0]}],
    )
    response = operator_api.post(
        "/api/v1/scans",
        {
            "job": "J-1001",
            "operation": _ops(other)[0].pk,
            "action": "start",
            "client_id": "oth-000001",
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "operation"


def test_malformed_json_is_400(operator_api, released_job):
    response = operator_api.post("/api/v1/scans", raw='{"action": "start", "job": ')
    assert response.status_code == 400
    assert FloorAction.objects.count() == 0


def test_no_token_is_401(anonymous_api, released_job):
    response = anonymous_api.post(
        "/api/v1/scans", {"job": "J-1001", "action": "start", "client_id": "anon-00001"}
    )
    assert response.status_code == 401
    assert FloorAction.objects.count() == 0


def test_a_job_with_every_operation_done_has_nothing_to_scan(operator_api, released_job):
    for index, op in enumerate(_ops(released_job)):
        operator_api.post(
            "/api/v1/scans",
            {
                "job": "J-1001",
                "operation": op.pk,
                "action": "start",
                "client_id": f"all-{index}-start",
            },
        )
        operator_api.post(
            "/api/v1/scans",
            {
                "job": "J-1001",
                "operation": op.pk,
                "action": "finish",
                "qty_good": 100,
                "client_id": f"all-{index}-finish",
            },
        )
    response = operator_api.post(
        "/api/v1/scans", {"job": "J-1001", "action": "start", "client_id": "all-extra-1"}
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "operation"


def test_scan_by_job_number_costs_a_fixed_number_of_queries(
    operator_api, released_job, django_assert_num_queries
):
    saw = _ops(released_job)[0]
    scan = {"job": "J-1001", "operation": saw.pk}
    first = operator_api.post(
        "/api/v1/scans", {**scan, "action": "start", "client_id": "q-count-0000"}
    )
    assert first.status_code == 201, first.json()
    # The token (with its user, membership and shop, one statement); then in the transaction
    # (a savepoint and its release in tests): the job locked, its routing, the floor action,
    # the labor (pause: the open entries read and closed; resuming a paused operation: the new
    # entry alone, nobody can be on it), the operation, the job's derived state and the event.
    # Nothing is read before it.
    for action, client_id, queries in (
        ("pause", "q-count-0001", 11),
        ("start", "q-count-0002", 10),
    ):
        with django_assert_num_queries(queries):
            response = operator_api.post(
                "/api/v1/scans", {**scan, "action": action, "client_id": client_id}
            )
        assert response.status_code == 201, response.json()


def test_a_replay_by_job_number_answers_the_first_result_and_changes_nothing(
    operator_api, released_job
):
    saw = _ops(released_job)[0]
    scan = {"job": "J-1001", "operation": saw.pk, "action": "start", "client_id": "q-replay-01"}
    first = operator_api.post("/api/v1/scans", scan)
    events = Event.objects.count()
    again = operator_api.post("/api/v1/scans", scan)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["replayed"] is True
    assert again.json()["operation"] == first.json()["operation"]
    assert Event.objects.count() == events and FloorAction.objects.count() == 1
    changed = operator_api.post("/api/v1/scans", {**scan, "action": "pause"})
    assert changed.status_code == 409
    assert Event.objects.count() == events and FloorAction.objects.count() == 1


def test_a_scan_for_an_operation_that_is_not_ready_is_409_and_changes_nothing(
    operator_api, released_job
):
    second = _ops(released_job)[1]
    response = operator_api.post(
        "/api/v1/scans",
        {"job": "J-1001", "operation": second.pk, "action": "start", "client_id": "early-001"},
    )
    assert response.status_code == 409
    assert "not ready: op 1 Saw has not been started" in response.json()["detail"]
    second.refresh_from_db()
    assert second.status == OperationStatus.PENDING
    assert not FloorAction.objects.exists()
