"""The release gate and the ship gate ask the checks apps register in core.gates: parts adds
the revision and drawing check, jobs its own facts, and a check added from outside jobs stops
a release or a shipment on the page and in the service."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import reverse

from shopdesk.core.errors import ActionRefused
from shopdesk.core.gates import CheckRegistry, release_checks, ship_checks
from shopdesk.jobs import services
from shopdesk.jobs.models import JobStage, JobState
from shopdesk.jobs.tests.test_job_actions import _finish_all
from shopdesk.parts.gate_checks import released_drawing_check


def _fai_due(job, loaded) -> list[str]:
    return [f"Record the first-article inspection of {job.part.number}."]


def _coc_missing(job, loaded) -> list[str]:
    return ["Attach the certificate of conformance."]


@pytest.fixture
def fai_check() -> Iterator[None]:
    release_checks.register("test.fai_due", _fai_due, order=30)
    yield
    release_checks.unregister("test.fai_due")


@pytest.fixture
def coc_check() -> Iterator[None]:
    ship_checks.register("test.coc", _coc_missing)
    yield
    ship_checks.unregister("test.coc")


def test_parts_and_jobs_register_their_checks_when_the_apps_load():
    assert release_checks.names[:2] == ["parts.released_drawing", "jobs.ready"]
    registered = {c.name: c.check for c in release_checks.checks}
    assert registered["parts.released_drawing"] is released_drawing_check
    assert released_drawing_check.__module__ == "shopdesk.parts.gate_checks"
    assert ship_checks.names == []


def test_the_drawing_check_comes_from_parts(planned_job):
    planned_job.part_revision.documents.all().delete()
    planned_job.refresh_from_db()
    assert released_drawing_check(planned_job, {}) == [
        "Revision A of NP-220 has no drawing; upload one to it."
    ]
    assert services.job_release_problems(planned_job)[0] == (
        "Revision A of NP-220 has no drawing; upload one to it."
    )


def test_a_registered_check_stops_the_release(supervisor, planned_job, fai_check):
    assert services.job_release_problems(planned_job) == [
        "Record the first-article inspection of NP-220."
    ]
    with pytest.raises(ActionRefused, match="first-article inspection"):
        services.job_release(user=supervisor, job=planned_job)
    planned_job.refresh_from_db()
    assert planned_job.state == JobState.PLANNED


def test_the_live_page_lists_a_registered_check_as_missing(
    supervisor_client, planned_job, fai_check
):
    html = supervisor_client.get(reverse("jobs:detail", args=["J-1001"])).content.decode()
    assert "What&#x27;s missing:" in html or "What's missing:" in html
    assert "Record the first-article inspection of NP-220." in html


def test_a_registered_ship_check_stops_the_shipment(
    supervisor, supervisor_client, operator, released_job, coc_check
):
    _finish_all(operator, released_job)
    released_job.refresh_from_db()
    with pytest.raises(ActionRefused, match="certificate of conformance"):
        services.job_mark_shipped(user=supervisor, job=released_job)
    response = supervisor_client.post(reverse("jobs:ship", args=["J-1001"]))
    assert response.status_code == 409
    assert "Attach the certificate of conformance." in response.content.decode()
    released_job.refresh_from_db()
    assert released_job.state == JobState.RELEASED


def test_without_ship_checks_a_complete_job_ships(supervisor, operator, released_job):
    _finish_all(operator, released_job)
    released_job.refresh_from_db()
    assert services.job_mark_shipped(user=supervisor, job=released_job).stage == JobStage.SHIPPED


def test_a_check_name_is_taken_once():
    gate = CheckRegistry("test")
    gate.register("a", _fai_due)
    gate.register("a", _fai_due)  # the same check again: no-op
    with pytest.raises(ValueError, match="already has an entry named 'a'"):
        gate.register("a", _coc_missing)
    assert gate.names == ["a"]


def test_checks_answer_in_order_then_by_name(planned_job):
    gate = CheckRegistry("test")
    gate.register("z.late", _coc_missing, order=5)
    gate.register("b.second", _fai_due, order=1)
    gate.register("a.first", lambda job, loaded: ["first"], order=1)
    assert gate.names == ["a.first", "b.second", "z.late"]
    assert gate.problems(planned_job) == [
        "first",
        "Record the first-article inspection of NP-220.",
        "Attach the certificate of conformance.",
    ]
