"""/api/v1/blockers: list, raise (idempotent by client_id), read and resolve."""

from __future__ import annotations

import pytest

from shopdesk.jobs import services
from shopdesk.jobs.models import Blocker


def _raise(api, **fields):
    payload = {"job": "J-1001", "kind": "material", "note": "Bar stock late", **fields}
    return api.post("/api/v1/blockers", payload)


def test_raise_a_blocker_with_owner_and_operation(operator_api, supervisor, released_job):
    operation = released_job.operations.order_by("sequence")[1]
    response = _raise(operator_api, owner=supervisor.pk, operation=operation.pk)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["job"] == "J-1001" and body["kind"] == "material"
    assert body["kind_label"] == "Material"
    assert body["owner"]["username"] == "sam" and body["raised_by"]["username"] == "oscar"
    assert body["operation"] == operation.pk and body["open"] is True
    released_job.refresh_from_db()
    assert released_job.open_blocker_count == 1


def test_a_double_submit_with_a_client_id_raises_once(operator_api, released_job):
    first = _raise(operator_api, client_id="blk-000001")
    again = _raise(operator_api, client_id="blk-000001")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert Blocker.objects.count() == 1


def test_without_a_client_id_each_submit_raises_one(operator_api, released_job):
    _raise(operator_api)
    _raise(operator_api)
    assert Blocker.objects.count() == 2


@pytest.mark.parametrize(
    "change, field",
    [
        ({"kind": "gremlins"}, "kind"),
        ({"kind": None}, "kind"),
        ({"note": ""}, "note"),
        ({"note": "   "}, "note"),
        ({"note": "x" * 100_000}, "note"),
        ({"note": 42}, "note"),
        ({"owner": "sam"}, "owner"),
        ({"owner": -1}, "owner"),
        ({"operation": 10**20}, "operation"),
        ({"client_id": "tiny"}, "client_id"),
        ({"job": None}, "job"),
    ],
)
def test_bad_input_raises_nothing(operator_api, released_job, change, field):
    response = _raise(operator_api, **change)
    assert response.status_code == 422, response.json()
    assert response.json()["errors"][0]["field"] == field
    assert Blocker.objects.count() == 0


