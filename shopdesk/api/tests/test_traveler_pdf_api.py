"""/api/v1/jobs/{number}/traveler.pdf: GET serves the newest active traveler and never
prints; POST prints a new one and answers its PDF."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from shopdesk.core.models import Event
from shopdesk.travelers.models import Traveler

URL = "/api/v1/jobs/J-1001/traveler.pdf"


def _printed(job, by, **fields) -> Traveler:
    return Traveler.objects.create(
        shop=job.shop, job=job, revision="A", paper_size="letter", printed_by=by, **fields
    )


def test_post_prints_a_traveler_and_answers_its_pdf(supervisor_api, released_job):
    response = supervisor_api.post(URL)
    assert response.status_code == 201
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="J-1001-traveler.pdf"' in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert Traveler.objects.filter(job=released_job).count() == 1
    assert Event.objects.filter(kind="traveler.printed").count() == 1

    again = supervisor_api.get(URL)
    assert again.status_code == 200
    assert again.content.startswith(b"%PDF")
    assert Traveler.objects.filter(job=released_job).count() == 1


def test_get_never_prints(supervisor_api, released_job):
    response = supervisor_api.get(URL)
    assert response.status_code == 404
    assert "POST /api/v1/jobs/J-1001/traveler.pdf" in response.json()["detail"]
    assert Traveler.objects.count() == 0
    assert not Event.objects.filter(kind="traveler.printed").exists()


def test_get_with_a_session_cookie_prints_nothing(supervisor, released_job):
    """A page elsewhere can make a signed-in browser GET this address: it must change nothing."""
    browser = Client()
    browser.force_login(supervisor)
    assert browser.get(URL).status_code == 404
    assert Traveler.objects.count() == 0


def test_post_with_a_session_needs_the_csrf_token(supervisor, released_job):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(supervisor)
    assert browser.post(URL).status_code == 403
    assert Traveler.objects.count() == 0


def test_get_serves_the_newest_active_traveler(supervisor_api, supervisor, released_job):
    _printed(released_job, supervisor, revoked_at=timezone.now())
    assert supervisor_api.get(URL).status_code == 404
    _printed(released_job, supervisor)
    assert supervisor_api.get(URL).status_code == 200
    assert Traveler.objects.count() == 2


def test_an_operator_fetches_an_existing_traveler_but_may_not_print(
    operator_api, supervisor, released_job
):
    assert operator_api.post(URL).status_code == 403
    assert Traveler.objects.count() == 0
    _printed(released_job, supervisor)
    assert operator_api.get(URL).status_code == 200


def test_a_job_without_routing_is_not_printed(supervisor_api, planned_job):
    planned_job.operations.all().delete()
    assert supervisor_api.post(URL).status_code == 409
    assert Traveler.objects.count() == 0


def test_the_outsider_gets_404_and_nothing_is_printed(outsider_api, released_job):
    for response in (outsider_api.get(URL), outsider_api.post(URL)):
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found.", "errors": []}
    assert Traveler.objects.count() == 0


def test_an_unknown_job_and_no_token(supervisor_api, anonymous_api, released_job):
    assert supervisor_api.get("/api/v1/jobs/J-77/traveler.pdf").status_code == 404
    assert supervisor_api.post("/api/v1/jobs/J-77/traveler.pdf").status_code == 404
    assert anonymous_api.get(URL).status_code == 401
    assert anonymous_api.post(URL).status_code == 401
    assert Traveler.objects.count() == 0
