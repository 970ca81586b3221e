"""Released files over the API: material status, the gate and its override, moving a job to
another revision, notices of change, and the released documents in the job's detail."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from shopdesk.core.models import Event, Role
from shopdesk.core.tests.api_clients import api_for
from shopdesk.core.tests.factories import DocumentFactory, member
from shopdesk.jobs import services
from shopdesk.jobs.models import Blocker, JobState, NoticeStatus, RevisionNotice
from shopdesk.jobs.tests.revisions import draft_revision, release_revision
from shopdesk.parts.models import DocumentKind

JOB = "/api/v1/jobs/J-1001"


@pytest.fixture
def office_api(shop):
    return api_for(member(shop, Role.OFFICE, username="otto"))


@pytest.fixture
def rev_b(supervisor, part, released_job):
    return release_revision(supervisor, part, "B")


# --- Material status -------------------------------------------------------------------------


def test_material_status_is_read_created_and_changed(supervisor_api, customer, part, planned_job):
    assert supervisor_api.get(JOB).json()["material_status"] == "from_stock"
    response = supervisor_api.post(
        "/api/v1/jobs", {"customer": customer.pk, "part": part.pk, "material_status": "ordered"}
    )
    assert response.status_code == 201
    assert response.json()["material_status"] == "ordered"
    response = supervisor_api.patch(JOB, {"material_status": "received"})
    assert response.status_code == 200
    assert response.json()["material_status"] == "received"
    assert Event.objects.filter(job=planned_job, kind="job.material_status_changed").exists()
    listed = supervisor_api.get("/api/v1/jobs").json()["items"]
    assert {item["material_status"] for item in listed} == {"received", "ordered"}


@pytest.mark.parametrize("value", ["lost", "", None, 3, "RECEIVED"])
def test_a_bad_material_status_is_422(supervisor_api, planned_job, value):
    response = supervisor_api.patch(JOB, {"material_status": value})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "material_status"
    planned_job.refresh_from_db()
    assert planned_job.material_status == "from_stock"


def test_the_revision_is_not_patched(supervisor_api, planned_job):
    response = supervisor_api.patch(JOB, {"revision": "Z"})
    assert response.status_code == 422
    planned_job.refresh_from_db()
    assert planned_job.revision == "A"


# --- The gate and its override -----------------------------------------------------------------


@pytest.fixture
def held_job(supervisor, planned_job):
    services.job_update(user=supervisor, job=planned_job, material_status="ordered")
    return planned_job


def test_release_refused_names_the_material(supervisor_api, held_job):
    response = supervisor_api.post(f"{JOB}/release")
    assert response.status_code == 409
    assert [e["message"] for e in response.json()["errors"]] == [
        "Material is ordered; mark it received or from stock when it is here."
    ]


def test_release_with_an_empty_body_still_works(supervisor_api, planned_job):
    response = supervisor_api.post(f"{JOB}/release", {})
    assert response.status_code == 200
    assert response.json()["state"] == "released"


def test_supervisor_overrides_with_a_reason(supervisor_api, held_job):
    response = supervisor_api.post(f"{JOB}/release", {"override_reason": "Bar is here at 7"})
    assert response.status_code == 200
    assert response.json()["state"] == "released"
    event = Event.objects.get(job=held_job, kind="job.release_overridden")
    assert event.after == {"reason": "Bar is here at 7"}
    assert event.before["problems"] == [
        "Material is ordered; mark it received or from stock when it is here."
    ]


@pytest.mark.parametrize("who", ["office_api", "operator_api"])
def test_other_roles_cannot_override(request, held_job, who):
    api = request.getfixturevalue(who)
    response = api.post(f"{JOB}/release", {"override_reason": "Please"})
    assert response.status_code == 403
    held_job.refresh_from_db()
    assert held_job.state == JobState.PLANNED
    assert not Event.objects.filter(kind="job.release_overridden").exists()


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501, "a\x00b", 12])
def test_a_bad_override_reason_is_422(supervisor_api, held_job, reason):
    response = supervisor_api.post(f"{JOB}/release", {"override_reason": reason})
    assert response.status_code == 422
    held_job.refresh_from_db()
    assert held_job.state == JobState.PLANNED


def test_override_does_not_release_twice(supervisor_api, released_job):
    response = supervisor_api.post(f"{JOB}/release", {"override_reason": "Again"})
    assert response.status_code == 409
    assert "not planned" in response.json()["detail"]


def test_the_outsider_cannot_override_our_job(outsider_api, held_job):
    assert outsider_api.post(f"{JOB}/release", {"override_reason": "x"}).status_code == 404
    held_job.refresh_from_db()
    assert held_job.state == JobState.PLANNED


# --- Released documents in the job's detail ----------------------------------------------------


def test_the_detail_lists_the_released_revisions_documents(supervisor_api, part, released_job):
    revision_a = part.revisions.get(code="A")
    program = DocumentFactory(
        revision=revision_a, kind=DocumentKind.PROGRAM, name="op20.nc", content=b"G0\n"
    )
    draft_revision(part, "B")
    body = supervisor_api.get(JOB).json()
    assert body["released_revision"] == "A"
    assert body["revision_status"] == "released"
    assert [doc["name"] for doc in body["documents"]] == ["op20.nc", "NP-220.pdf"]
    first = body["documents"][0]
    assert first["id"] == program.pk
    assert first["kind"] == "program" and first["size"] == 3
    assert first["sha256"] == program.stored.sha256
    assert first["url"] == reverse("parts:document_file", args=[program.pk])
    assert body["notices"] == []


def test_the_detail_costs_a_fixed_number_of_queries(
    supervisor_api, part, released_job, django_assert_max_num_queries
):
    revision_a = part.revisions.get(code="A")
    for n in range(49):
        DocumentFactory(revision=revision_a, name=f"f{n}.pdf", content=f"%PDF{n}".encode())
    with django_assert_max_num_queries(12):
        response = supervisor_api.get(JOB)
    assert len(response.json()["documents"]) == 50


# --- Notices and moving revisions ---------------------------------------------------------------


def test_a_superseded_job_lists_its_open_notice(supervisor_api, rev_b):
    body = supervisor_api.get(JOB).json()
    assert body["revision_status"] == "superseded"
    assert body["released_revision"] == "B"
    assert [doc["name"] for doc in body["documents"]] == ["NP-220-rev-B.pdf"]
    [notice] = body["notices"]
    assert notice["status"] == "open" and notice["job"] == "J-1001"
    assert (notice["from_revision"], notice["to_revision"]) == ("A", "B")
    assert supervisor_api.get(f"/api/v1/notices/{notice['id']}").json() == notice


def test_confirm_a_notice(supervisor_api, rev_b, released_job):
    notice = RevisionNotice.objects.get()
    response = supervisor_api.post(f"/api/v1/notices/{notice.pk}/confirm")
    assert response.status_code == 200
    body = response.json()
    blocker = Blocker.objects.get(job=released_job)
    assert body["status"] == "confirmed" and body["blocker"] == blocker.pk
    assert blocker.note == "Drawing revision changed: A → B"
    assert supervisor_api.post(f"/api/v1/notices/{notice.pk}/confirm").status_code == 409
    assert Blocker.objects.count() == 1


def test_dismiss_a_notice(supervisor_api, rev_b):
    notice = RevisionNotice.objects.get()
    url = f"/api/v1/notices/{notice.pk}/dismiss"
    for body in ({}, {"note": ""}, {"note": "  "}, {"note": "n" * 2001}, {"note": "a\x00"}):
        assert supervisor_api.post(url, body).status_code == 422
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.OPEN
    response = supervisor_api.post(url, {"note": "Title block only"})
    assert response.status_code == 200
    assert response.json()["status"] == "dismissed"
    assert response.json()["decision_note"] == "Title block only"


def test_another_shops_notice_is_404(outsider_api, rev_b):
    notice = RevisionNotice.objects.get()
    assert outsider_api.get(f"/api/v1/notices/{notice.pk}").status_code == 404
    assert outsider_api.post(f"/api/v1/notices/{notice.pk}/confirm").status_code == 404
    response = outsider_api.post(f"/api/v1/notices/{notice.pk}/dismiss", {"note": "Mine"})
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.OPEN


def test_an_operator_cannot_decide_a_notice(operator_api, rev_b):
    notice = RevisionNotice.objects.get()
    assert operator_api.post(f"/api/v1/notices/{notice.pk}/confirm").status_code == 403
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.OPEN


def test_move_revision(supervisor_api, rev_b, released_job):
    response = supervisor_api.post(
        f"{JOB}/move-revision", {"revision": rev_b.pk, "reason": "Customer approved B"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["revision"] == "B" and body["revision_status"] == "released"
    assert body["notices"][0]["status"] == "moved"
    released_job.refresh_from_db()
    assert released_job.part_revision == rev_b


def test_move_to_another_shops_revision_is_404(supervisor_api, rev_b, other_job, released_job):
    response = supervisor_api.post(
        f"{JOB}/move-revision", {"revision": other_job.part_revision_id, "reason": "Hm"}
    )
    assert response.status_code == 404
    released_job.refresh_from_db()
    assert released_job.revision == "A"


def test_move_to_a_superseded_revision_is_409(supervisor_api, part, rev_b, released_job):
    revision_a = part.revisions.get(code="A")
    supervisor_api.post(f"{JOB}/move-revision", {"revision": rev_b.pk, "reason": "B"})
    response = supervisor_api.post(
        f"{JOB}/move-revision", {"revision": revision_a.pk, "reason": "A"}
    )
    assert response.status_code == 409
    assert "superseded" in response.json()["detail"]
    released_job.refresh_from_db()
    assert released_job.revision == "B"


def test_a_closed_job_does_not_move(supervisor_api, supervisor, rev_b, released_job):
    services.job_close(user=supervisor, job=released_job, reason="Cancelled")
    response = supervisor_api.post(f"{JOB}/move-revision", {"revision": rev_b.pk, "reason": "B"})
    assert response.status_code == 409
    released_job.refresh_from_db()
    assert released_job.revision == "A"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"revision": 1},
        {"reason": "x"},
        {"revision": "abc", "reason": "x"},
        {"revision": 0, "reason": "x"},
        {"revision": 2**70, "reason": "x"},
        {"revision": "REV", "reason": ""},
        {"revision": "REV", "reason": "r" * 501},
        {"revision": "REV", "reason": "ok", "extra": True},
    ],
)
def test_bad_move_bodies_are_422(supervisor_api, rev_b, released_job, body):
    body = {k: (rev_b.pk if v == "REV" else v) for k, v in body.items()}
    response = supervisor_api.post(f"{JOB}/move-revision", body)
    assert response.status_code == 422
    released_job.refresh_from_db()
    assert released_job.revision == "A"


def test_the_schema_lists_the_new_paths(db):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/jobs/{number}/move-revision",
        "/api/v1/notices/{notice_id}",
        "/api/v1/notices/{notice_id}/confirm",
        "/api/v1/notices/{notice_id}/dismiss",
    ):
        assert path in paths
    release = paths["/api/v1/jobs/{number}/release"]["post"]
    assert "requestBody" in release