def test_missing_fields_are_named(operator_api, released_job):
    response = operator_api.post("/api/v1/blockers", {"job": "J-1001"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"kind", "note"}


def test_malformed_json_is_400(operator_api, released_job):
    assert operator_api.post("/api/v1/blockers", raw='{"job": "J-').status_code == 400
    assert Blocker.objects.count() == 0


def test_another_shops_owner_or_another_jobs_operation_is_422(
    operator_api, outsider, supervisor, released_job, customer, part, work_centers
):
    other_job = services.job_create(
        user=supervisor, customer=customer, part=part, operations=[{"work_center": work_centers[0]}]
    )
    other_operation = other_job.operations.get()
    assert _raise(operator_api, owner=outsider.pk).json()["errors"][0]["field"] == "owner"
    response = _raise(operator_api, operation=other_operation.pk)
    assert response.json()["errors"][0]["field"] == "operation"
    assert Blocker.objects.count() == 0


def test_the_outsider_cannot_raise_on_acmes_job(outsider_api, released_job):
    response = _raise(outsider_api)
    assert response.status_code == 404
    assert Blocker.objects.count() == 0


def test_list_filters_by_job_and_open(supervisor_api, supervisor, released_job, customer, part):
    second = services.job_create(user=supervisor, customer=customer, part=part)
    open_one, _ = services.blocker_raise(
        user=supervisor, job=released_job, kind="tooling", note="Insert"
    )
    done, _ = services.blocker_raise(user=supervisor, job=released_job, kind="drawing", note="Q")
    services.blocker_resolve(user=supervisor, blocker=done, note="Answered")
    services.blocker_raise(user=supervisor, job=second, kind="customer", note="Hold")

    def ids(**params):
        response = supervisor_api.get("/api/v1/blockers", params)
        assert response.status_code == 200, response.json()
        return {item["id"] for item in response.json()["items"]}

    assert len(ids()) == 3
    assert ids(job="J-1001") == {open_one.pk, done.pk}
    assert ids(job="J-1001", open="true") == {open_one.pk}
    assert ids(job="1001", open="false") == {done.pk}
    assert ids(job="J-4242") == set()
    assert supervisor_api.get("/api/v1/blockers", {"job": "nonsense"}).status_code == 422
    assert supervisor_api.get("/api/v1/blockers", {"open": "perhaps"}).status_code == 422


def test_the_list_costs_a_fixed_number_of_queries(
    supervisor_api, supervisor, released_job, django_assert_max_num_queries
):
    operation = released_job.operations.first()
    for index in range(40):
        blocker, _ = services.blocker_raise(
            user=supervisor,
            job=released_job,
            kind="other",
            note=f"B{index}",
            owner=supervisor,
            operation=operation,
        )
        if index % 3 == 0:
            services.blocker_resolve(user=supervisor, blocker=blocker, note="ok")
    with django_assert_max_num_queries(10):
        response = supervisor_api.get("/api/v1/blockers", {"limit": 200})
    assert response.json()["count"] == 40


def test_the_outsider_lists_and_reads_none_of_acmes(outsider_api, supervisor, released_job):
    blocker, _ = services.blocker_raise(user=supervisor, job=released_job, kind="other", note="x")
    assert outsider_api.get("/api/v1/blockers").json() == {"count": 0, "items": []}
    assert outsider_api.get(f"/api/v1/blockers/{blocker.pk}").status_code == 404


def test_read_one(supervisor_api, supervisor, released_job):
    blocker, _ = services.blocker_raise(
        user=supervisor, job=released_job, kind="machine", note="Spindle"
    )
    body = supervisor_api.get(f"/api/v1/blockers/{blocker.pk}").json()
    assert body["kind_label"] == "Machine down" and body["note"] == "Spindle"
    assert supervisor_api.get("/api/v1/blockers/999999").status_code == 404
    assert supervisor_api.get("/api/v1/blockers/abc").status_code == 422


def test_resolve(operator_api, supervisor, released_job):
    blocker, _ = services.blocker_raise(user=supervisor, job=released_job, kind="other", note="x")
    response = operator_api.post(f"/api/v1/blockers/{blocker.pk}/resolve", {"note": "Fixed"})
    assert response.status_code == 200
    assert response.json()["open"] is False
    assert response.json()["resolution_note"] == "Fixed"
    assert response.json()["resolved_by"]["username"] == "oscar"
    released_job.refresh_from_db()
    assert released_job.open_blocker_count == 0

    again = operator_api.post(f"/api/v1/blockers/{blocker.pk}/resolve", {"note": "Fixed"})
    assert again.status_code == 409


@pytest.mark.parametrize("body", [None, {}, {"note": ""}, {"note": "x" * 100_000}, {"note": []}])
def test_resolve_refuses_bad_input(operator_api, supervisor, released_job, body):
    blocker, _ = services.blocker_raise(user=supervisor, job=released_job, kind="other", note="x")
    response = operator_api.post(f"/api/v1/blockers/{blocker.pk}/resolve", body)
    assert response.status_code == 422
    blocker.refresh_from_db()
    assert blocker.is_open


def test_the_outsider_cannot_resolve_acmes_blocker(outsider_api, supervisor, released_job):
    blocker, _ = services.blocker_raise(user=supervisor, job=released_job, kind="other", note="x")
    response = outsider_api.post(f"/api/v1/blockers/{blocker.pk}/resolve", {"note": "gone"})
    assert response.status_code == 404
    blocker.refresh_from_db()
    assert blocker.is_open


def test_quality_may_raise_and_resolve(quality, released_job):
    from shopdesk.core.tests.api_clients import api_for

    api = api_for(quality)
    created = _raise(api, kind="quality", note="Burrs on bore")
    assert created.status_code == 201
    resolved = api.post(f"/api/v1/blockers/{created.json()['id']}/resolve", {"note": "Reworked"})
    assert resolved.status_code == 200
