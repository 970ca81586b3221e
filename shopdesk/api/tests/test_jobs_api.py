"""/api/v1/jobs: list, create, read, change, release and unrelease."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from shopdesk.core.models import Event
from shopdesk.core.tests.factories import (
    CustomerFactory,
    PartFactory,
    UserFactory,
    WorkCenterFactory,
)
from shopdesk.jobs import services
from shopdesk.jobs.models import Job, JobStage, Operation

TODAY = timezone.localdate


def _job_payload(customer, part, **extra):
    return {"customer": customer.pk, "part": part.pk, "quantity": 25, **extra}


# --------------------------------------------------------------------------------- list


def test_the_list_answers_count_and_items(supervisor_api, planned_job):
    body = supervisor_api.get("/api/v1/jobs").json()
    assert body["count"] == 1
    [item] = body["items"]
    assert item["number"] == "J-1001"
    assert item["customer"] == {"id": planned_job.customer_id, "name": "Northwind Pumps"}
    assert item["part"]["number"] == "NP-220"
    assert item["stage"] == "planned"
    assert item["progress"] == {"done": 0, "total": 3}
    assert item["late"] is False and item["blocked"] is False


def test_the_list_filters(supervisor_api, supervisor, released_job, customer, part, work_centers):
    late = services.job_create(
        user=supervisor,
        customer=CustomerFactory(shop=customer.shop, name="Contoso"),
        part=part,
        quantity=5,
        due_date=TODAY() - datetime.timedelta(days=2),
    )
    services.blocker_raise(user=supervisor, job=late, kind="material", note="No bar stock")

    def numbers(**params):
        response = supervisor_api.get("/api/v1/jobs", params)
        assert response.status_code == 200, response.json()
        return [item["number"] for item in response.json()["items"]]

    assert numbers() == ["J-1002", "J-1001"]  # soonest due first
    assert numbers(stage="released") == ["J-1001"]
    assert numbers(stage="planned") == ["J-1002"]
    assert numbers(stage="open") == ["J-1002", "J-1001"]
    assert numbers(stage="shipped") == []
    assert numbers(customer=customer.pk) == ["J-1001"]
    assert numbers(work_center=work_centers[0].pk) == ["J-1001"]
    assert numbers(late="true") == ["J-1002"]
    assert numbers(blocked="true") == ["J-1002"]
    assert numbers(q="1001") == ["J-1001"]
    assert numbers(q="PO-4471") == ["J-1001"]
    assert numbers(limit=1) == ["J-1002"]
    assert numbers(limit=1, offset=1) == ["J-1001"]
    body = supervisor_api.get("/api/v1/jobs", {"limit": 1, "offset": 5}).json()
    assert body == {"count": 2, "items": []}


@pytest.mark.parametrize(
    "params, field",
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 10**30}, "offset"),
        ({"stage": "lost"}, "stage"),
        ({"customer": "acme"}, "customer"),
        ({"customer": 10**30}, "customer"),
        ({"late": "maybe"}, "late"),
        ({"q": "x" * 101}, "q"),
    ],
)
def test_the_list_refuses_bad_parameters(supervisor_api, planned_job, params, field):
    response = supervisor_api.get("/api/v1/jobs", params)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_the_list_costs_a_fixed_number_of_queries(
    supervisor_api, supervisor, customer, part, work_centers, django_assert_max_num_queries
):
    for index in range(60):
        job = services.job_create(
            user=supervisor,
            customer=customer,
            part=part,
            material_status="from_stock",
            quantity=10,
            due_date=TODAY() + datetime.timedelta(days=index),
            owner=supervisor,
            operations=[{"work_center": work_centers[0], "name": "Saw"}],
        )
        if index % 2:
            services.job_release(user=supervisor, job=job)
    with django_assert_max_num_queries(10):
        response = supervisor_api.get("/api/v1/jobs", {"limit": 200})
    assert response.json()["count"] == 60
    assert len(response.json()["items"]) == 60


def test_the_outsider_lists_none_of_acmes_jobs(outsider_api, planned_job):
    assert outsider_api.get("/api/v1/jobs").json() == {"count": 0, "items": []}
    assert (
        outsider_api.get("/api/v1/jobs", {"customer": planned_job.customer_id}).json()["count"] == 0
    )


# ------------------------------------------------------------------------------- create


def test_create_a_job_with_its_routing(supervisor_api, supervisor, customer, part, work_centers):
    due = (TODAY() + datetime.timedelta(days=20)).isoformat()
    response = supervisor_api.post(
        "/api/v1/jobs",
        _job_payload(
            customer,
            part,
            due_date=due,
            customer_po="PO-1",
            priority="hot",
            owner=supervisor.pk,
            notes="Rush",
            operations=[
                {
                    "work_center": work_centers[0].pk,
                    "name": "Cut",
                    "setup_minutes": 15,
                    "run_minutes": "1.5",
                },
                {"work_center": work_centers[1].pk},
            ],
        ),
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == "J-1001"
    assert body["priority"] == "hot"
    assert body["due_date"] == due
    assert body["owner"]["username"] == "sam"
    assert [(op["sequence"], op["name"], op["run_minutes"]) for op in body["operations"]] == [
        (1, "Cut", "1.50"),
        (2, "CNC Mill", "0.00"),
    ]
    job = Job.objects.get(shop=customer.shop, number=1001)
    assert job.quantity == 25 and job.customer_po == "PO-1" and job.operations_total == 2
    assert Event.objects.filter(job=job, kind="job.created").exists()


def test_create_with_only_the_required_fields(supervisor_api, customer, part):
    response = supervisor_api.post("/api/v1/jobs", {"customer": customer.pk, "part": part.pk})
    assert response.status_code == 201
    assert response.json()["quantity"] is None
    assert response.json()["revision"] == "A"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"customer": None}, "customer"),
        ({"quantity": "ten"}, "quantity"),
        ({"quantity": -5}, "quantity"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": 10**12}, "quantity"),
        ({"quantity": 2.5}, "quantity"),
        ({"notes": "x" * 100_000}, "notes"),
        ({"customer_po": "x" * 61}, "customer_po"),
        ({"customer_po": "PO\x00-1"}, "customer_po"),
        ({"priority": "urgent"}, "priority"),
        ({"due_date": "next tuesday"}, "due_date"),
        ({"due_date": "1900-01-01"}, "due_date"),
        ({"owner": "sam"}, "owner"),
        ({"quantiy": 5}, "quantiy"),
        ({"operations": "saw"}, "operations"),
        ({"operations": [{"name": "Saw"}]}, "operations.0.work_center"),
        ({"operations": [{"work_center": 1, "setup_minutes": -1}]}, "operations.0.setup_minutes"),
        ({"operations": [{"work_center": 1, "run_minutes": "NaN"}]}, "operations.0.run_minutes"),
    ],
)
def test_create_refuses_bad_input(supervisor_api, customer, part, work_centers, change, field):
    payload = _job_payload(customer, part)
    payload.update(change)
    response = supervisor_api.post("/api/v1/jobs", payload)
    assert response.status_code == 422, response.json()
    assert field in [error["field"] for error in response.json()["errors"]]
    assert Job.objects.count() == 0


def test_create_refuses_missing_fields(supervisor_api, customer):
    response = supervisor_api.post("/api/v1/jobs", {"quantity": 5})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"customer", "part"}
    assert Job.objects.count() == 0


@pytest.mark.parametrize("raw", ['{"quantity": ', "not json", "\xff\xfe", "[1,"])
def test_create_refuses_malformed_json(supervisor_api, customer, raw):
    response = supervisor_api.post("/api/v1/jobs", raw=raw)
    assert response.status_code == 400
    assert response.json()["detail"] == "The request body is not valid JSON."
    assert Job.objects.count() == 0


@pytest.mark.parametrize("raw", ["[]", '"job"', "42", "null"])
def test_create_refuses_a_body_that_is_not_an_object(supervisor_api, raw):
    response = supervisor_api.post("/api/v1/jobs", raw=raw)
    assert response.status_code == 422
    assert Job.objects.count() == 0


def test_create_refuses_another_shops_customer_part_owner_and_work_center(
    supervisor_api, customer, part, work_centers, other_shop, outsider
):
    other_customer = CustomerFactory(shop=other_shop)
    other_part = PartFactory(shop=other_shop, customer=other_customer)
    other_center = WorkCenterFactory(shop=other_shop)
    cases = [
        ({"customer": other_customer.pk}, "customer"),
        ({"part": other_part.pk}, "part"),
        ({"owner": outsider.pk}, "owner"),
        ({"owner": UserFactory().pk}, "owner"),
        ({"customer": 10**15}, "customer"),
        (
            {"operations": [{"work_center": work_centers[0].pk}, {"work_center": other_center.pk}]},
            "operations.1.work_center",
        ),
    ]
    for change, field in cases:
        response = supervisor_api.post("/api/v1/jobs", {**_job_payload(customer, part), **change})
        assert response.status_code == 422, change
        assert response.json()["errors"][0]["field"] == field
    assert Job.objects.count() == 0
    assert Operation.objects.count() == 0


def test_an_operator_may_not_create_jobs(operator_api, customer, part):
    response = operator_api.post("/api/v1/jobs", _job_payload(customer, part))
    assert response.status_code == 403
    assert "owner, office or supervisor" in response.json()["detail"]
    assert Job.objects.count() == 0


# --------------------------------------------------------------------------------- read


def test_read_a_job_by_number(supervisor_api, supervisor, released_job):
    services.blocker_raise(user=supervisor, job=released_job, kind="tooling", note="Need a 6mm")
    for number in ("J-1001", "1001", "j-1001"):
        response = supervisor_api.get(f"/api/v1/jobs/{number}")
        assert response.status_code == 200
    body = response.json()
    assert body["stage"] == "released" and body["stage_label"] == "Released"
    assert body["state"] == "released"
    assert [op["status"] for op in body["operations"]] == ["pending"] * 3
    assert body["current_operation"] == body["operations"][0]["id"]
    assert body["operations"][0]["work_center"]["name"] == "Saw"
    [blocker] = body["open_blockers"]
    assert blocker["kind"] == "tooling" and blocker["note"] == "Need a 6mm"
    assert body["blocked"] is True


def test_read_costs_a_fixed_number_of_queries(
    supervisor_api, supervisor, released_job, work_centers, django_assert_max_num_queries
):
    for index in range(40):
        services.operation_add(
            user=supervisor, job=released_job, work_center=work_centers[1], name=f"Op {index}"
        )
        services.blocker_raise(user=supervisor, job=released_job, kind="other", note=f"B{index}")
    with django_assert_max_num_queries(10):
        response = supervisor_api.get("/api/v1/jobs/J-1001")
    assert len(response.json()["operations"]) == 43
    assert len(response.json()["open_blockers"]) == 40


@pytest.mark.parametrize("number", ["J-9999", "garbage", "J-" + "9" * 40, "%00"])
def test_an_unknown_job_is_404(supervisor_api, planned_job, number):
    response = supervisor_api.get(f"/api/v1/jobs/{number}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": []}


def test_the_outsider_cannot_read_acmes_job(outsider_api, planned_job):
    response = outsider_api.get("/api/v1/jobs/J-1001")
    assert response.status_code == 404
    assert "Northwind" not in response.content.decode()


# -------------------------------------------------------------------------------- change


def test_patch_changes_only_what_is_sent(supervisor_api, planned_job, supervisor):
    response = supervisor_api.patch(
        "/api/v1/jobs/J-1001", {"quantity": 120, "priority": "high", "owner": supervisor.pk}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["quantity"] == 120 and body["priority"] == "high"
    assert body["owner"]["id"] == supervisor.pk
    planned_job.refresh_from_db()
    assert planned_job.quantity == 120
    assert planned_job.customer_po == "PO-4471"  # untouched
    assert Event.objects.filter(job=planned_job, kind="job.updated").count() == 1


def test_patch_with_nothing_changes_nothing(supervisor_api, planned_job):
    response = supervisor_api.patch("/api/v1/jobs/J-1001", {})
    assert response.status_code == 200
    assert not Event.objects.filter(kind="job.updated").exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"quantity": "ten"}, "quantity"),
        ({"quantity": -1}, "quantity"),
        ({"quantity": 10**12}, "quantity"),
        ({"customer": None}, "customer"),
        ({"revision": ""}, "revision"),
        ({"notes": "x" * 100_000}, "notes"),
        ({"priority": "whenever"}, "priority"),
        ({"state": "shipped"}, "state"),
        ({"stage": "complete"}, "stage"),
    ],
)
def test_patch_refuses_bad_input(supervisor_api, planned_job, change, field):
    response = supervisor_api.patch("/api/v1/jobs/J-1001", change)
    assert response.status_code == 422, response.json()
    assert response.json()["errors"][0]["field"] == field
    planned_job.refresh_from_db()
    assert planned_job.quantity == 100 and planned_job.stage == JobStage.PLANNED
    assert not Event.objects.filter(kind="job.updated").exists()


def test_patch_refuses_to_clear_a_released_jobs_quantity(supervisor_api, released_job):
    response = supervisor_api.patch("/api/v1/jobs/J-1001", {"quantity": None})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "quantity",
            "message": "A released job needs a quantity and a due date; unrelease it first.",
        }
    ]


def test_patch_refuses_malformed_json(supervisor_api, planned_job):
    response = supervisor_api.patch("/api/v1/jobs/J-1001", raw='{"quantity": ')
    assert response.status_code == 400
    planned_job.refresh_from_db()
    assert planned_job.quantity == 100


def test_patch_refuses_another_shops_customer(supervisor_api, planned_job, other_shop):
    other_customer = CustomerFactory(shop=other_shop)
    response = supervisor_api.patch("/api/v1/jobs/J-1001", {"customer": other_customer.pk})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "customer"
    planned_job.refresh_from_db()
    assert planned_job.customer.name == "Northwind Pumps"


def test_the_outsider_cannot_change_acmes_job(outsider_api, planned_job):
    response = outsider_api.patch("/api/v1/jobs/J-1001", {"quantity": 1})
    assert response.status_code == 404
    planned_job.refresh_from_db()
    assert planned_job.quantity == 100


def test_an_operator_may_not_change_a_job(operator_api, planned_job):
    assert operator_api.patch("/api/v1/jobs/J-1001", {"quantity": 1}).status_code == 403
    planned_job.refresh_from_db()
    assert planned_job.quantity == 100


# ------------------------------------------------------------------------- release / back


def test_release_a_planned_job(supervisor_api, planned_job):
    response = supervisor_api.post("/api/v1/jobs/J-1001/release")
    assert response.status_code == 200
    assert response.json()["stage"] == "released"
    planned_job.refresh_from_db()
    assert planned_job.stage == JobStage.RELEASED


def test_release_refused_lists_what_is_missing(supervisor_api, supervisor, customer, part):
    services.job_create(user=supervisor, customer=customer, part=part)
    response = supervisor_api.post("/api/v1/jobs/J-1001/release")
    assert response.status_code == 409
    messages = [error["message"] for error in response.json()["errors"]]
    assert messages == [
        "Set a quantity.",
        "Set a due date.",
        "Add at least one operation to the routing.",
        "Material is not ordered; mark it received or from stock when it is here.",
    ]
    assert Job.objects.get().stage == JobStage.PLANNED


def test_release_twice_is_409(supervisor_api, released_job):
    response = supervisor_api.post("/api/v1/jobs/J-1001/release")
    assert response.status_code == 409
    assert "not planned" in response.json()["errors"][0]["message"]


def test_the_outsider_and_the_operator_cannot_release(outsider_api, operator_api, planned_job):
    assert outsider_api.post("/api/v1/jobs/J-1001/release").status_code == 404
    assert operator_api.post("/api/v1/jobs/J-1001/release").status_code == 403
    planned_job.refresh_from_db()
    assert planned_job.stage == JobStage.PLANNED


def test_unrelease_with_a_reason(supervisor_api, released_job):
    response = supervisor_api.post("/api/v1/jobs/J-1001/unrelease", {"reason": "Drawing rev C"})
    assert response.status_code == 200
    assert response.json()["stage"] == "planned"
    event = Event.objects.get(kind="job.unreleased")
    assert event.after["reason"] == "Drawing rev C"


@pytest.mark.parametrize(
    "body, status",
    [
        (None, 422),
        ({}, 422),
        ({"reason": ""}, 422),
        ({"reason": "   "}, 422),
        ({"reason": "x" * 501}, 422),
        ({"reason": 5}, 422),
    ],
)
def test_unrelease_refuses_a_missing_or_bad_reason(supervisor_api, released_job, body, status):
    response = supervisor_api.post("/api/v1/jobs/J-1001/unrelease", body)
    assert response.status_code == status
    assert response.json()["errors"][0]["field"] in ("reason", None)
    released_job.refresh_from_db()
    assert released_job.stage == JobStage.RELEASED


def test_unrelease_a_planned_job_is_409(supervisor_api, planned_job):
    response = supervisor_api.post("/api/v1/jobs/J-1001/unrelease", {"reason": "why not"})
    assert response.status_code == 409


def test_the_outsider_cannot_unrelease(outsider_api, released_job):
    response = outsider_api.post("/api/v1/jobs/J-1001/unrelease", {"reason": "mine now"})
    assert response.status_code == 404
    released_job.refresh_from_db()
    assert released_job.stage == JobStage.RELEASED


def test_a_body_over_the_upload_limit_is_413(supervisor_api, customer, part):
    response = supervisor_api.post("/api/v1/jobs", raw='{"notes": "' + "x" * 3_000_000 + '"}')
    assert response.status_code == 413
    assert response.json()["detail"] == "The request body is too large."
    assert Job.objects.count() == 0


def test_a_past_due_date_is_accepted_with_a_warning(supervisor_api, customer, part):
    due = TODAY() - datetime.timedelta(days=2)
    response = supervisor_api.post(
        "/api/v1/jobs", _job_payload(customer, part, due_date=due.isoformat())
    )
    assert response.status_code == 201
    body = response.json()
    assert body["due_date"] == due.isoformat()
    assert body["warnings"] == [
        f"The due date {due:%b} {due.day}, {due.year} has passed (2 days ago): "
        "the job is late from the start."
    ]
    future = supervisor_api.post(
        "/api/v1/jobs",
        _job_payload(customer, part, due_date=(TODAY() + datetime.timedelta(days=5)).isoformat()),
    )
    assert future.json()["warnings"] == []
    # Changing it to a past date says so; a change of something else does not.
    number = body["number"]
    patched = supervisor_api.patch(
        f"/api/v1/jobs/{number}", {"due_date": (TODAY() - datetime.timedelta(days=1)).isoformat()}
    )
    assert patched.status_code == 200
    assert "has passed (1 day ago)" in patched.json()["warnings"][0]
    again = supervisor_api.patch(f"/api/v1/jobs/{number}", {"quantity": 30})
    assert again.json()["warnings"] == []
    assert supervisor_api.get(f"/api/v1/jobs/{number}").json()["warnings"] == []
